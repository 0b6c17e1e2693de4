/**
 * Property-based fuzzing of the gateway's token and parameter parsing with fast-check, over real
 * HTTP: random and mutated id_tokens (posted with a genuine state and cookie, so they reach the
 * token checks), correctly signed id_tokens with random LTI claims, random login parameters (GET and
 * POST, repeated names), random launch bodies and content types, random hand-off codes and
 * Authorization headers. The property: never a 5xx, never a crash or an unhandled rejection; every
 * refusal is a 4xx carrying an error code. Bounded: RUNS cases per property.
 */
import fc from 'fast-check';
import { FUZZ_RUNS, fuzzOptions } from './fuzzOptions.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { readForm } from '../support/htmlForm.ts';
import { useGateway } from '../tool/support/gatewaySetup.ts';

const RUNS = FUZZ_RUNS;
const LTI_CLAIMS = [...Object.values(CLAIM), 'iss', 'aud', 'azp', 'sub', 'exp', 'iat', 'nbf', 'nonce', 'name', 'email'];
const LOGIN_PARAMS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id', 'lti_storage_target'];

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

// Listening from before the gateway starts; afterAll hooks run in reverse order, so this one stops before the gateway closes.
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
const world = useGateway({ dialect: 'sqlite', apps: { chatbot: { slug: 'chatbot' } } });
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Accepted (a redirect or a page of the flow) or a 4xx carrying a code; never a 5xx. */
async function expectHandled(response: Response, what: string): Promise<void> {
  const body = await response.text();
  expect(response.status, `${what}: ${body.slice(0, 300)}`).toBeLessThan(500);
  if (response.status >= 400 && response.status !== 431) {
    expect(body, what).toMatch(/"error":"[a-z_]+"|<span class="code">[a-z_]+<\/span>/);
  }
}

/** A genuine login: its state, and the browser that holds its cookie, and the LMS's id_token for it. */
async function freshLogin(): Promise<{ browser: Browser; state: string; idToken: string }> {
  const browser = new Browser();
  const login = await browser.get(`${world.gateway.url}/lti/login?${new URLSearchParams({
    iss: world.lms.issuer, login_hint: `fuzz-${Math.random()}`, target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId,
  })}`);
  const form = readForm(await (await browser.get(login.headers.get('location')!)).text());
  return { browser, state: form.fields.state, idToken: form.fields.id_token };
}

const b64url = (value: string) => Buffer.from(value).toString('base64url');
const segment = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.base64String({ maxLength: 80 }).map((s) => s.replace(/=/g, '')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => b64url(JSON.stringify(v))),
  fc.dictionary(fc.constantFrom('alg', 'kid', 'typ', 'crit', 'jku', 'jwk', 'b64', 'zip', 'enc'), fc.jsonValue({ maxDepth: 2 }))
    .map((h) => b64url(JSON.stringify(h))),
);

/** Mutations of a genuine signed id_token. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.constantFrom('A', '_', '-', '.', '=', '%', ' ', '\u0000', 'é') }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('segment' as const), index: fc.integer({ min: 0, max: 2 }), value: segment }),
  fc.record({ kind: fc.constant('random' as const), value: fc.array(segment, { minLength: 0, maxLength: 6 }).map((parts) => parts.join('.')) }),
  fc.record({ kind: fc.constant('extra' as const), value: segment }),
);

type Mutation = { kind: string; at?: number; char?: string; index?: number; value?: string };

function mutate(token: string, m: Mutation): string {
  switch (m.kind) {
    case 'flip': { const i = m.at! % token.length; return token.slice(0, i) + m.char + token.slice(i + 1); }
    case 'truncate': return token.slice(0, m.at! % token.length);
    case 'segment': { const parts = token.split('.'); parts[m.index!] = m.value!; return parts.join('.'); }
    case 'random': return m.value!;
    case 'extra': return `${token}.${m.value}`;
    default: return token;
  }
}

describe('gateway fuzzing (never a 5xx, never a crash)', () => {
  it(`random and mutated id_tokens with a genuine state (${RUNS} cases)`, async () => {
    await fc.assert(fc.asyncProperty(mutation, async (m) => {
      const { browser, state, idToken } = await freshLogin();
      const token = mutate(idToken, m);
      await expectHandled(await browser.post(world.apps.chatbot.launch_url, { id_token: token, state }), `mutation ${JSON.stringify(m).slice(0, 200)}`);
    }), fuzzOptions);
  });

  it(`correctly signed id_tokens with random LTI claims (${RUNS} cases)`, async () => {
    const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined));
    await fc.assert(fc.asyncProperty(
      fc.dictionary(fc.constantFrom(...LTI_CLAIMS), claimValue, { minKeys: 1, maxKeys: 5 }),
      async (claims) => {
        const { browser, state } = await freshLogin();
        const lastAuth = world.lms.authRequests.at(-1)!;
        const payload = { ...world.lms.baseClaims(lastAuth.get('nonce')!, world.apps.chatbot.launch_url), ...claims };
        for (const [k, v] of Object.entries(claims)) if (v === undefined) delete (payload as Record<string, unknown>)[k];
        const response = await browser.post(world.apps.chatbot.launch_url, { id_token: await world.lms.sign(payload), state });
        await expectHandled(response, `claims ${JSON.stringify(claims).slice(0, 300)}`);
      },
    ), fuzzOptions);
  });

  it(`random login parameters by GET and POST, with repeated names (${RUNS} cases)`, async () => {
    const value = fc.oneof(fc.string({ maxLength: 80 }), fc.constant(world.lms.issuer), fc.constant(world.apps.chatbot.launch_url), fc.constant(world.lms.clientId), fc.webUrl());
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...LOGIN_PARAMS), fc.string({ maxLength: 12 })), value), { maxLength: 10 }),
      fc.boolean(),
      async (pairs, byPost) => {
        const q = new URLSearchParams();
        for (const [k, v] of pairs) q.append(k, v);
        const response = byPost
          ? await fetch(`${world.gateway.url}/lti/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: q.toString() })
          : await fetch(`${world.gateway.url}/lti/login?${q}`, { redirect: 'manual' });
        await expectHandled(response, `login ${q.toString().slice(0, 200)}`);
      },
    ), fuzzOptions);
  });

  it(`random launch bodies and content types, on both launch URLs (${RUNS} cases)`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.array(fc.tuple(fc.constantFrom('id_token', 'state', 'error', 'error_description', 'lti_storage_binding', 'lti_storage_unavailable', 'x'), fc.string({ maxLength: 60 })), { maxLength: 8 })
          .map((pairs) => new URLSearchParams(pairs).toString()),
      ),
      fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=latin1', ''),
      fc.constantFrom(world.apps.chatbot.launch_url, `${world.gateway.url}/lti/launch`),
      async (body, type, url) => {
        const response = await fetch(url, { method: 'POST', redirect: 'manual', headers: type ? { 'content-type': type } : {}, body });
        await expectHandled(response, `launch ${type} ${body.slice(0, 200)}`);
      },
    ), fuzzOptions);
  });

  it(`random hand-off codes and Authorization headers (${RUNS} cases)`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.string({ minLength: 1, maxLength: 140 }),
      fc.oneof(fc.constant(`Bearer ${world.apps.chatbot.api_key}`), fc.string({ maxLength: 80 }), fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`)),
      async (code, authorization) => {
        let headerOk = true;
        try { new Headers({ authorization }); } catch { headerOk = false; }
        const response = await fetch(`${world.gateway.url}/api/v1/launches/${encodeURIComponent(code)}`, { headers: headerOk ? { authorization } : {} });
        await expectHandled(response, `redeem ${code.slice(0, 60)}`);
      },
    ), fuzzOptions);
  });

  it('saw no unhandled rejection or uncaught exception, and the gateway is still healthy', async () => {
    expect(unhandled).toEqual([]);
    expect((await fetch(`${world.gateway.url}/healthz`)).status).toBe(200);
  });
});
