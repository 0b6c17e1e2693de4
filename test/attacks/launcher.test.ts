/**
 * Attacks on the launcher (platform role): /launch, /callback, /auth and the admin API. The
 * rejections every honest misstep gets are in test/platform/rejections.test.ts; this file is what
 * an attacker tries. docs/security.md lists each case with the test that proves it.
 *
 * Every outbound request of this file is checked: anything but a loopback address is refused
 * (and recorded), so an SSRF-policy regression can never send traffic off this machine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { finishLaunch, runLaunch, toolLoginOf } from '../platform/harness.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';
import { basicAuth, type RunningRole } from '../support/servers.ts';
import { RogueIdp, type Forgery } from './rogueIdp.ts';
import { CLIENT_ID, CLIENT_SECRET, adminClient, startLauncher, startWorld, type World } from './world.ts';
import { errorPage, expectRefused } from '../support/refused.ts';

// ---- outbound traffic guard ---------------------------------------------------------------------

const realFetch = globalThis.fetch;
const offMachine: string[] = [];
let loopbackName = 'localhost';
const LOOPBACK_HOST = /^(127(?:\.\d+){3}|\[::1\]|localhost)$/;

beforeAll(async () => {
  // A DNS name (not "localhost") that resolves to loopback on this machine, for the SSRF cases.
  for (const name of [hostname(), 'vm', 'runsc', 'ip6-localhost', 'localhost.localdomain']) {
    const found = await lookup(name, { all: true }).catch(() => []);
    if (name !== 'localhost' && found.length > 0 && found.every((a) => a.address.startsWith('127.') || a.address === '::1')) {
      loopbackName = name;
      break;
    }
  }
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!LOOPBACK_HOST.test(url.hostname) && url.hostname !== loopbackName) {
      offMachine.push(url.href);
      throw new TypeError(`test guard: refused to fetch ${url.href} (not loopback)`);
    }
    return realFetch(input, init);
  }) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
  expect(offMachine, 'requests the launcher tried to send off this machine').toEqual([]);
});

// ---- helpers --------------------------------------------------------------------------------------

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** An unsigned JWT with any header (the shape of `alg: none` forgeries). */
const unsigned = (header: Record<string, unknown>, payload: Record<string, unknown>, signature = '') => `${b64(header)}.${b64(payload)}.${signature}`;

function withContext(launchUrl: string, context: string): string {
  const url = new URL(launchUrl);
  url.searchParams.set('context', context);
  return url.href;
}

/** Builds the /auth request a tool would send, from the launcher's redirect to the tool's login. */
function authUrlFor(toolLogin: URL, authEndpoint: string, overrides: Record<string, string | null> = {}): URL {
  const p = toolLogin.searchParams;
  const params: Record<string, string | null> = {
    scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
    client_id: p.get('client_id'), redirect_uri: p.get('target_link_uri'), login_hint: p.get('login_hint'),
    lti_message_hint: p.get('lti_message_hint'), state: randomUUID(), nonce: randomUUID(), ...overrides,
  };
  const url = new URL(authEndpoint);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url;
}

/** A launch up to the /auth request (not sent), in its own browser. */
async function toAuth(world: World, overrides: Record<string, string | null> = {}) {
  const started = await runLaunch(world, {});
  expect(started.stage, await started.response.clone().text()).toBe('tool_login');
  return { browser: started.browser, toolLogin: started.toolLogin!, authUrl: authUrlFor(started.toolLogin!, `${world.platform.base_url}/auth`, overrides) };
}

// ---- the main world -------------------------------------------------------------------------------

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('forged context JWTs (GET /launch)', () => {
  const launch = async (token: string) => errorPage(await new Browser().request(withContext(world.toolRecord.launch_url, token)));
  const claims = () => ({ [CLAIM.context]: { id: 'c-1' }, aud: world.platform.issuer, exp: now() + 300 });

  it.each(['None', 'NONE', 'nOnE'])('alg "%s" (rejections.test.ts covers "none")', async (alg) => {
    expectRefused(await launch(unsigned({ alg, kid: 'portal-1' }, claims())), [400, 401], ['context_alg_forbidden', 'context_malformed']);
  });

  it('alg none with a signature part that is not empty', async () => {
    expectRefused(await launch(unsigned({ alg: 'none', kid: 'portal-1' }, claims(), 'AAAA')), [400, 401], ['context_alg_forbidden', 'context_malformed']);
  });

  it('RS256 header with the signature stripped', async () => {
    const token = await world.portal.context({ [CLAIM.context]: { id: 'c' } });
    const [h, p] = token.split('.');
    expectRefused(await launch(`${h}.${p}.`), [400, 401], ['context_signature_invalid', 'context_malformed']);
  });

  it('HS256/384/512 signed with the platform\'s public key (PEM, JWK JSON, modulus) as the HMAC secret', async () => {
    const { importJWK } = await import('jose');
    const publicKey = (await importJWK(world.portal.publicJwk, 'RS256')) as CryptoKey;
    const secrets = [
      new TextEncoder().encode(await exportSPKI(publicKey)),
      new TextEncoder().encode(JSON.stringify(world.portal.publicJwk)),
      Buffer.from(String(world.portal.publicJwk.n), 'base64url'),
    ];
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      for (const secret of secrets) {
        const token = await new SignJWT(claims()).setProtectedHeader({ alg, kid: 'portal-1' }).sign(secret);
        expectRefused(await launch(token), 400, 'context_alg_forbidden');
      }
    }
  });

  it('HS256 signed with the launcher\'s own published signing key as the secret', async () => {
    const jwks = (await (await fetch(world.platform.jwks_url)).json()) as { keys: Array<Record<string, string>> };
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid }).sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
    expectRefused(await launch(token), 400, 'context_alg_forbidden');
  });

  it('the attacker\'s own key embedded in the header (jwk) or linked (jku, x5u) is ignored', async () => {
    const attacker = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(attacker.publicKey);
    for (const extra of [{ jwk }, { jku: `${world.tool.url}/jwks` }, { x5u: `${world.tool.url}/cert.pem` }]) {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'portal-1', ...extra }).sign(attacker.privateKey);
      expectRefused(await launch(token), 401, 'context_signature_invalid');
    }
  });

  it('an unknown critical header parameter, correctly signed', async () => {
    // jose will not sign it, so sign by hand.
    const input = `${b64({ alg: 'RS256', kid: 'portal-1', crit: ['x-launch'], 'x-launch': 1 })}.${b64(claims())}`;
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', world.portal.privateKey, new TextEncoder().encode(input));
    expectRefused(await launch(`${input}.${Buffer.from(signature).toString('base64url')}`), [400, 401], ['context_malformed']);
  });

  it('expired by more than the clock-skew leeway is refused; within it, accepted', async () => {
    const late = await world.portal.context({ [CLAIM.context]: { id: 'c' } }, { exp: now() - 15 });
    expectRefused(await launch(late), 401, 'context_expired');
    const skewed = await world.portal.context({ [CLAIM.context]: { id: 'c' } }, { exp: now() - 3 });
    expect((await new Browser().request(withContext(world.toolRecord.launch_url, skewed))).status).toBe(303);
  });

  it('a future nbf beyond the leeway (rejections.test.ts covers 1 h) — 30 s', async () => {
    const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } }).setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).setAudience(world.platform.issuer).setNotBefore(now() + 30).setExpirationTime('5m').sign(world.portal.privateKey);
    expectRefused(await launch(token), 401, 'context_not_yet_valid');
  });

  // A context JWT must carry `exp`, not reach more than an hour ahead, and not be issued in the
  // future (verifyContextToken, src/platform/context/token.ts): a link that leaked once must not work forever.
  describe('lifetime of a context JWT', () => {
    it('without exp: refused', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } }).setProtectedHeader({ alg: 'RS256', kid: 'portal-1' }).sign(world.portal.privateKey);
      expect((await launch(token)).status).toBeGreaterThanOrEqual(400);
    });
    it('ancient iat with an exp years ahead: refused', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } }).setProtectedHeader({ alg: 'RS256', kid: 'portal-1' })
        .setIssuedAt(now() - 10 * 365 * 86_400).setExpirationTime(now() + 10 * 365 * 86_400).sign(world.portal.privateKey);
      expect((await launch(token)).status).toBeGreaterThanOrEqual(400);
    });
    it('iat an hour in the future: refused', async () => {
      const token = await new SignJWT({ [CLAIM.context]: { id: 'c' } }).setProtectedHeader({ alg: 'RS256', kid: 'portal-1' })
        .setIssuedAt(now() + 3600).setExpirationTime(now() + 3900).sign(world.portal.privateKey);
      expect((await launch(token)).status).toBeGreaterThanOrEqual(400);
    });
  });

  it.each([
    'azp', 'given_name', 'name', 'picture', 'auth_time',
    CLAIM.messageType, CLAIM.version, CLAIM.targetLinkUri, CLAIM.toolPlatform,
  ])('a context JWT setting %s is refused (context_claim_forbidden)', async (claim) => {
    const token = await world.portal.context({ [CLAIM.context]: { id: 'c' }, [claim]: 'attacker' });
    expectRefused(await launch(token), 400, 'context_claim_forbidden');
  });

  it('sub/iss/aud/nonce from the context never reach the tool: the launch carries the launcher\'s own', async () => {
    // iss and aud are the context JWT's envelope (checked, never copied); sub and nonce are refused above
    // and in rejections.test.ts. Here an aud list naming the launcher and someone else: accepted, not copied.
    const token = await new SignJWT({ [CLAIM.context]: { id: 'c-env' } }).setProtectedHeader({ alg: 'RS256', kid: 'portal-1' })
      .setIssuer('https://evil.example').setAudience([world.platform.issuer, 'https://evil.example']).setExpirationTime('5m').sign(world.portal.privateKey);
    const started = await runLaunch(world, { context: token });
    const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
    expect(toolResponse!.status).toBe(200);
    const launched = world.tool.launches.at(-1)!;
    expect(launched).toMatchObject({ iss: world.platform.issuer, aud: world.tool.clientId, sub: 'ada' });
    expect(launched.nonce).not.toBe('attacker');
  });

  it('custom values cannot pollute prototypes', async () => {
    const token = await world.portal.context({ [CLAIM.custom]: JSON.parse('{"__proto__": "x", "constructor": "y"}') });
    const res = await new Browser().request(withContext(world.toolRecord.launch_url, token));
    expect([303, 400]).toContain(res.status);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  describe('keys from a JWKS URL', () => {
    let jwksServer: Server;
    let jwksWorldLaunch: string;
    let jwksWorldIssuer: string;
    const keyA = generateKeyPair('RS256', { extractable: true });
    const keyB = generateKeyPair('RS256', { extractable: true });
    beforeAll(async () => {
      const jwks = { keys: [{ ...(await exportJWK((await keyA).publicKey)), kid: 'a', alg: 'RS256' }, { ...(await exportJWK((await keyB).publicKey)), kid: 'b', alg: 'RS256' }] };
      jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
      await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
      const created = await world.admin('/platforms', { body: {
        name: 'JWKS School', slug: 'jwks-school', openid_configuration_url: world.idp.discoveryUrl, client_id: 'jwks-client',
        context_jwks_url: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`,
      } });
      expect(created.status).toBe(201);
      const platform = await created.json();
      const tool = await world.admin(`/platforms/${platform.id}/tools`, { body: {
        name: 'T', client_id: 't', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_jwk: world.tool.jwk,
      } });
      jwksWorldLaunch = (await tool.json()).launch_url;
      jwksWorldIssuer = platform.issuer;
    });
    afterAll(() => jwksServer?.close());

    it('an unknown kid: 401 context_key_unknown', async () => {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'nobody' }).sign((await keyA).privateKey);
      expectRefused(await errorPage(await new Browser().request(withContext(jwksWorldLaunch, token))), 401, 'context_key_unknown');
    });
    it('no kid while the set has several keys: 401 context_key_unknown', async () => {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).sign((await keyA).privateKey);
      expectRefused(await errorPage(await new Browser().request(withContext(jwksWorldLaunch, token))), 401, 'context_key_unknown');
    });
    it('kid "a" signed with key "b": 401 context_signature_invalid', async () => {
      const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'a' }).sign((await keyB).privateKey);
      expectRefused(await errorPage(await new Browser().request(withContext(jwksWorldLaunch, token))), 401, 'context_signature_invalid');
    });
    it('the right key is accepted (control)', async () => {
      const token = await new SignJWT({ ...claims(), aud: jwksWorldIssuer }).setProtectedHeader({ alg: 'RS256', kid: 'b' }).sign((await keyB).privateKey);
      expect((await new Browser().request(withContext(jwksWorldLaunch, token))).status).toBe(303);
    });
  });
});

describe('forged id_tokens from the IdP (GET /callback against a rogue IdP)', () => {
  let rogue: RogueIdp;
  let launchUrl: string;
  beforeAll(async () => {
    rogue = new RogueIdp();
    await rogue.start();
    const created = await world.admin('/platforms', { body: {
      name: 'Rogue School', slug: 'rogue', openid_configuration_url: rogue.discoveryUrl, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
      context_public_jwk: world.portal.publicJwk, role_claim: 'groups', role_map: { teacher: 'Instructor' },
    } });
    expect(created.status, await created.clone().text()).toBe(201);
    const platform = await created.json();
    const tool = await world.admin(`/platforms/${platform.id}/tools`, { body: {
      name: 'T', client_id: 't', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_jwk: world.tool.jwk,
    } });
    launchUrl = (await tool.json()).launch_url;
  });
  afterAll(async () => {
    await rogue?.close();
  });

  async function callbackWith(forgery: Forgery) {
    rogue.forgery = forgery;
    const browser = new Browser();
    const first = await browser.request(launchUrl);
    expect(first.status).toBe(303);
    const atIdp = await fetch(first.headers.get('location')!, { redirect: 'manual' });
    return browser.request(new URL(atIdp.headers.get('location')!).href);
  }
  const hs = (secret: Uint8Array) => (p: JWTPayload) => new SignJWT(p).setProtectedHeader({ alg: 'HS256', kid: 'rogue-1' }).sign(secret);

  it('an honest id_token passes (control)', async () => {
    const res = await callbackWith({});
    // On to the tool's login (by default an auto-submitting form).
    expect(res.status).toBe(200);
    const toolLogin = await toolLoginOf(res);
    expect(toolLogin && `${toolLogin.origin}${toolLogin.pathname}`).toBe(`${world.tool.url}/login`);
    expect(toolLogin!.searchParams.get('login_hint')).toBeTruthy();
  });

  it.each<[string, Forgery]>([
    ['alg none', { token: (p) => unsigned({ alg: 'none', kid: 'rogue-1' }, p) }],
    ['HS256 with the IdP\'s public key (PEM) as the secret', { token: async (p, k) => hs(new TextEncoder().encode(await exportSPKI(k.publicKey)))(p) }],
    ['HS256 with the client secret (not an algorithm the IdP announces)', { token: hs(new TextEncoder().encode(CLIENT_SECRET)) }],
    ['an unknown kid', { token: async (p) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid: 'other' }).sign((await generateKeyPair('RS256')).privateKey) }],
    ['the right kid, another key', { token: async (p) => new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid: 'rogue-1' }).sign((await generateKeyPair('RS256')).privateKey) }],
    ['signature stripped', { token: async (p, k) => (await new SignJWT(p).setProtectedHeader({ alg: 'RS256', kid: k.kid }).sign(k.privateKey)).replace(/[^.]+$/, '') }],
    ['expired', { claims: { iat: now() - 900, exp: now() - 600 } }],
    ['not yet valid (nbf in an hour)', { claims: { nbf: now() + 3600 } }],
    ['no exp', { claims: { exp: undefined } }],
    ['no iat', { claims: { iat: undefined } }],
    ['wrong iss', { claims: { iss: 'https://idp.evil.example' } }],
    ['wrong aud', { claims: { aud: 'someone-else' } }],
    ['aud list without the launcher', { claims: { aud: ['someone-else', 'another'] } }],
    ['aud list with the launcher but azp of another client', { claims: { aud: [CLIENT_ID, 'another'], azp: 'another' } }],
    ['a nonce of another launch', { claims: { nonce: 'replayed-nonce' } }],
    ['no nonce', { claims: { nonce: undefined } }],
    ['no sub', { claims: { sub: undefined } }],
  ])('%s: 401 idp_token_invalid', async (_case, forgery) => {
    expectRefused(await errorPage(await callbackWith(forgery)), 401, 'idp_token_invalid');
  });

  // openid-client checks that iat is a number but not how old it is; the launcher adds no check of
  // its own (src/platform/actions/callback/verifyIdpToken.ts). An id_token issued a year ago that
  // claims to be valid for two years is accepted. Low risk (the IdP signed it and the nonce is
  // fresh), but OIDC Core 3.1.3.7 lets clients refuse it; proposed: refuse iat older than
  // loginStateTtlSeconds (+ skew) or in the future, as idp_token_invalid.
  it('an id_token issued a year ago (exp a year ahead): refused', async () => {
    const res = await callbackWith({ claims: { iat: now() - 365 * 86_400, exp: now() + 365 * 86_400 } });
    expect(res.status).toBe(401);
  });
  it('an id_token issued an hour in the future: refused', async () => {
    const res = await callbackWith({ claims: { iat: now() + 3600, exp: now() + 7200 } });
    expect(res.status).toBe(401);
  });
});

describe('tampered and misplaced login_hint and state', () => {
  it('login_hint with one character changed: 400 login_hint_invalid', async () => {
    const { browser, toolLogin } = await toAuth(world);
    const hint = toolLogin.searchParams.get('login_hint')!;
    const flipped = (hint[5] === 'A' ? 'B' : 'A');
    const url = authUrlFor(toolLogin, `${world.platform.base_url}/auth`, { login_hint: hint.slice(0, 5) + flipped + hint.slice(6) });
    expectRefused(await errorPage(await browser.request(url.href)), 400, 'login_hint_invalid');
  });

  it('a login_hint issued for one tool, presented by another tool of the platform: 400 login_hint_invalid', async () => {
    const other = await world.admin(`/platforms/${world.platform.id}/tools`, { body: {
      name: 'Other tool', client_id: 'other-tool', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/other-launch`, public_jwk: world.tool.jwk,
    } });
    expect(other.status).toBe(201);
    const { browser, toolLogin } = await toAuth(world);
    const url = authUrlFor(toolLogin, `${world.platform.base_url}/auth`, { client_id: 'other-tool', redirect_uri: `${world.tool.url}/other-launch` });
    expectRefused(await errorPage(await browser.request(url.href)), 400, 'login_hint_invalid');
    // and the hint still works for its own tool afterwards (the failed attempt did not burn it)
    expect((await browser.request(authUrlFor(toolLogin, `${world.platform.base_url}/auth`).href)).status).toBe(200);
  });

  it('a login_hint presented at another platform of the same launcher: refused', async () => {
    const { browser, toolLogin } = await toAuth(world);
    const url = authUrlFor(toolLogin, `${world.launcher.url}/p/jwks-school/auth`, { client_id: 't', redirect_uri: `${world.tool.url}/launch` });
    expectRefused(await errorPage(await browser.request(url.href)), 400, 'login_hint_invalid');
  });

  it('callback state with one character changed: 400 state_unknown; the real one still works', async () => {
    const browser = new Browser();
    const first = await browser.request(world.toolRecord.launch_url);
    const callback = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    const state = callback.searchParams.get('state')!;
    const tampered = new URL(callback);
    tampered.searchParams.set('state', (state[0] === 'A' ? 'B' : 'A') + state.slice(1));
    expectRefused(await errorPage(await browser.request(tampered.href)), 400, 'state_unknown');
    const real = await browser.request(callback.href);
    expect(real.status).toBe(200); // the tool login form
    expect(await toolLoginOf(real)).not.toBeNull();
  });

  it('the tool\'s state is returned verbatim and escaped in the form post', async () => {
    const { browser, authUrl } = await toAuth(world, { state: '"><script>alert(1)</script>' });
    const res = await browser.request(authUrl.href);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });
});

describe('redirect_uri not registered (open redirect)', () => {
  it.each<[string, (target: string) => string]>([
    ['another host', () => 'https://evil.example/launch'],
    ['a path under the registered one', (t) => `${t}/../../evil`],
    ['the registered one with a query', (t) => `${t}?next=https://evil.example`],
    ['the registered one with a fragment', (t) => `${t}#x`],
    ['a trailing slash', (t) => `${t}/`],
    ['another name for the same host', (t) => t.replace('127.0.0.1', 'localhost')],
    ['userinfo trick', (t) => t.replace('http://', 'http://evil.example@')],
    ['https instead of http', (t) => t.replace('http://', 'https://')],
    ['javascript:', () => 'javascript:alert(document.cookie)'],
    ['empty', () => ''],
  ])('%s: 400 auth_redirect_uri_invalid, no redirect, no form to it', async (_case, make) => {
    const evil = make(world.toolRecord.target_link_uri);
    const { browser, authUrl } = await toAuth(world, { redirect_uri: evil });
    const res = await browser.request(authUrl.href);
    expect(res.headers.get('location')).toBeNull();
    const page = await errorPage(res);
    expectRefused(page, 400, 'auth_redirect_uri_invalid');
    expect(page.body).not.toContain('<form');
    expect(page.body).not.toContain('name="id_token"');
  });
});

describe('missing and duplicated parameters', () => {
  const duplicated = ['scope', 'response_type', 'client_id', 'redirect_uri', 'login_hint', 'lti_message_hint', 'nonce', 'state'];

  it.each(duplicated)('/auth GET with %s twice: 400 auth_request_invalid', async (name) => {
    const { browser, authUrl } = await toAuth(world);
    authUrl.searchParams.append(name, authUrl.searchParams.get(name) ?? 'x');
    expectRefused(await errorPage(await browser.request(authUrl.href)), 400, 'auth_request_invalid');
  });

  it('/auth POST with nonce twice: 400 auth_request_invalid', async () => {
    const { browser, authUrl } = await toAuth(world);
    const body = new URLSearchParams(authUrl.searchParams);
    body.append('nonce', 'second');
    const res = await browser.request(`${authUrl.origin}${authUrl.pathname}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectRefused(await errorPage(res), 400, 'auth_request_invalid');
  });

  it.each<[string, string, number]>([
    ['scope', 'auth_scope_invalid', 400],
    ['response_type', 'auth_response_type_invalid', 400],
    ['response_mode', 'auth_response_mode_invalid', 400],
    ['prompt', 'auth_prompt_invalid', 400],
    ['client_id', 'auth_client_unknown', 404],
    ['redirect_uri', 'auth_redirect_uri_invalid', 400],
    ['login_hint', 'login_hint_invalid', 400],
    ['lti_message_hint', 'message_hint_mismatch', 400],
    ['nonce', 'nonce_missing', 400],
  ])('/auth without %s: %s', async (name, code, status) => {
    const { browser, authUrl } = await toAuth(world, { [name]: null });
    expectRefused(await errorPage(await browser.request(authUrl.href)), status, code);
  });

  // The client is checked first, so a request naming none is refused as an unknown client.
  it('/auth with no parameters at all: 404 auth_client_unknown, never 500', async () => {
    expectRefused(await errorPage(await new Browser().request(`${world.platform.base_url}/auth`)), 404, 'auth_client_unknown');
    const post = await new Browser().request(`${world.platform.base_url}/auth`, { method: 'POST' });
    expectRefused(await errorPage(post), 404, 'auth_client_unknown');
  });

  it('/auth POST with JSON values that are not strings: 400 auth_request_invalid', async () => {
    const { browser, authUrl } = await toAuth(world);
    const body = { ...Object.fromEntries(authUrl.searchParams), nonce: { $ne: null } };
    const res = await browser.request(`${authUrl.origin}${authUrl.pathname}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    expectRefused(await errorPage(res), 400, 'auth_request_invalid');
  });

  it('/launch with two context parameters: 400 context_malformed', async () => {
    const token = await world.portal.context({ [CLAIM.context]: { id: 'c' } });
    const url = new URL(withContext(world.toolRecord.launch_url, token));
    url.searchParams.append('context', token);
    expectRefused(await errorPage(await new Browser().request(url.href)), 400, 'context_malformed');
  });

  it('/callback with two state parameters: 400 state_missing; with two codes: 400 idp_code_missing', async () => {
    const browser = new Browser();
    const first = await browser.request(world.toolRecord.launch_url);
    const callback = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    const twoStates = new URL(callback);
    twoStates.searchParams.append('state', callback.searchParams.get('state')!);
    expectRefused(await errorPage(await browser.request(twoStates.href)), 400, 'state_missing');
    const twoCodes = new URL(callback);
    twoCodes.searchParams.append('code', 'second');
    expectRefused(await errorPage(await browser.request(twoCodes.href)), 400, 'idp_code_missing');
  });

  it('/callback with neither code nor error: 400 idp_code_missing', async () => {
    const browser = new Browser();
    const first = await browser.request(world.toolRecord.launch_url);
    const callback = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    const bare = new URL(callback);
    bare.searchParams.delete('code');
    expectRefused(await errorPage(await browser.request(bare.href)), 400, 'idp_code_missing');
  });
});

describe('oversized input', () => {
  it('a header over 16 KB: 431', async () => {
    for (const url of [world.toolRecord.launch_url, `${world.platform.base_url}/auth`, `${world.launcher.url}/admin/api/v1/platforms`]) {
      const res = await fetch(url, { headers: { 'x-padding': 'a'.repeat(17 * 1024) } });
      expect(res.status).toBe(431);
    }
  });
  it('a cookie header over 16 KB: 431', async () => {
    const res = await fetch(`${world.platform.base_url}/auth`, { headers: { cookie: `lti_launcher_browser=${'a'.repeat(17 * 1024)}` } });
    expect(res.status).toBe(431);
  });
  it('a context token making the URL longer than 16 KB: 431', async () => {
    const res = await fetch(withContext(world.toolRecord.launch_url, 'e'.repeat(17 * 1024)));
    expect(res.status).toBe(431);
  });
  it('a signed context token of 14 KB: verified, not a crash (it fits the header limit)', async () => {
    const token = await world.portal.context({ [CLAIM.context]: { id: 'c' }, [CLAIM.ext]: { padding: 'p'.repeat(10 * 1024) } });
    const res = await new Browser().request(withContext(world.toolRecord.launch_url, token));
    expect(res.status).toBe(303);
  });
  it('an /auth parameter over 4096 characters: 400 auth_request_invalid', async () => {
    const { browser, authUrl } = await toAuth(world, { state: 's'.repeat(5000) });
    expectRefused(await errorPage(await browser.request(authUrl.href)), 400, 'auth_request_invalid');
  });
  it('an /auth POST body over 256 KB: 413 request_too_large', async () => {
    const res = await fetch(`${world.platform.base_url}/auth`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: `state=${'s'.repeat(300 * 1024)}`,
    });
    expectRefused(await errorPage(res), 413, 'request_too_large');
  });
  it('an admin JSON body over 256 KB: 413 request_too_large', async () => {
    const res = await world.admin('/platforms', { body: { name: 'n'.repeat(300 * 1024) } });
    expectRefused(await errorPage(res), 413, 'request_too_large');
  });
  it('a tool client_id path segment over the router limit: 414, not 500', async () => {
    const res = await new Browser().request(`${world.platform.base_url}/launch/${'x'.repeat(600)}`);
    expect(res.status).toBe(414);
  });
});

describe('XSS through admin-controlled strings and reflected parameters', () => {
  const TOOL_NAME = '<img src=x onerror=alert(1)>';
  const PLATFORM_NAME = '</dd><script>alert("platform")</script>';
  let xssLaunch: string;
  let xssBase: string;

  beforeAll(async () => {
    const created = await world.admin('/platforms', { body: {
      name: PLATFORM_NAME, slug: 'xss', openid_configuration_url: world.idp.discoveryUrl, client_id: 'xss-client', client_secret: CLIENT_SECRET,
      context_public_jwk: world.portal.publicJwk,
    } });
    expect(created.status).toBe(201);
    const platform = await created.json();
    xssBase = platform.base_url;
    await world.idp.addClient({ client_id: 'xss-client', client_secret: CLIENT_SECRET, redirect_uris: [platform.redirect_uri] });
    const tool = await world.admin(`/platforms/${platform.id}/tools`, { body: {
      name: TOOL_NAME, description: '<b onmouseover=alert(2)>desc</b>', client_id: 'xss-tool',
      open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch?a="><script>alert(3)</script>`, public_jwk: world.tool.jwk,
    } });
    expect(tool.status, await tool.clone().text()).toBe(201);
    xssLaunch = (await tool.json()).launch_url;
  });

  const noRawPayload = (html: string) => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<[a-z]+ [^>]*on(error|mouseover|load)=/i);
  };

  it('the tool and platform names on an error page are escaped', async () => {
    const res = await new Browser().request(withContext(xssLaunch, 'not.a.jwt'));
    const html = await res.text();
    expect(res.status).toBe(400);
    noRawPayload(html);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/dd&gt;&lt;script&gt;alert(&quot;platform&quot;)&lt;/script&gt;');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('the tool name and target_link_uri on the /auth form page are escaped', async () => {
    const browser = new Browser();
    const first = await browser.request(xssLaunch);
    const callback = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    const toTool = await browser.request(callback.href);
    // The tool login form page carries the tool's name and target_link_uri too: escaped there as well.
    expect(toTool.status).toBe(200);
    const loginPage = await toTool.clone().text();
    noRawPayload(loginPage.replace(/<script nonce="[^"]+">document\.getElementById\('lti-launch'\)\.submit\(\);<\/script>/, ''));
    expect(loginPage).toContain('Opening &lt;img src=x onerror=alert(1)&gt;');
    const toolLogin = await toolLoginOf(toTool);
    expect(toolLogin!.searchParams.get('target_link_uri')).toBe(`${world.tool.url}/launch?a="><script>alert(3)</script>`);
    const res = await browser.request(authUrlFor(toolLogin!, `${xssBase}/auth`).href);
    const html = await res.text();
    expect(res.status, html.slice(0, 300)).toBe(200);
    noRawPayload(html.replace(/<script nonce="[^"]+">document\.getElementById\('lti-launch'\)\.submit\(\);<\/script>/, ''));
    expect(html).toContain('Opening &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('action="http://127.0.0.1');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
  });

  it('the platform name on the page of a failing /auth (tool known) is escaped', async () => {
    const res = await new Browser().request(`${xssBase}/auth?scope=openid&response_type=id_token&response_mode=form_post&prompt=none&client_id=xss-tool&redirect_uri=https://evil.example`);
    const html = await res.text();
    expect(res.status).toBe(400);
    noRawPayload(html);
  });

  it.each<[string, () => string]>([
    ['client_id reflected in auth_client_unknown', () => `${world.platform.base_url}/auth?scope=openid&response_type=id_token&response_mode=form_post&prompt=none&client_id=${encodeURIComponent('<script>alert(1)</script>')}`],
    ['response_type reflected in auth_response_type_invalid', () => `${world.platform.base_url}/auth?scope=openid&response_type=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`],
    ['the slug reflected in platform_unknown', () => `${world.launcher.url}/p/${encodeURIComponent('<img src=x onerror=alert(1)>')}/launch/x`],
    ['the tool client_id reflected in tool_unknown', () => `${world.platform.base_url}/launch/${encodeURIComponent('<script>alert(1)</script>')}`],
    ['the IdP error reflected in idp_denied', () => `${world.platform.base_url}/callback?state=x&error=${encodeURIComponent('<script>alert(1)</script>')}`],
  ])('%s is escaped', async (_case, url) => {
    const res = await new Browser().request(url());
    expect(res.status).toBeGreaterThanOrEqual(400);
    noRawPayload(await res.text());
  });

  it('the tools API is JSON with nosniff (names are data there, not markup)', async () => {
    const res = await fetch(`${xssBase}/api/v1/tools`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await res.json())[0].name).toBe(TOOL_NAME);
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)'])('a tool URL "%s" is refused with 422', async (bad) => {
    for (const field of ['target_link_uri', 'open_id_connect_initiation_url', 'icon_url']) {
      const res = await world.admin(`/platforms/${world.platform.id}/tools`, { body: {
        name: 'Bad', client_id: `bad-${field}`, open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_jwk: world.tool.jwk, [field]: bad,
      } });
      expect(res.status, field).toBe(422);
      expect(((await res.json()) as { fields: Record<string, string> }).fields[field]).toBeDefined();
    }
  });
});

describe('admin: Basic-auth brute force and CSRF', () => {
  let launcher: RunningRole;
  beforeAll(async () => {
    launcher = await startLauncher();
  });
  afterAll(async () => {
    await launcher?.close();
    vi.restoreAllMocks();
  });

  it('10 wrong passwords, then 429 with Retry-After even for the right one; unlocked after the window', async () => {
    const wrong = adminClient(launcher, 'guess');
    // Requests without credentials do not count as attempts.
    for (let i = 0; i < 5; i++) expect((await fetch(`${launcher.url}/admin/api/v1/platforms`)).status).toBe(401);
    for (let i = 0; i < 10; i++) {
      const res = await wrong('/platforms');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    const limited = await wrong('/platforms');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: string }).error).toBe('admin_rate_limited');
    // Temporary lockout: the right password is refused too while it lasts.
    expect((await adminClient(launcher)('/platforms')).status).toBe(429);

    const start = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => start + 5 * 60_000 + 1000);
    expect((await adminClient(launcher)('/platforms')).status).toBe(200);
    vi.restoreAllMocks();
  });

  it('the right password for another user name: 401', async () => {
    const res = await fetch(`${launcher.url}/admin/api/v1/platforms`, { headers: { authorization: basicAuth('root', 'test-admin-password') } });
    expect([401, 429]).toContain(res.status);
  });

  // Browsers replay cached Basic credentials, so without a guard a page on any site could make an
  // admin's browser POST a form that creates a platform or a tool (pointing at the attacker's IdP
  // or tool) or rotates the keys. src/admin/apiCsrf.ts refuses writes from another site and
  // writes that are not JSON.
  describe('CSRF', () => {
    const post = (path: string, body: URLSearchParams | string, headers: Record<string, string>) =>
      fetch(`${launcher.url}/admin/api/v1${path}`, { method: 'POST', body, headers: { authorization: basicAuth(), ...headers } });
    const platformForm = () => new URLSearchParams({ name: 'Evil', slug: 'evil', openid_configuration_url: world.idp.discoveryUrl, client_id: 'x' });
    const slugs = async () => ((await (await adminClient(launcher)('/platforms')).json()) as { platforms: Array<{ slug: string }> }).platforms.map((p) => p.slug);

    it('a cross-site form POST creating a platform is refused, and nothing is created', async () => {
      const answers = [
        await post('/platforms', platformForm(), { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
        await post('/platforms', platformForm(), { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }), // an old browser: Origin only
        await post('/platforms', platformForm(), { 'content-type': 'application/x-www-form-urlencoded' }), // no Origin at all: still not JSON
        await post('/platforms', JSON.stringify(Object.fromEntries(platformForm())), { 'content-type': 'text/plain' }), // JSON smuggled as text/plain
      ];
      for (const res of answers) expect([403, 415]).toContain(res.status);
      expect(await slugs()).not.toContain('evil');
    });

    it('a cross-site POST rotating the keys is refused, and the keys stay', async () => {
      const before = ((await (await adminClient(launcher)('/keys')).json()) as { keys: Array<{ kid: string }> }).keys[0].kid;
      for (const res of [
        await post('/keys/rotate', 'x=1', { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' }),
        await post('/keys/rotate', '', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }),
      ]) expect([403, 415]).toContain(res.status);
      const after = ((await (await adminClient(launcher)('/keys')).json()) as { keys: Array<{ kid: string }> }).keys[0].kid;
      expect(after).toBe(before);
    });

    it('the admin\'s own JSON requests still work (same origin or no browser at all)', async () => {
      const res = await adminClient(launcher)('/keys/rotate', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin', origin: launcher.url } });
      expect(res.status).toBe(200);
    });

    it('a cross-site POST cannot send application/json without a CORS preflight, which the admin API never grants', async () => {
      const res = await fetch(`${launcher.url}/admin/api/v1/platforms`, {
        method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});

describe('SSRF through admin-supplied URLs (ALLOW_PRIVATE_URLS=false)', () => {
  let launcher: RunningRole;
  let admin: ReturnType<typeof adminClient>;
  let platformId: string;
  const targets = (): Array<[string, string]> => [
    ['127.0.0.1', 'http://127.0.0.1:9/jwks'],
    ['10.x', 'http://10.0.0.1/jwks'],
    ['172.16.x', 'http://172.16.0.1/jwks'],
    ['192.168.x', 'http://192.168.1.1/jwks'],
    ['100.64.x (CGNAT)', 'http://100.64.0.1/jwks'],
    ['169.254.169.254 (cloud metadata)', 'http://169.254.169.254/latest/meta-data/'],
    ['0.0.0.0', 'http://0.0.0.0/jwks'],
    ['[::1]', 'http://[::1]:9/jwks'],
    ['[fe80::1] (link-local)', 'http://[fe80::1]/jwks'],
    ['[fc00::1] (unique local)', 'http://[fc00::1]/jwks'],
    ['2130706433 (decimal 127.0.0.1)', 'http://2130706433:9/jwks'],
    ['0x7f.1 (hex shorthand)', 'http://0x7f.1:9/jwks'],
    ['localhost', 'http://localhost:9/jwks'],
    [`a DNS name resolving to loopback (${loopbackName})`, `http://${loopbackName}:9/jwks`],
  ];

  beforeAll(async () => {
    launcher = await startLauncher({ config: { allowPrivateUrls: false } });
    admin = adminClient(launcher);
    // A platform row as if its IdP were public (creating one here would need a reachable public IdP).
    platformId = randomUUID();
    await launcher.services.db.insertInto('platforms').values({
      id: platformId, name: 'Public', slug: 'public', openid_configuration_url: 'https://idp.example/.well-known/openid-configuration',
      idp_metadata: '{}', client_id: 'c', client_secret_enc: null, context_jwks_url: null, context_public_jwk: null,
      context_public_key: null, role_claim: null, role_map: null, created_at: Date.now(), updated_at: Date.now(),
    }).execute();
  });
  afterAll(async () => {
    await launcher?.close();
  });

  const refusedField = async (res: Response, field: string) => {
    const body = (await res.json()) as { error: string; fields: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.fields[field]).toMatch(/private or loopback|does not resolve/);
    return body.fields[field];
  };

  it('refuses each private target as discovery URL, context JWKS URL and tool key set URL (422 naming the reason)', async () => {
    for (const [, url] of targets()) {
      const discovery = url.replace(/\/jwks$|\/latest\/meta-data\/$/, '/.well-known/openid-configuration');
      const p = await admin('/platforms', { body: { name: 'S', slug: `s-${randomBytes(3).toString('hex')}`, openid_configuration_url: discovery, client_id: 'c', context_jwks_url: url } });
      const message = await refusedField(p.clone(), 'openid_configuration_url');
      expect(message).toContain(discovery);
      await refusedField(p, 'context_jwks_url');

      const t = await admin(`/platforms/${platformId}/tools`, { body: {
        name: 'T', client_id: `t-${randomBytes(3).toString('hex')}`, open_id_connect_initiation_url: 'https://tool.example/login',
        target_link_uri: 'https://tool.example/launch', public_key_url: url,
      } });
      await refusedField(t, 'public_key_url');
    }
  });

  // The URL parser writes an IPv4-mapped IPv6 literal in hex (http://[::ffff:127.0.0.1]/ has the
  // hostname [::ffff:7f00:1]): assertPublicUrl (src/net/urlPolicy.ts) decodes both spellings to
  // IPv4 before checking, so none of these reaches loopback, a private network or the metadata address.
  it.each([
    ['[::ffff:127.0.0.1]', 'http://[::ffff:127.0.0.1]:9/jwks'],
    ['[::ffff:10.0.0.1]', 'http://[::ffff:10.0.0.1]/jwks'],
    ['[::ffff:169.254.169.254]', 'http://[::ffff:169.254.169.254]/latest/meta-data/'],
  ])('refuses the IPv4-mapped IPv6 address %s', async (_case, url) => {
    const res = await admin(`/platforms/${platformId}/tools`, { body: {
      name: 'T', client_id: `mapped-${randomBytes(3).toString('hex')}`, open_id_connect_initiation_url: 'https://tool.example/login',
      target_link_uri: 'https://tool.example/launch', public_key_url: url,
    } });
    const attempted = offMachine.splice(0); // the guard refused them; only the policy's verdict counts here
    await refusedField(res, 'public_key_url');
    expect(attempted).toEqual([]);
  });

  it('refuses a private target on update (PATCH) too', async () => {
    const res = await admin(`/platforms/${platformId}`, { method: 'PATCH', body: { context_jwks_url: 'http://169.254.169.254/latest/meta-data/' } });
    await refusedField(res, 'context_jwks_url');
  });

  // The launcher does not fetch icons today (the portal's browser does), but an icon_url is checked
  // with the URL policy like every admin-supplied URL, so a later server-side use is no SSRF.
  it('refuses a private icon_url', async () => {
    const res = await admin(`/platforms/${platformId}/tools`, { body: {
      name: 'T', client_id: 'icon', icon_url: 'http://169.254.169.254/icon.png', open_id_connect_initiation_url: 'https://tool.example/login',
      target_link_uri: 'https://tool.example/launch', public_jwk: world.tool.jwk,
    } });
    await refusedField(res, 'icon_url');
  });

  it('with private URLs allowed (the demo), a key set URL that redirects is still not followed', async () => {
    const redirector = createServer((_req, res) => res.writeHead(302, { location: `${world.tool.url}/jwks` }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const res = await world.admin(`/platforms/${world.platform.id}/tools`, { body: {
        name: 'R', client_id: 'redirected', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`,
        public_key_url: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/jwks`,
      } });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { fields: Record<string, string> }).fields.public_key_url).toMatch(/could not fetch|redirect/i);
    } finally {
      redirector.close();
    }
  });
});

describe.each(DIALECTS)('two launcher instances on one %s database, racing', (dialect) => {
  let a: World;
  let b: RunningRole;
  let databaseUrl: string | null;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl(dialect);
    const secretKey = randomBytes(32).toString('hex');
    const dataDir = tempDir();
    a = await startWorld({ databaseUrl, secretKey, config: { dataDir } });
    b = await startLauncher({ databaseUrl, secretKey, config: { dataDir, publicUrl: a.launcher.url } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await dropDatabase(databaseUrl);
  });

  const onB = (url: URL | string) => {
    const u = new URL(url);
    const base = new URL(b.url);
    u.host = base.host;
    return u.href;
  };

  it('the same /auth request at both instances at once: exactly one id_token', async () => {
    for (let round = 0; round < 5; round++) {
      const { browser, authUrl } = await toAuth(a);
      const answers = await Promise.all([browser.request(authUrl.href), browser.request(onB(authUrl))]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 403]);
      const loser = await errorPage(answers.find((r) => r.status === 403)!);
      expect(['login_hint_used', 'nonce_replayed']).toContain(loser.code);
    }
  });

  it('two launches with the same nonce at both instances at once: one succeeds, the other is nonce_replayed', async () => {
    for (let round = 0; round < 5; round++) {
      const first = await toAuth(a);
      const second = await toAuth(a, { nonce: first.authUrl.searchParams.get('nonce') });
      const answers = await Promise.all([first.browser.request(first.authUrl.href), second.browser.request(onB(second.authUrl))]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 403]);
      expect((await errorPage(answers.find((r) => r.status === 403)!)).code).toBe('nonce_replayed');
    }
  });

  it('the same IdP callback at both instances at once: one tool login, the other state_used', async () => {
    for (let round = 0; round < 3; round++) {
      const browser = new Browser();
      const first = await browser.request(a.toolRecord.launch_url);
      const callback = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
      const answers = await Promise.all([browser.request(callback.href), browser.request(onB(callback))]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 403]);
      expect(await toolLoginOf(answers.find((r) => r.status === 200)!)).not.toBeNull(); // the tool login form
      expect((await errorPage(answers.find((r) => r.status === 403)!)).code).toBe('state_used');
    }
  });

  it('a nonce used at one instance is refused at the other', async () => {
    const first = await toAuth(a);
    expect((await first.browser.request(first.authUrl.href)).status).toBe(200);
    const second = await toAuth(a, { nonce: first.authUrl.searchParams.get('nonce') });
    expectRefused(await errorPage(await second.browser.request(onB(second.authUrl))), 403, 'nonce_replayed');
  });
});
