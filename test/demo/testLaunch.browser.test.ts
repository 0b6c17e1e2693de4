/**
 * The admin's test launch in the demo, in real Chromium, from the URL the demo prints: the console
 * on the launcher's own host (launcher.localhost) while the platform is demo.launcher.localhost.
 * The browser's Basic credentials are given for the console's origin only, so a second sign-in
 * on the platform's host would stop the test.
 */
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../demo/demo.ts';
import { HAS_CHROMIUM, noteSkippedBrowserTests, screenshot } from '../support/chromium.ts';
import { useDemoInChromium } from './support/testDemo.ts';

noteSkippedBrowserTests();

describe.skipIf(!HAS_CHROMIUM)('the demo’s test launch from the launcher’s admin URL', { timeout: 90_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;

  useDemoInChromium((d, b) => {
    demo = d;
    browser = b;
  });

  it('starts at launcher.localhost/admin/test-launch with one click and reaches the chatbot as the test user', async () => {
    const context = await browser.newContext({ httpCredentials: { username: demo.adminUser, password: demo.adminPassword, origin: demo.urls.launcher } });
    const page = await context.newPage();
    const statuses: Array<{ url: string; status: number }> = [];
    page.on('response', (r) => statuses.push({ url: r.url(), status: r.status() }));
    await page.goto(`${demo.urls.launcher}/admin/test-launch`);
    await page.getByLabel('User name').fill('Test Teacher');
    await page.getByLabel('Role').selectOption('Instructor');
    await screenshot(page, 'demo-test-launch', '1-console-form');
    await page.getByRole('button', { name: 'Start test launch' }).click();
    await page.waitForURL((u) => u.hostname === 'chat.localhost', { timeout: 20_000 });
    await page.getByText('Course assistant').waitFor();
    const who = await page.locator('.who').innerText();
    expect(who).toContain('Test Teacher');
    expect(who).toContain('Instructor');
    expect(who).toContain('Test course (admin test launch)');
    await screenshot(page, 'demo-test-launch', '2-chatbot-as-test-user');
    // The platform's host was crossed without a 401 (no second sign-in) and without an error.
    const platformHost = new URL(demo.urls.platform).host;
    const onPlatform = statuses.filter((s) => new URL(s.url).host === platformHost);
    expect(onPlatform.map((s) => new URL(s.url).pathname)).toEqual(expect.arrayContaining(['/test-launch/start', '/auth']));
    expect(onPlatform.every((s) => s.status < 400), JSON.stringify(onPlatform)).toBe(true);

    await page.goto(`${demo.urls.launcher}/admin/launches`);
    await page.getByText('test launch', { exact: false }).first().waitFor();
    await screenshot(page, 'demo-test-launch', '3-launch-log');
    const entry = (await demo.launcher.services.launchLog.list({ role: 'platform' })).find((e) => e.test);
    expect(entry).toMatchObject({ outcome: 'success' });
    await page.goto(`${demo.urls.launcher}/admin/launches/${entry!.id}`);
    await page.getByText('redirect_to_platform_host').waitFor();
    await page.getByText('check_test_launch_start').waitFor();
    await screenshot(page, 'demo-test-launch', '4-launch-steps');
    await context.close();
  });

  it('on a host outside DOMAIN (the bare IP), says once where to go, as a link', async () => {
    const direct = `http://127.0.0.1:${new URL(demo.urls.launcher).port}`;
    const context = await browser.newContext({ httpCredentials: { username: demo.adminUser, password: demo.adminPassword, origin: direct } });
    const page = await context.newPage();
    await page.goto(`${direct}/admin/test-launch`);
    await page.getByRole('button', { name: 'Start test launch' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.count()).toBe(1);
    const link = alert.getByRole('link');
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^${demo.urls.platform}/admin/test-launch\\?tool=`));
    expect(await page.locator('.field .error').count()).toBe(0);
    await screenshot(page, 'demo-test-launch', '5-console-outside-domain');
    await context.close();
  });
});
