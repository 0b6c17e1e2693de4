import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDemo, type RunningDemo } from '../../../demo/demo.ts';
import { freePort } from '../../attacks/world.ts';
import { launchChromium } from '../../support/chromium.ts';
import { tempDir } from '../../support/db.ts';

/** The whole demo (`npm start`) on free ports and a fresh data directory, for one test file. */
export async function startTestDemo(): Promise<RunningDemo> {
  const ports = { idp: await freePort(), portal: await freePort(), launcher: await freePort(), gateway: await freePort(), chat: await freePort() };
  return startDemo({ dataDir: tempDir(), ports, logLevel: 'silent' });
}

/** The demo and a Chromium for one describe block: started before its tests, closed after them. */
export function useDemoInChromium(set: (demo: RunningDemo, browser: Browser) => void): void {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    demo = await startTestDemo();
    browser = await launchChromium();
    set(demo, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });
}
