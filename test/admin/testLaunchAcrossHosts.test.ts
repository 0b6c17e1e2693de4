/**
 * The console's test launch with subdomain tenancy, over real HTTP: the console on the
 * launcher's own host (`launcher.localhost`) hands the launch to the platform's host
 * (`demo.launcher.localhost`) with a sealed, single-use, two-minute start token bound to the
 * browser that asked (a SameSite=Strict cookie for the DOMAIN) — one click, no second sign-in —
 * and every way of misusing a token is refused with its own code.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveLocalhostNames } from '../../demo/localhostDns.ts';
import { startIdp, type RunningIdp } from '../../demo/idp/idp.ts';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { TEST_LAUNCH_START_TTL_MS } from '../../src/platform/testLaunchStart.ts';
import { FakeTool } from '../platform/harness.ts';
import { AdminApi, ConsoleClient } from '../support/adminClient.ts';
import { readForm } from '../support/htmlForm.ts';
import { startRole, type RunningRole } from '../support/servers.ts';
import { connectTool } from './support/launcherConsole.ts';

describe('test launch from the console on another host than the platform (subdomain tenancy)', () => {
  let idp: RunningIdp;
  let launcher: RunningRole;
  let tool: FakeTool;
  let platform: any;
  let toolId: string;
  let consoleUrl: string;
  let platformUrl: string;

  const api = (path: string, body?: unknown) => new AdminApi(launcher.url).call(body !== undefined ? 'POST' : 'GET', path, body);

  beforeAll(async () => {
    resolveLocalhostNames();
    idp = await startIdp();
    launcher = await startRole('platform', platformRoutes, { config: { domain: 'launcher.localhost', publicUrl: 'http://launcher.localhost' } });
    const port = new URL(launcher.url).port;
    // The port is known only once listening; routes read the public URL per request.
    launcher.services.config.publicUrl = consoleUrl = `http://launcher.localhost:${port}`;
    platformUrl = `http://demo.launcher.localhost:${port}`;
    tool = new FakeTool();
    await tool.start();
    const created = await api('/platforms', { name: 'Springfield School', slug: 'demo', openid_configuration_url: idp.discoveryUrl, client_id: 'launcher-client' });
    expect(created.status).toBe(201);
    platform = created.body;
    expect(platform.base_url).toBe(platformUrl);
    const chat = await api(`/platforms/${platform.id}/tools`, {
      name: 'Course Chat', client_id: 'chat', open_id_connect_initiation_url: `${tool.url}/login`, target_link_uri: `${tool.url}/launch`, public_key_url: `${tool.url}/jwks`,
    });
    expect(chat.status).toBe(201);
    toolId = chat.body.id;
    connectTool(tool, platform, 'chat');
  });
  afterAll(async () => {
    await tool?.close();
    await launcher?.close();
    await idp?.close();
  });

  /** The console's test-launch form, filled in and posted like a browser on the console's page does. */
  async function askForTestLaunch(browser: ConsoleClient, origin = consoleUrl) {
    const form = await browser.get(`${origin}/admin/test-launch?tool=${toolId}`);
    expect(form.status).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1];
    return browser.post(`${origin}/admin/test-launch`, { _csrf: token, tool: toolId, name: 'Test Teacher', email: '', role: 'Instructor' }, {
      origin, 'sec-fetch-site': 'same-origin',
    });
  }

  /** What the browser does with the console's answer: posts the start token to the platform's host. */
  const redeem = (browser: ConsoleClient, start: string, headers: Record<string, string> = { origin: 'null', 'sec-fetch-site': 'same-site' }, url = `${platformUrl}/test-launch/start`) =>
    browser.post(url, { start }, headers);

  it('hands the launch to the platform host in one form post, without a second sign-in, and the tool verifies our id_token', async () => {
    const browser = new ConsoleClient(consoleUrl);
    const asked = await askForTestLaunch(browser);
    expect(asked.status, asked.html.slice(0, 400)).toBe(200);
    const handOver = readForm(asked.html);
    expect(handOver.action).toBe(`${platformUrl}/test-launch/start`);
    expect(Object.keys(handOver.fields)).toEqual(['start']);
    expect(asked.html).not.toContain('Test Teacher'); // the token is sealed
    const startCookie = asked.response.headers.getSetCookie().find((c) => c.startsWith('lti_launcher_test_start_'))!;
    expect(startCookie).toMatch(/Domain=launcher\.localhost/);
    expect(startCookie).toMatch(/Path=\/test-launch\/start/);
    expect(startCookie).toMatch(/HttpOnly/);
    expect(startCookie).toMatch(/SameSite=Strict/);
    expect(startCookie).toMatch(new RegExp(`Max-Age=${TEST_LAUNCH_START_TTL_MS / 1000}`));

    // The platform host: no Basic credentials (a ConsoleClient sends them to its console's host only).
    const started = await redeem(browser, handOver.fields.start);
    expect(started.status, started.html.slice(0, 400)).toBe(200);
    const initiation = readForm(started.html);
    expect(initiation.action).toBe(`${tool.url}/login`);
    expect(initiation.fields).toMatchObject({ iss: platform.issuer, client_id: 'chat' });
    expect(started.response.headers.getSetCookie().some((c) => /^lti_launcher_test_start_[^=]+=;/.test(c))).toBe(true);
    expect(browser.jar.get(platformUrl, 'lti_launcher_browser')).toBeDefined();

    // The tool's login → the platform's /auth in the same browser → the id_token the tool verifies.
    const toAuth = await fetch(initiation.action, { method: 'POST', body: new URLSearchParams(initiation.fields), redirect: 'manual' });
    const authUrl = toAuth.headers.get('location')!;
    expect(new URL(authUrl).origin).toBe(platformUrl);
    const auth = await browser.get(authUrl);
    expect(auth.status, auth.html.slice(0, 400)).toBe(200);
    const post = readForm(auth.html);
    expect((await fetch(post.action, { method: 'POST', body: new URLSearchParams(post.fields) })).status).toBe(200);
    expect(tool.launches.at(-1)).toMatchObject({ name: 'Test Teacher', iss: platform.issuer });

    const entry = await launcher.services.launchLog.get(initiation.fields.lti_message_hint);
    expect(entry).toMatchObject({ test: true, outcome: 'success', toolId });
    expect(entry!.steps.map((s) => s.step)).toEqual(expect.arrayContaining(['redirect_to_platform_host', 'check_test_launch_start', 'redirect_to_tool_login']));
  });

  it('starts nothing for another browser, a replay, another site, a late start or a changed token', async () => {
    const browser = new ConsoleClient(consoleUrl);
    const { fields: { start } } = readForm((await askForTestLaunch(browser)).html);

    // Someone else's browser (a link or a page that posts the token): no start cookie, no launch.
    const other = await redeem(new ConsoleClient(consoleUrl), start);
    expect(other.status).toBe(403);
    expect(other.html).toContain('test_launch_start_wrong_browser');
    const crossSite = await redeem(browser, start, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.html).toContain('test_launch_start_cross_site');
    const tampered = await redeem(browser, `${start.slice(0, -4)}AAAA`);
    expect(tampered.status).toBe(400);
    expect(tampered.html).toContain('test_launch_start_invalid');
    // None of those used the token up: the browser that asked still starts it, once.
    expect((await redeem(browser, start)).status).toBe(200);
    const replay = await redeem(browser, start);
    expect(replay.status).toBe(403);
    expect(replay.html).toContain('test_launch_start_used');

    const late = new ConsoleClient(consoleUrl);
    const lateStart = readForm((await askForTestLaunch(late)).html).fields.start;
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + TEST_LAUNCH_START_TTL_MS + 1000);
    try {
      const expired = await redeem(late, lateStart);
      expect(expired.status).toBe(401);
      expect(expired.html).toContain('test_launch_start_expired');
    } finally {
      clock.mockRestore();
    }
  });

  it('ends with a redirect to the tool for a tool that takes login initiation by GET', async () => {
    const patched = await new AdminApi(launcher.url).fetch(`/tools/${toolId}`, { method: 'PATCH', body: { login_initiation_method: 'get' } });
    expect(patched.status).toBe(200);
    try {
      const browser = new ConsoleClient(consoleUrl);
      const { fields: { start } } = readForm((await askForTestLaunch(browser)).html);
      const started = await redeem(browser, start);
      expect(started.status).toBe(303);
      const login = new URL(started.response.headers.get('location')!);
      expect(`${login.origin}${login.pathname}`).toBe(`${tool.url}/login`);
      expect(login.searchParams.get('iss')).toBe(platform.issuer);
    } finally {
      await new AdminApi(launcher.url).fetch(`/tools/${toolId}`, { method: 'PATCH', body: { login_initiation_method: 'post' } });
    }
  });

  it('refuses a token on the host of another platform', async () => {
    const created = await api('/platforms', { name: 'Shelbyville', slug: 'other', openid_configuration_url: idp.discoveryUrl, client_id: 'launcher-client' });
    expect(created.status).toBe(201);
    const browser = new ConsoleClient(consoleUrl);
    const { fields: { start } } = readForm((await askForTestLaunch(browser)).html);
    const wrong = await redeem(browser, start, undefined, `${created.body.base_url}/test-launch/start`);
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('test_launch_start_wrong_platform');
  });

  it('starts at once when the console is open on the platform host itself', async () => {
    const browser = new ConsoleClient(platformUrl);
    const asked = await askForTestLaunch(browser, platformUrl);
    expect(asked.status).toBe(200);
    expect(readForm(asked.html).action).toBe(`${tool.url}/login`);
  });

  it('says once, with a link, where to go when the console is open on a host outside DOMAIN', async () => {
    const direct = launcher.url; // http://127.0.0.1:<port>: no cookie of this host reaches demo.launcher.localhost
    const browser = new ConsoleClient(direct);
    const asked = await askForTestLaunch(browser, direct);
    expect(asked.status).toBe(422);
    const there = `${platformUrl}/admin/test-launch?tool=${toolId}`;
    expect(asked.html).toContain(`<a href="${there}">${there}</a>`);
    expect(asked.html.split('test_launch_other_host')).toHaveLength(2);
    expect(asked.html.split('role="alert"')).toHaveLength(2);
    expect(asked.html).not.toContain('id="f-tool-error"');
  });

  it('keeps the console’s CSRF check on the form that asks for the launch', async () => {
    const browser = new ConsoleClient(consoleUrl);
    await browser.get(`${consoleUrl}/admin/test-launch`);
    const refused = await browser.post(`${consoleUrl}/admin/test-launch`, { tool: toolId, name: 'Test Teacher', email: '', role: 'Instructor' }, {
      origin: consoleUrl, 'sec-fetch-site': 'same-origin',
    });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('csrf_token_missing');
    expect(refused.response.headers.getSetCookie().some((c) => c.startsWith('lti_launcher_test_start_'))).toBe(false);
  });
});
