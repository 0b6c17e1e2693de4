import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { HAS_CHROMIUM, launchChromium, noteSkippedBrowserTests, screenshot, readmeImage } from '../support/chromium.ts';
import { startRole, type RunningRole } from '../support/servers.ts';
import { connectTool, startLauncherConsole, type LauncherConsoleWorld } from './support/launcherConsole.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const CREDENTIALS = { username: 'admin', password: 'test-admin-password' };

noteSkippedBrowserTests();


/**
 * The consoles in a real browser (Debian's Chromium, headless): what an administrator does, by
 * label and role as a person finds things, with the CSP and the script as served. SQLite only:
 * the HTTP tests run the same services on Postgres.
 */
describe.skipIf(!HAS_CHROMIUM)('admin consoles in Chromium', () => {
  let world: LauncherConsoleWorld;
  let gateway: RunningRole;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];
  const ids: { platform?: string; tool?: string; hostileTool?: string } = {};

  /** Each page under test-results/screenshots/admin/ (git-ignored). */
  const shot = (name: string, target: Page = page) => screenshot(target, 'admin', name);

  const watch = (p: Page) => {
    p.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    p.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) cspViolations.push(message.text());
    });
  };

  beforeAll(async () => {
    world = await startLauncherConsole('sqlite');
    gateway = await startRole('tool', toolRoutes, { framable: toolFramable });
    browser = await launchChromium();
    context = await browser.newContext({ httpCredentials: CREDENTIALS, viewport: { width: 1280, height: 900 } });
    // Below the test timeout, so a step that cannot happen fails with Playwright's call log.
    context.setDefaultTimeout(8_000);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: world.launcher.url });
    page = await context.newPage();
    watch(page);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
    await world?.close();
  });

  it('creates a platform through the pages, after checking the IdP\'s discovery', async () => {
    await page.goto(`${world.launcher.url}/admin/platforms`);
    await page.getByRole('link', { name: 'New platform' }).click();
    await page.getByLabel('Name').fill('Springfield High');
    await page.getByLabel('Slug').fill('springfield');
    await page.getByLabel('Discovery URL').fill(world.idp.discoveryUrl);
    await page.getByLabel('Client id at the IdP').fill('launcher-client');
    await page.getByLabel('Client secret').fill('launcher-secret-value');
    await page.getByLabel('Role claim').fill('groups');
    await page.getByLabel('Role map (JSON)').fill('{"teacher": "Instructor", "student": "Learner"}');
    await page.getByRole('button', { name: 'Check discovery' }).click();
    await expect.poll(() => page.locator('#discovery-result h2').textContent()).toBe('Discovery document read');
    await expect.poll(() => page.getByLabel('Discovery URL').inputValue()).toBe(world.idp.discoveryUrl);
    await shot('platform-form-discovery');
    // The secret is write-only: checking discovery does not send it back into the page.
    await page.getByLabel('Client secret').fill('launcher-secret-value');
    await page.getByRole('button', { name: 'Create platform' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Springfield High');
    ids.platform = new URL(page.url()).pathname.split('/').pop();
    const redirectUri = await page.locator('#idp-values-v0').textContent();
    expect(redirectUri).toBe(`${world.launcher.url}/p/springfield/callback`);
    await world.idp.addClient({ client_id: 'launcher-client', client_secret: 'launcher-secret-value', redirect_uris: [redirectUri!] });
    await shot('platform');
  });

  it('creates a tool, says which key format it detected, and copies the launch URL', async () => {
    await page.getByRole('link', { name: 'New tool' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Course Chat');
    await page.getByLabel('Description').fill('Ask questions about the course');
    await page.getByLabel('Client id').fill('chat');
    await page.getByLabel('Login initiation URL').fill(`${world.tool.url}/login`);
    await page.getByLabel('Target link URI').fill(`${world.tool.url}/launch`);
    await page.getByLabel('Tool public key').fill(`${world.tool.url}/jwks`);
    await expect.poll(() => page.locator('#f-key-detected').textContent()).toMatch(/^Detected: a JWKS URL/);
    await page.getByLabel('Tool public key').fill(JSON.stringify(world.tool.jwk));
    await expect.poll(() => page.locator('#f-key-detected').textContent()).toBe('Detected: a single JSON Web Key (JWK).');
    await page.getByLabel('Tool public key').fill(`${world.tool.url}/jwks`);
    await shot('tool-form');
    await page.getByRole('button', { name: 'Create tool' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Course Chat');
    ids.tool = new URL(page.url()).pathname.split('/').pop();
    const saved = await world.api(`/tools/${ids.tool}`);
    expect(saved.body).toMatchObject({ public_key_url: `${world.tool.url}/jwks`, client_id: 'chat' });

    await page.getByRole('button', { name: 'Copy Launch URL' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(saved.body.launch_url);
    await expect.poll(() => page.locator('#console-live').textContent()).toBe('Copied Launch URL');
    readmeImage(await shot('tool'), 'admin-2-tool');
  });

  it('runs a test launch as a synthetic user against the test tool, which verifies our id_token', async () => {
    const platform = (await world.api(`/platforms/${ids.platform}`)).body;
    connectTool(world.tool, platform, 'chat');
    await page.getByRole('link', { name: 'Test launch', exact: true }).first().click();
    await expect.poll(() => page.getByLabel('Tool').inputValue()).toBe(ids.tool);
    await page.getByLabel('User name').fill('Test Teacher');
    await page.getByLabel('Role').selectOption('Instructor');
    await shot('test-launch');
    await page.getByRole('button', { name: 'Start test launch' }).click();
    await page.waitForURL(`${world.tool.url}/launch`);
    expect(JSON.parse(await page.locator('body').innerText())).toMatchObject({ ok: true });
    expect(world.tool.launches.at(-1)).toMatchObject({
      name: 'Test Teacher',
      iss: platform.issuer,
      'https://purl.imsglobal.org/spec/lti/claim/roles': ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
    });
  });

  it('launches for real through the IdP from the copied launch URL', async () => {
    const launchUrl = (await world.api(`/tools/${ids.tool}`)).body.launch_url;
    const user = await context.newPage();
    watch(user);
    await user.goto(launchUrl);
    await user.getByRole('button', { name: 'Sign in as Ada Lovelace' }).click();
    await user.waitForURL(`${world.tool.url}/launch`);
    expect(world.tool.launches.at(-1)).toMatchObject({ name: 'Ada Lovelace' });
    await user.close();
    // And one that fails, for the dashboard's list of failures: the known tool, with a course
    // context that is not a signed token (logged). A launch of an unknown tool names nothing
    // this launcher knows, so it is only counted in the metrics, not in the launch log.
    expect((await fetch(`${world.launcher.url}/p/springfield/launch/chat?context=not.a.jwt`)).status).toBe(400);
    expect((await fetch(`${world.launcher.url}/p/springfield/launch/no-such-tool`)).status).toBe(404);
  });

  it('shows the launches of the day on the dashboard and opens a launch-log detail page', async () => {
    await page.goto(`${world.launcher.url}/admin`);
    expect(await page.locator('#chart-desc').textContent()).toBe('Last 24 hours: 1 successful, 1 failed, 0 unfinished launches.');
    expect(await page.locator('svg.chart rect.success').count()).toBe(1);
    readmeImage(await shot('dashboard'), 'admin-1-dashboard');
    await page.getByRole('link', { name: 'Launch log' }).click();
    await page.getByLabel('Outcome').selectOption('success');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    // Newest first: the real launch, then the test launch (marked).
    expect(await page.locator('tbody tr').first().textContent()).not.toContain('test');
    expect(await page.locator('tbody tr').last().textContent()).toContain('test');
    await shot('launch-log');
    await page.locator('tbody tr').last().getByRole('link').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Launch');
    const steps = await page.locator('ol.steps li:not(.request)').allTextContents();
    expect(steps[0]).toContain('test_launch_requested');
    expect(steps.at(-1)).toContain('post_id_token');
    expect(steps.every((s) => s.includes('passed'))).toBe(true);
    // The steps are grouped by the request they ran in (a check that runs in each appears under each).
    expect(await page.locator('ol.steps li.request').first().textContent()).toContain('Request 1');
    await shot('launch-detail');
    await page.goto(`${world.launcher.url}/admin/launches?outcome=failure`);
    await page.locator('tbody tr').first().getByRole('link').click();
    // The one failure is the logged one: the unknown tool's request wrote nothing.
    await expect.poll(() => page.locator('h1').textContent()).toBe('Launch');
    const failedSteps = await page.locator('ol.steps').textContent();
    expect(failedSteps).toContain('context_malformed');
    expect(failedSteps).not.toContain('tool_unknown');
    await shot('launch-detail-failure');
  });

  it('rotates a key after confirmation', async () => {
    await page.goto(`${world.launcher.url}/admin/keys`);
    const current = await page.locator('tr', { hasText: 'current' }).locator('code').textContent();
    const next = await page.locator('tr', { hasText: 'published ahead' }).locator('code').textContent();
    await page.getByRole('link', { name: 'Rotate keys…' }).click();
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toMatch(/^Keys rotated/);
    expect(await page.locator('tr', { hasText: 'signs new tokens' }).locator('code').textContent()).toBe(next);
    expect(await page.locator('tr', { hasText: 'retired' }).locator('code').textContent()).toBe(current);
    await shot('keys');
  });

  it('shows a tool named with markup as text everywhere, and no script of it runs', async () => {
    await page.goto(`${world.launcher.url}/admin/platforms/${ids.platform}/tools/new`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(HOSTILE);
    await page.getByLabel('Description').fill(HOSTILE);
    await page.getByLabel('Client id').fill('hostile');
    await page.getByLabel('Login initiation URL').fill(`${world.tool.url}/login`);
    await page.getByLabel('Target link URI').fill(`${world.tool.url}/launch`);
    await page.getByLabel('Tool public key').fill(`${world.tool.url}/jwks`);
    await page.getByRole('button', { name: 'Create tool' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(HOSTILE);
    ids.hostileTool = new URL(page.url()).pathname.split('/').pop();
    const paths = [
      `/admin/tools/${ids.hostileTool}`, `/admin/tools/${ids.hostileTool}/edit`, `/admin/tools/${ids.hostileTool}/delete`,
      '/admin/tools', `/admin/platforms/${ids.platform}`, `/admin/test-launch?tool=${ids.hostileTool}`, '/admin/launches',
    ];
    for (const path of paths) {
      await page.goto(`${world.launcher.url}${path}`);
      const text = (await page.locator('main').innerText()) + (await page.locator('main select, main input, main textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value ?? '').join(' ')));
      expect(text, path).toContain(HOSTILE);
      expect(await page.locator('main img').count(), path).toBe(0);
    }
    await shot('tool-hostile-name');
    expect(dialogs).toEqual([]);
  });

  it('works with the keyboard and at phone width', async () => {
    await page.goto(`${world.launcher.url}/admin`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('content');
    const phone = await browser.newContext({ httpCredentials: CREDENTIALS, viewport: { width: 390, height: 844 }, isMobile: true });
    const small = await phone.newPage();
    watch(small);
    for (const [path, name] of [['/admin', 'dashboard-phone'], [`/admin/tools/${ids.tool}`, 'tool-phone'], [`/admin/platforms/${ids.platform}/edit`, 'platform-form-phone']] as const) {
      await small.goto(`${world.launcher.url}${path}`);
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await shot(name, small);
    }
    await phone.close();
  });

  it('registers an LMS and an app on the gateway, and shows the API key once', async () => {
    const gw = await context.newPage();
    watch(gw);
    await gw.goto(`${gateway.url}/admin/apps`);
    await gw.getByRole('link', { name: 'New app' }).click();
    await gw.getByLabel('Name').fill('Chatbot');
    await gw.getByLabel('Slug').fill('chatbot');
    await gw.getByLabel('App URL').fill('https://chat.example/app');
    await gw.getByRole('button', { name: 'Create app' }).click();
    await expect.poll(() => gw.locator('h1').textContent()).toBe('Chatbot created');
    const apiKey = await gw.locator('#api-key-v0').textContent();
    expect(apiKey!.length).toBeGreaterThan(20);
    await shot('gateway-app-key', gw);
    await gw.getByRole('link', { name: 'I have stored the key' }).click();
    expect(await gw.content()).not.toContain(apiKey!);

    await gw.getByRole('link', { name: 'LMS registrations' }).click();
    await gw.getByRole('link', { name: 'Register an LMS' }).click();
    await gw.getByLabel('Name').fill('Moodle (school)');
    await gw.getByLabel('Issuer').fill('not a url');
    await gw.getByLabel('Client id').fill('moodle-client-1');
    await gw.getByLabel('Deployment ids').fill('1');
    await gw.getByLabel('Authorization endpoint').fill('https://moodle.example/mod/lti/auth.php');
    await gw.getByLabel('LMS public key').fill('https://moodle.example/mod/lti/certs.php');
    await gw.getByRole('button', { name: 'Register LMS' }).click();
    await expect.poll(() => gw.locator('#f-issuer-error').textContent()).toMatch(/^Issuer must be an absolute URL/);
    expect(await gw.getByLabel('Client id').inputValue()).toBe('moodle-client-1');
    await shot('gateway-registration-errors', gw);
    await gw.getByRole('link', { name: /Issuer must be an absolute URL/ }).click();
    expect(await gw.evaluate(() => document.activeElement?.id)).toBe('f-issuer');
    await gw.getByLabel('Issuer').fill('https://moodle.example');
    await gw.getByRole('button', { name: 'Register LMS' }).click();
    await expect.poll(() => gw.locator('h1').textContent()).toBe('Moodle (school)');
    expect(await gw.locator('#moodle-values').innerText()).toContain(`${gateway.url}/lti/launch/chatbot`);
    expect(await gw.locator('#canvas-values').innerText()).toContain('OpenID Connect Initiation Url');
    await shot('gateway-registration', gw);
    for (const [path, name] of [['/admin', 'gateway-dashboard'], ['/admin/keys', 'gateway-keys'], ['/admin/launches', 'gateway-launch-log']] as const) {
      await gw.goto(`${gateway.url}${path}`);
      await shot(name, gw);
    }
    await gw.close();
  });

  it('ran every page without a CSP violation or a dialog', () => {
    expect(cspViolations).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
