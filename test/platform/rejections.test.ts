import { SignJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { DIALECTS } from '../support/db.ts';
import { expectRefused } from '../support/refused.ts';
import { finishLaunch, openToolLogin, runLaunch, useLauncherWorld, type LauncherWorld } from './harness.ts';

describe.each(DIALECTS)('launcher rejections on %s', (dialect) => {
  let world!: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));

  /**
   * The person sees a page with the code and the request id; the launch log has the code — unless
   * the request named no known platform and tool: anyone can send those, so they are only counted.
   */
  async function expectRejected(response: Response, status: number, code: string, options: { logged?: boolean } = {}) {
    await expectRefused(response, status, code, { requestId: true });
    const log = ((await (await world.admin(`/launches?failure_code=${code}`)).json()) as { launches: any[] }).launches;
    if (options.logged === false) {
      expect(log, `no launch log entry for ${code}`).toHaveLength(0);
      const metrics = await (await fetch(`${world.launcher.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`lti_refused_requests_total\\{role="platform",code="${code}"\\} [1-9]`));
      return;
    }
    expect(log.length, `launch log entry for ${code}`).toBeGreaterThan(0);
    expect(log[0]).toMatchObject({ outcome: 'failure', failure_code: code });
  }

  const launchUrl = (context?: string, clientId?: string) => {
    const u = new URL(clientId ? `${world.platform.base_url}/launch/${clientId}` : world.toolRecord.launch_url);
    if (context) u.searchParams.set('context', context);
    return u.href;
  };

  describe('GET /launch', () => {
    it('404 platform_unknown', async () => {
      await expectRejected(await new Browser().request(`${world.launcher.url}/p/nowhere/launch/x`), 404, 'platform_unknown', { logged: false });
    });
    it('404 tool_unknown', async () => {
      await expectRejected(await new Browser().request(launchUrl(undefined, 'no-such-tool')), 404, 'tool_unknown', { logged: false });
    });
    it('400 context_malformed', async () => {
      await expectRejected(await new Browser().request(launchUrl('not.a.jwt')), 400, 'context_malformed');
    });
    it('401 context_signature_invalid (signed by another key with the same kid)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await world.portal.context({ [CLAIM.context]: { id: 'c' } }, { key: privateKey });
      await expectRejected(await new Browser().request(launchUrl(token)), 401, 'context_signature_invalid');
    });
    it('401 context_key_unknown', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await world.portal.context({ [CLAIM.context]: { id: 'c' } }, { key: privateKey, kid: 'someone-else' });
      await expectRejected(await new Browser().request(launchUrl(token)), 401, 'context_key_unknown');
    });
    it('400 context_alg_forbidden (HMAC)', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } }).setProtectedHeader({ alg: 'HS256', kid: 'portal-1' }).setExpirationTime('5m').sign(new Uint8Array(32));
      await expectRejected(await new Browser().request(launchUrl(token)), 400, 'context_alg_forbidden');
    });
    it('400 context_alg_forbidden (none)', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ [CLAIM.context]: { id: 'c' }, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
      const res = await new Browser().request(launchUrl(`${header}.${body}.`));
      expect([400, 401]).toContain(res.status);
      expect(await res.clone().text()).toMatch(/context_(alg_forbidden|malformed)/);
    });
    it('401 context_expired', async () => {
      const token = await world.portal.context({ [CLAIM.context]: { id: 'c' } }, { exp: Math.floor(Date.now() / 1000) - 120 });
      await expectRejected(await new Browser().request(launchUrl(token)), 401, 'context_expired');
    });
    it('401 context_not_yet_valid', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } })
        .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).setAudience(world.platform.issuer).setNotBefore('1h').setExpirationTime('2h').sign(world.portal.privateKey);
      await expectRejected(await new Browser().request(launchUrl(token)), 401, 'context_not_yet_valid');
    });
    it('401 context_audience_invalid', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } })
        .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).setAudience('https://other-launcher.example').setExpirationTime('5m').sign(world.portal.privateKey);
      await expectRejected(await new Browser().request(launchUrl(token)), 401, 'context_audience_invalid');
    });
    // sub is no longer refused: it names the user the link is for (test/attacks/contextJwt.test.ts).
    it.each(['iss_override', 'email', CLAIM.deploymentId, 'nonce'])('400 context_claim_forbidden for %s', async (claim) => {
      if (claim === 'iss_override') return; // iss/aud are the envelope of the context JWT itself, never copied
      const token = await world.portal.context({ [claim]: 'attacker' });
      await expectRejected(await new Browser().request(launchUrl(token)), 400, 'context_claim_forbidden');
    });
    it('the context JWT cannot set iss or aud of the launch', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c-iss' } })
        .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).setIssuer('https://evil.example').setAudience(world.platform.issuer)
        .setExpirationTime('5m').sign(world.portal.privateKey);
      const started = await runLaunch(world, { context: token });
      const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse!.status).toBe(200);
      expect(world.tool.launches.at(-1)).toMatchObject({ iss: world.platform.issuer, aud: world.tool.clientId });
    });
    it('400 context_claim_invalid', async () => {
      const token = await world.portal.context({ [CLAIM.roles]: 'Instructor' });
      await expectRejected(await new Browser().request(launchUrl(token)), 400, 'context_claim_invalid');
    });
  });

  describe('GET /callback', () => {
    async function toCallback(user = 'ada') {
      const browser = new Browser();
      const first = await browser.request(launchUrl());
      const callbackUrl = await loginThroughIdp(first.headers.get('location')!, user, new CookieJar());
      return { browser, callbackUrl };
    }

    it('400 state_missing', async () => {
      await expectRejected(await new Browser().request(`${world.platform.base_url}/callback?code=x`), 400, 'state_missing', { logged: false });
    });
    it('400 state_unknown', async () => {
      await expectRejected(await new Browser().request(`${world.platform.base_url}/callback?code=x&state=forged`), 400, 'state_unknown', { logged: false });
    });
    it('403 state_used (the callback replayed)', async () => {
      const { browser, callbackUrl } = await toCallback();
      expect((await browser.request(callbackUrl.href)).status).toBe(200); // the tool login form
      await expectRejected(await browser.request(callbackUrl.href), 403, 'state_used');
    });
    it('401 state_expired', async () => {
      const { browser, callbackUrl } = await toCallback();
      await world.launcher.services.db.updateTable('pending_launches').set({ expires_at: Date.now() - 1 }).where('used_at', 'is', null).execute();
      await expectRejected(await browser.request(callbackUrl.href), 401, 'state_expired');
    });
    it('403 callback_wrong_browser (login CSRF / a link opened elsewhere)', async () => {
      const { callbackUrl } = await toCallback();
      await expectRejected(await new Browser().request(callbackUrl.href), 403, 'callback_wrong_browser');
    });
    it('finds the launch by the request id on a later request\'s error page', async () => {
      const { browser, callbackUrl } = await toCallback();
      const denied = new URL(callbackUrl);
      denied.searchParams.delete('code');
      denied.searchParams.set('error', 'access_denied');
      const res = await browser.request(denied.href);
      const requestId = res.headers.get('x-request-id')!;
      const { launches } = (await (await world.admin(`/launches?request_id=${requestId}`)).json()) as { launches: any[] };
      expect(launches).toHaveLength(1);
      expect(launches[0].request_id).not.toBe(requestId); // the entry was made by the /launch request
      expect(launches[0].steps.at(-1)).toMatchObject({ step: 'read_idp_answer', outcome: 'failed', code: 'idp_denied', request_id: requestId });
    });
    it('401 idp_denied', async () => {
      const { browser, callbackUrl } = await toCallback();
      const denied = new URL(callbackUrl);
      denied.searchParams.delete('code');
      denied.searchParams.set('error', 'access_denied');
      await expectRejected(await browser.request(denied.href), 401, 'idp_denied');
    });
    it('401 idp_code_rejected (a forged code)', async () => {
      const { browser, callbackUrl } = await toCallback();
      const forged = new URL(callbackUrl);
      forged.searchParams.set('code', 'forged-code');
      await expectRejected(await browser.request(forged.href), 401, 'idp_code_rejected');
    });
    it('401 idp_token_invalid (id_token not signed by the IdP\'s published keys)', async () => {
      const db = world.launcher.services.db;
      const row = await db.selectFrom('platforms').select('idp_metadata').where('id', '=', world.platform.id).executeTakeFirstOrThrow();
      const meta = JSON.parse(row.idp_metadata);
      await db.updateTable('platforms').set({ idp_metadata: JSON.stringify({ ...meta, jwks_uri: `${world.tool.url}/jwks` }) }).where('id', '=', world.platform.id).execute();
      world.launcher.services.cache.invalidate();
      try {
        const { browser, callbackUrl } = await toCallback();
        await expectRejected(await browser.request(callbackUrl.href), 401, 'idp_token_invalid');
      } finally {
        await db.updateTable('platforms').set({ idp_metadata: row.idp_metadata }).where('id', '=', world.platform.id).execute();
        world.launcher.services.cache.invalidate();
      }
    });
    it('502 idp_unavailable', async () => {
      const db = world.launcher.services.db;
      const row = await db.selectFrom('platforms').select('idp_metadata').where('id', '=', world.platform.id).executeTakeFirstOrThrow();
      const meta = JSON.parse(row.idp_metadata);
      const { browser, callbackUrl } = await toCallback();
      // The token endpoint goes away between the login and the code exchange.
      await db.updateTable('platforms').set({ idp_metadata: JSON.stringify({ ...meta, token_endpoint: 'http://127.0.0.1:9/token' }) }).where('id', '=', world.platform.id).execute();
      world.launcher.services.cache.invalidate();
      try {
        await expectRejected(await browser.request(callbackUrl.href), 502, 'idp_unavailable');
      } finally {
        await db.updateTable('platforms').set({ idp_metadata: row.idp_metadata }).where('id', '=', world.platform.id).execute();
        world.launcher.services.cache.invalidate();
      }
    });
  });

  describe('GET and POST /auth', () => {
    /** A launch up to the tool's redirect to /auth, with the tool's parameters overridden. */
    async function authRequest(overrides: Record<string, string | null> = {}) {
      const started = await runLaunch(world, {});
      world.tool.authOverrides = overrides;
      try {
        const res = await openToolLogin(started.toolLogin!);
        return { browser: started.browser, authUrl: new URL(res.headers.get('location')!) };
      } finally {
        world.tool.authOverrides = {};
      }
    }

    it.each([
      ['auth_scope_invalid', { scope: 'profile' }, 400],
      ['auth_response_type_invalid', { response_type: 'code' }, 400],
      ['auth_response_mode_invalid', { response_mode: 'query' }, 400],
      ['auth_prompt_invalid', { prompt: 'login' }, 400],
      ['auth_client_unknown', { client_id: 'someone-else' }, 404],
      ['auth_redirect_uri_invalid', { redirect_uri: 'https://evil.example/launch' }, 400],
      ['login_hint_invalid', { login_hint: 'forged' }, 400],
      ['message_hint_mismatch', { lti_message_hint: 'another-launch' }, 400],
      ['nonce_missing', { nonce: null }, 400],
    ] as const)('%s', async (code, overrides, status) => {
      const { browser, authUrl } = await authRequest(overrides as Record<string, string | null>);
      // An unknown client names no tool of this platform: counted, not written.
      await expectRejected(await browser.request(authUrl.href), status, code, { logged: code !== 'auth_client_unknown' });
    });

    it('401 login_hint_expired', async () => {
      const { browser, authUrl } = await authRequest();
      await world.launcher.services.db.updateTable('login_hints').set({ expires_at: Date.now() - 1 }).where('used_at', 'is', null).execute();
      await expectRejected(await browser.request(authUrl.href), 401, 'login_hint_expired');
    });
    it('403 login_hint_used (a second /auth with the same hint)', async () => {
      const { browser, authUrl } = await authRequest();
      expect((await browser.request(authUrl.href)).status).toBe(200);
      const again = new URL(authUrl);
      again.searchParams.set('nonce', crypto.randomUUID());
      await expectRejected(await browser.request(again.href), 403, 'login_hint_used');
    });
    it('403 login_hint_wrong_browser (the hint stolen into another browser)', async () => {
      const { authUrl } = await authRequest();
      await expectRejected(await new Browser().request(authUrl.href), 403, 'login_hint_wrong_browser');
    });
    it('403 nonce_replayed (a nonce of an earlier launch)', async () => {
      const first = await authRequest();
      expect((await first.browser.request(first.authUrl.href)).status).toBe(200);
      const second = await authRequest({ nonce: first.authUrl.searchParams.get('nonce') });
      await expectRejected(await second.browser.request(second.authUrl.href), 403, 'nonce_replayed');
    });
    it('answers a cross-site POST (only the SameSite=None cookie is sent)', async () => {
      const { browser, authUrl } = await authRequest();
      const fields = Object.fromEntries(authUrl.searchParams);
      const res = await browser.post(`${authUrl.origin}${authUrl.pathname}`, fields, {}, { site: 'cross-site' });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.text()).toContain('name="id_token"');
    });
    it('answers a GET when only the SameSite=Lax cookie survived', async () => {
      const { browser, authUrl } = await authRequest();
      browser.jar.drop('lti_launcher_browser');
      expect((await browser.request(authUrl.href)).status).toBe(200);
    });
    it('JSON for API clients', async () => {
      const { browser, authUrl } = await authRequest({ prompt: 'consent' });
      const res = await browser.request(authUrl.href, { headers: { accept: 'application/json' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'auth_prompt_invalid', request_id: expect.any(String) });
    });
  });
});
