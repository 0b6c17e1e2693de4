/**
 * Property-based fuzzing of the launcher's token and parameter parsing with fast-check, over real
 * HTTP: random and mutated context JWTs (also correctly signed ones with random claims), random
 * /auth query strings and bodies, random /callback parameters. The property: never a 5xx, never a
 * crash or an unhandled rejection; every refusal is a 4xx page or JSON carrying an error code.
 * Runs are bounded (RUNS cases per property) and seeded per run; a failure prints its seed.
 */
import fc from 'fast-check';
import { FUZZ_RUNS, fuzzOptions } from './fuzzOptions.ts';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { startWorld, type World } from './world.ts';
import { errorPage } from '../support/refused.ts';

const RUNS = FUZZ_RUNS;
const LTI_CLAIMS = Object.values(CLAIM);
const AUTH_PARAMS = ['scope', 'response_type', 'response_mode', 'prompt', 'client_id', 'redirect_uri', 'login_hint', 'lti_message_hint', 'nonce', 'state'];

let world: World;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const realFetch = globalThis.fetch;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // Nothing generated here may make the launcher reach beyond this machine.
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (!/^(127(?:\.\d+){3}|localhost|\[::1\])$/.test(url.hostname)) throw new TypeError(`test guard: refused ${url.href}`);
    return realFetch(input, init);
  }) as typeof fetch;
  world = await startWorld();
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  process.off('unhandledRejection', onUnhandled);
  await world?.close();
});

/** The launcher's answer must be a redirect (accepted) or a 4xx carrying a code; never a 5xx. */
async function expectHandled(response: Response, accepted: number[] = []) {
  const page = await errorPage(response);
  if (accepted.includes(page.status)) return;
  expect(page.status, `${page.status} ${page.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(page.status, `${page.status} ${page.body.slice(0, 300)}`).toBeLessThan(500);
  expect(page.code, page.body.slice(0, 300)).toMatch(/^[a-z_]+$/);
  expect(page.body).not.toMatch(/at .*\.ts:\d+/);
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 60 }), fc.jsonValue({ maxDepth: 2 }).map((v) => b64(JSON.stringify(v))));

describe('fuzzing', () => {
  it('random and mutated context JWTs at GET /launch', async () => {
    const valid = await world.portal.context({ [CLAIM.context]: { id: 'c' } });
    const mutated = fc.tuple(fc.nat(valid.length - 1), fc.string({ minLength: 0, maxLength: 3 }), fc.nat(5)).map(([at, insert, drop]) => valid.slice(0, at) + insert + valid.slice(at + drop));
    const structured = fc.tuple(segment, segment, segment, fc.constantFrom('.', '..', '')).map(([h, p, s, sep]) => [h, p, s].join(sep === '' ? '.' : sep));
    const headers = fc.record({
      alg: fc.oneof(fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'EdDSA', 'PS512', ''), fc.string({ maxLength: 8 })),
      kid: fc.option(fc.oneof(fc.constant('portal-1'), fc.string({ maxLength: 10 }))),
      typ: fc.option(fc.string({ maxLength: 5 })),
    }).chain((h) => fc.tuple(fc.constant(h), fc.jsonValue({ maxDepth: 3 })).map(([header, payload]) => `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}.${b64('sig')}`));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, structured, headers, fc.string({ maxLength: 200 })), async (token) => {
        const url = new URL(world.toolRecord.launch_url);
        url.searchParams.set('context', token);
        await expectHandled(await new Browser().request(url.href), [303]);
      }),
      fuzzOptions,
    );
  });

  it('correctly signed context JWTs with random claims at GET /launch', async () => {
    const claimName = fc.oneof(fc.constantFrom(...LTI_CLAIMS, 'sub', 'iss', 'aud', 'nbf', 'iat', 'exp', 'nonce', '__proto__', 'constructor'), fc.string({ maxLength: 12 }));
    const claims = fc.dictionary(claimName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    await fc.assert(
      fc.asyncProperty(claims, async (payload) => {
        const token = await new SignJWT({ exp: Math.floor(Date.now() / 1000) + 300, ...payload } as Record<string, unknown>)
          .setProtectedHeader({ alg: 'RS256', kid: 'portal-1' })
          .sign(world.portal.privateKey)
          .catch(() => null); // jose refuses some payloads (e.g. a non-numeric exp) before signing
        if (token === null) return;
        const url = new URL(world.toolRecord.launch_url);
        url.searchParams.set('context', token);
        await expectHandled(await new Browser().request(url.href), [303]);
      }),
      fuzzOptions,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const authValue = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('openid', 'id_token', 'form_post', 'none', 'tool-client-1', '', '%00', '\u0000', '../', '<script>'),
  );
  const authParams = fc.dictionary(fc.oneof(fc.constantFrom(...AUTH_PARAMS), fc.string({ maxLength: 10 })), fc.oneof(authValue, fc.array(authValue, { maxLength: 3 })), { maxKeys: 12 });

  it('random /auth query strings (GET)', async () => {
    await fc.assert(
      fc.asyncProperty(authParams, async (params) => {
        const url = new URL(`${world.platform.base_url}/auth`);
        for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
        await expectHandled(await new Browser().request(url.href));
      }),
      fuzzOptions,
    );
  });

  it('random /auth bodies (POST form, JSON and raw bytes)', async () => {
    const body = fc.oneof(
      authParams.map((params) => {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
        return { type: 'application/x-www-form-urlencoded', body: form.toString() };
      }),
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ type: 'application/json', body: JSON.stringify(v) })),
      fc.tuple(fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/octet-stream'), fc.string({ maxLength: 200 }))
        .map(([type, raw]) => ({ type, body: raw })),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ type, body: payload }) => {
        const res = await new Browser().request(`${world.platform.base_url}/auth`, { method: 'POST', headers: { 'content-type': type }, body: payload });
        await expectHandled(res);
      }),
      fuzzOptions,
    );
  });

  it('random /callback parameters', async () => {
    const value = fc.oneof(fc.string({ maxLength: 40 }), fc.base64String({ maxLength: 44 }));
    const params = fc.record({
      state: fc.option(fc.oneof(value, fc.array(value, { maxLength: 3 }))),
      code: fc.option(fc.oneof(value, fc.array(value, { maxLength: 3 }))),
      error: fc.option(value),
      error_description: fc.option(value),
      iss: fc.option(value),
    });
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const url = new URL(`${world.platform.base_url}/callback`);
        for (const [k, v] of Object.entries(p)) if (v !== null) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
        await expectHandled(await new Browser().request(url.href));
      }),
      fuzzOptions,
    );
  });

  it('left no unhandled rejection, no internal error, and the launcher still answers', async () => {
    expect(unhandled).toEqual([]);
    const metrics = await (await fetch(`${world.launcher.url}/metrics`)).text();
    expect(metrics).not.toMatch(/code="internal_error"/);
    expect((await fetch(`${world.launcher.url}/readyz`)).status).toBe(200);
  });
});
