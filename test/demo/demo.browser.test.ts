import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as netServer } from 'node:net';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../demo/demo.ts';
import { tempDir } from '../support/db.ts';
import { HAS_CHROMIUM, launchChromium, noteSkippedBrowserTests, screenshot, readmeImage } from '../support/chromium.ts';

noteSkippedBrowserTests();


async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A tool that sends the browser to /auth with a cross-site form POST (not a redirect). */
async function startPostTool(port: number, platform: { issuer: string; base_url: string; jwks_url: string }) {
  const url = `http://posttool.localhost:${port}`;
  const launches: JWTPayload[] = [];
  /** How each login initiation arrived (the launcher sends a form POST unless the tool asks for GET). */
  const loginMethods: string[] = [];
  const nonces = new Map<string, string>();
  const jwks = createRemoteJWKSet(new URL(platform.jwks_url));
  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url!, url);
    if (u.pathname === '/login') {
      // Login initiation by GET (query) or form POST (body), as LTI Core §4.1 allows.
      let params = u.searchParams;
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        params = new URLSearchParams(body);
      }
      loginMethods.push(req.method!);
      const state = crypto.randomUUID();
      const nonce = crypto.randomUUID();
      nonces.set(state, nonce);
      const fields: Record<string, string> = {
        scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: 'post-tool',
        redirect_uri: `${url}/launch`, login_hint: params.get('login_hint')!, lti_message_hint: params.get('lti_message_hint')!,
        state, nonce,
      };
      const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<!doctype html><form method="post" action="${platform.base_url}/auth">${inputs}</form><script>document.forms[0].submit()</script>`,
      );
      return;
    }
    if (u.pathname === '/launch' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      try {
        const { payload } = await jwtVerify(form.get('id_token')!, jwks, { issuer: platform.issuer, audience: 'post-tool' });
        if (payload.nonce !== nonces.get(form.get('state')!)) throw new Error('nonce mismatch');
        launches.push(payload);
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>POST tool launched for ${String(payload.name)}</h1>`);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`launch refused: ${(err as Error).message}`);
      }
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url, launches, loginMethods, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.skipIf(!HAS_CHROMIUM)('the demo in a real browser, across *.localhost sites', { timeout: 90_000 }, () => {
  let demo: RunningDemo;
  let browser: Browser;
  let postTool: Awaited<ReturnType<typeof startPostTool>>;

  beforeAll(async () => {
    const ports = { idp: await freePort(), portal: await freePort(), launcher: await freePort(), gateway: await freePort(), chat: await freePort() };
    demo = await startDemo({ dataDir: tempDir(), ports, logLevel: 'silent' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await postTool?.close();
    await browser?.close();
    await demo?.close();
  });

  /** Portal → "Course Chat" → IdP login as `userName` → the chatbot. */
  async function launchFromPortal(context: BrowserContext, userName: string, group: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(demo.urls.portal);
    await page.locator('h1').waitFor();
    const portalShot = await screenshot(page, group, '1-portal');
    if (group === 'demo-learner') readmeImage(portalShot, 'demo-1-portal');
    await page.getByRole('link', { name: 'Course Chat' }).click();
    await page.waitForURL((u) => u.hostname === 'idp.localhost' || u.hostname === 'chat.localhost');
    if (new URL(page.url()).hostname === 'idp.localhost') {
      const idpShot = await screenshot(page, group, '2-idp-login');
      if (group === 'demo-learner') readmeImage(idpShot, 'demo-2-idp-login');
      await page.getByRole('button', { name: new RegExp(userName) }).click();
    }
    await page.waitForURL((u) => u.hostname === 'chat.localhost', { timeout: 20_000 });
    await page.getByText('Course assistant').waitFor();
    const chatShot = await screenshot(page, group, '3-chatbot');
    if (group === 'demo-learner') readmeImage(chatShot, 'demo-3-chatbot-learner');
    return page;
  }

  it('the learner launches the chatbot, chats, and is refused the instructor settings', async () => {
    const context = await browser.newContext();
    const page = await launchFromPortal(context, 'Alan Turing', 'demo-learner');
    const who = await page.locator('.who').innerText();
    expect(who).toContain('Alan Turing');
    expect(who).toContain('Learner');
    expect(who).toContain('Finding the Answer');
    await page.getByLabel('Your message').fill('hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.turn.assistant').filter({ hasText: /Hello Alan/ }).waitFor();
    await screenshot(page, 'demo-learner', '4-chat-answer');
    expect(await page.getByRole('button', { name: 'Save instructions' }).count()).toBe(0);
    // The chatbot's own API, with the learner's session cookie: refused on the server.
    const cookie = (await context.cookies(demo.urls.chat)).map((c) => `${c.name}=${c.value}`).join('; ');
    const refused = await fetch(`${demo.urls.chat}/api/instructions`, {
      method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ instructions: 'hacked' }),
    });
    expect(refused.status).toBe(403);
    expect((await fetch(`${demo.urls.chat}/api/me`, { headers: { cookie } })).status).toBe(200);
    await context.close();
  });

  it('the instructor changes the course instructions and the assistant uses them; a second launch works', async () => {
    const context = await browser.newContext();
    const page = await launchFromPortal(context, 'Ada Lovelace', 'demo-instructor');
    expect(await page.locator('.who').innerText()).toContain('Instructor');
    await page.getByLabel(/Assistant instructions/).fill('Always answer with 42.');
    await page.getByRole('button', { name: 'Save instructions' }).click();
    await page.getByLabel('Your message').fill('What are your instructions?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Always answer with 42.', { exact: false }).first().waitFor();
    readmeImage(await screenshot(page, 'demo-instructor', '4-instructions-used'), 'demo-4-instructor');
    // A second launch in the same browser: the IdP session signs in without a form.
    const again = await launchFromPortal(context, 'Ada Lovelace', 'demo-second-launch');
    expect(await again.locator('.who').innerText()).toContain('Ada Lovelace');
    await context.close();
  });

  it('a tampered context JWT gives a clear error page, not a crash', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.urls.portal);
    const href = (await page.getByRole('link', { name: 'Course Chat' }).getAttribute('href'))!;
    const url = new URL(href);
    const [h, p, s] = url.searchParams.get('context')!.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    claims['https://purl.imsglobal.org/spec/lti/claim/context'].title = 'Tampered';
    url.searchParams.set('context', `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`);
    const response = await page.goto(url.href);
    expect(response!.status()).toBe(401);
    await page.getByText('context_signature_invalid').waitFor();
    expect(await page.textContent('body')).toContain('Request id');
    readmeImage(await screenshot(page, 'demo-errors', 'tampered-context'), 'demo-5-error-page');
    await context.close();
  });

  it('a tool that reaches /auth by a cross-site POST still launches', async () => {
    const port = await freePort();
    const auth = `Basic ${Buffer.from(`admin:${demo.adminPassword}`).toString('base64')}`;
    const { platforms } = (await (await fetch(`${demo.urls.launcher}/admin/api/v1/platforms`, { headers: { authorization: auth } })).json()) as any;
    const platform = platforms[0];
    postTool = await startPostTool(port, platform);
    const { publicKey } = await generateKeyPair('RS256');
    const created = await fetch(`${demo.urls.launcher}/admin/api/v1/platforms/${platform.id}/tools`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'POST Tool', client_id: 'post-tool', open_id_connect_initiation_url: `${postTool.url}/login`,
        target_link_uri: `${postTool.url}/launch`, public_jwk: await exportJWK(publicKey),
      }),
    });
    expect(created.status).toBe(201);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.urls.portal);
    await page.getByRole('link', { name: 'POST Tool' }).click();
    await page.waitForURL((u) => u.hostname === 'idp.localhost');
    await page.getByRole('button', { name: /Grace Hopper/ }).click();
    await page.getByText('POST tool launched for Grace Hopper').waitFor({ timeout: 20_000 });
    await screenshot(page, 'demo-errors', 'cross-site-post-tool');
    expect(postTool.launches).toHaveLength(1);
    expect(postTool.loginMethods).toEqual(['POST']);
    await context.close();
  });
});
