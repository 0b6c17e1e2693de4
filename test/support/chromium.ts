import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, which `.ci/run` installs with apt-get when it is missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

let warned = false;
/** Says once per test file, clearly, why its browser tests are skipped. */
export function noteSkippedBrowserTests(): void {
  if (HAS_CHROMIUM || warned) return;
  warned = true;
  console.warn(`Browser tests are skipped: ${CHROMIUM_PATH} is missing. .ci/run installs it (apt-get install chromium).`);
}

/** Headless Chromium as CI runs it (as root in a container: no sandbox; no background traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const SCREENSHOT_DIR = join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');

/** Saves a full-page screenshot under test-results/screenshots/<group>/<name>.png (git-ignored). */
export async function screenshot(page: Page, group: string, name: string): Promise<string> {
  const dir = join(SCREENSHOT_DIR, group);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** With UPDATE_SCREENSHOTS=1, refreshes the README's copy of a screenshot (docs/screenshots/<name>.png). */
export function readmeImage(file: string, name: string): void {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  const dir = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  copyFileSync(file, join(dir, `${name}.png`));
}
