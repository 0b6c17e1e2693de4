/**
 * Issue 14 item 8 (first half): an error page on the service's own origin must never say, in its
 * own words, a sentence a request chose. Each case sends a phishing sentence over real HTTP where
 * a failure used to quote it — the IdP's error_description at the launcher's /callback, the
 * LMS's at the gateway's /lti/launch, /auth's response_type, an unknown client id, platform, issuer
 * or deployment — and checks the page: the main message is ours alone; the sentence appears only
 * in the marked "the request said" block, escaped and cut; the JSON answer carries it under `said`,
 * cut the same way; and the launch log still tells the admin what was sent.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAID_MAX_LENGTH } from '../../src/web/requestSaid.ts';
import { Browser } from '../support/browser.ts';
import { FakeLms } from '../tool/support/fakeLms.ts';
import { createApp, registerLms, startGateway, type TestGateway } from '../tool/support/gatewaySetup.ts';
import { launchLog, startWorld, type World } from './world.ts';
import { errorPage } from '../support/refused.ts';

/** What an attacker wants a trusted origin to say; longer than SAID_MAX_LENGTH, so it must be cut. */
const PHISH = 'Your account is locked. Call 555-0199 now to unlock it and give the agent your password.';
const TAIL = ' This text goes on and on so that it is longer than any value the page shows back in full.';
const SENT = `${PHISH}${TAIL}`;
/** A part of the sentence only a page that shows more than SAID_MAX_LENGTH characters would carry. */
const BEYOND_CUT = 'longer than any value';
/** SENT as the JSON answer and the launch log write it: cut, and marked. */
const CUT = `${SENT.slice(0, SAID_MAX_LENGTH)}… (cut)`;

/** The parts of an error page a person reads: our message, the marked block, and the page without the block. */
function readPage(body: string) {
  // The main message: the paragraph right under the page's heading.
  const message = /<\/h1>\s*<p[^>]*>([\s\S]*?)<\/p>/.exec(body)?.[1];
  const blocks = body.match(/<section class="said"[\s\S]*?<\/section>/g) ?? [];
  const said = blocks[0];
  const values = new Map<string, { value: string; cutNote: string | null }>();
  for (const m of (said ?? '').matchAll(/<dt>([^<]*)<\/dt><dd><code class="said-value">([^<]*)<\/code>(?: <span class="muted">([^<]*)<\/span>)?<\/dd>/g)) {
    values.set(m[1], { value: m[2], cutNote: m[3] ?? null });
  }
  return { message, said, blockCount: blocks.length, values, outside: said ? body.replace(said, '') : body };
}

/** The checks every case makes on the HTML page: `name` carried SENT, shown only in the marked block, cut. */
function expectQuotedApart(body: string, name: string) {
  const page = readPage(body);
  expect(page.message, 'the page has its main message').toBeTruthy();
  expect(page.message).not.toContain('555-0199');
  expect(page.outside, 'nothing outside the marked block quotes the request').not.toContain('555-0199');
  expect(page.blockCount).toBe(1);
  expect(page.said).toContain('The request said (not checked, not from us)');
  const shown = page.values.get(name);
  expect(shown, `the block shows ${name}`).toBeDefined();
  expect(shown!.value).toBe(SENT.slice(0, SAID_MAX_LENGTH));
  expect(shown!.value).toContain(PHISH);
  expect(page.said).not.toContain(BEYOND_CUT);
  expect(shown!.cutNote).toBe(`(cut: ${SENT.length} characters sent)`);
  // Styled by the page's style sheet (with its CSP nonce), never by an inline style attribute.
  expect(body).not.toMatch(/\sstyle=/);
  return page;
}

/** The JSON answer of the same failure: the message is ours, `said` carries the cut value. */
async function expectJsonSaid(response: Response, code: string, name: string) {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: string; message: string; said?: Record<string, string> };
  expect(body.error).toBe(code);
  expect(body.message).not.toContain('555-0199');
  expect(body.said?.[name]).toBe(CUT);
  return body;
}

const asJson = { accept: 'application/json' };

describe('issue 14 item 8: error pages quote what a request said apart from their own words', () => {
  describe('the launcher', () => {
    let world: World;
    let base: string;
    beforeAll(async () => {
      world = await startWorld();
      base = world.platform.base_url;
    });
    afterAll(async () => world?.close());

    /** A launch's state, and the browser it belongs to, at the point where the IdP answers. */
    async function atCallback() {
      const browser = new Browser();
      const first = await browser.request(world.toolRecord.launch_url);
      expect(first.status).toBe(303);
      return { browser, state: new URL(first.headers.get('location')!).searchParams.get('state')! };
    }

    it('an IdP error_description at /callback is quoted only in the marked block, and reaches the launch log', async () => {
      const { browser, state } = await atCallback();
      const url = `${base}/callback?${new URLSearchParams({ state, error: 'access_denied', error_description: SENT })}`;
      const page = await errorPage(await browser.request(url));
      expect(page.status).toBe(401);
      expect(page.code).toBe('idp_denied');
      const read = expectQuotedApart(page.body, 'error_description');
      expect(read.values.get('error')).toEqual({ value: 'access_denied', cutNote: null });

      const [entry] = await launchLog(world, `request_id=${page.requestId}`);
      expect(entry.failure_code).toBe('idp_denied');
      expect(entry.failure_message).not.toContain('555-0199');
      const failed = entry.steps.find((s: any) => s.outcome === 'failed');
      expect(failed.detail).toContain(`error_description=${JSON.stringify(CUT)}`);
      expect(failed.detail).toContain('error="access_denied"');
    });

    it('the same answer as JSON carries the values under `said`, cut the same way', async () => {
      const { browser, state } = await atCallback();
      const url = `${base}/callback?${new URLSearchParams({ state, error: 'access_denied', error_description: SENT })}`;
      const res = await browser.request(url, { headers: asJson });
      expect(res.status).toBe(401);
      const body = await expectJsonSaid(res, 'idp_denied', 'error_description');
      expect(body.said!.error).toBe('access_denied');
    });

    /** An /auth request of the known tool, as the tool would send it, with some parameters replaced. */
    const auth = (params: Record<string, string>, headers: Record<string, string> = { accept: 'text/html' }) => fetch(`${base}/auth?${new URLSearchParams({
      scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: world.tool.clientId,
      redirect_uri: `${world.tool.url}/launch`, login_hint: 'h', nonce: randomUUID(), state: 's', ...params,
    })}`, { redirect: 'manual', headers });

    it('/auth?response_type=<a sentence> is quoted only in the marked block, and reaches the launch log', async () => {
      const page = await errorPage(await auth({ response_type: SENT }));
      expect(page.status).toBe(400);
      expect(page.code).toBe('auth_response_type_invalid');
      expectQuotedApart(page.body, 'response_type');
      const json = await auth({ response_type: SENT }, asJson);
      await expectJsonSaid(json, 'auth_response_type_invalid', 'response_type');

      const [entry] = await launchLog(world, `request_id=${page.requestId}`);
      expect(entry.failure_code).toBe('auth_response_type_invalid');
      expect(entry.failure_message).not.toContain('555-0199');
      expect(entry.steps.find((s: any) => s.outcome === 'failed').detail).toContain(`response_type=${JSON.stringify(CUT)}`);
    });

    it('an unknown client id at /auth and in a launch link is quoted only in the marked block', async () => {
      const atAuth = await errorPage(await auth({ client_id: SENT }));
      expect(atAuth.status).toBe(404);
      expect(atAuth.code).toBe('auth_client_unknown');
      expectQuotedApart(atAuth.body, 'client_id');
      await expectJsonSaid(await auth({ client_id: SENT }, asJson), 'auth_client_unknown', 'client_id');

      const link = `${base}/launch/${encodeURIComponent(SENT)}`;
      const atLaunch = await errorPage(await new Browser().request(link));
      expect(atLaunch.status).toBe(404);
      expect(atLaunch.code).toBe('tool_unknown');
      const read = expectQuotedApart(atLaunch.body, 'client_id');
      // Names from our own database stay in the message: the platform is the admin's.
      expect(read.message).toContain('Springfield High');
      await expectJsonSaid(await new Browser().request(link, { headers: asJson }), 'tool_unknown', 'client_id');
    });

    it('an unknown platform name in the address is quoted only in the marked block', async () => {
      const link = `${world.launcher.url}/p/${encodeURIComponent(SENT)}/launch/${world.tool.clientId}`;
      const page = await errorPage(await new Browser().request(link));
      expect(page.status).toBe(404);
      expect(page.code).toBe('platform_unknown');
      expectQuotedApart(page.body, 'platform');
    });

    it('escapes markup in a quoted value and shows control and bidi-override characters as replacement marks', async () => {
      const { browser, state } = await atCallback();
      const hostile = '<script>alert(1)</script>\u202eevil\u0007';
      const url = `${base}/callback?${new URLSearchParams({ state, error: 'access_denied', error_description: hostile })}`;
      const page = await errorPage(await browser.request(url));
      expect(page.status).toBe(401);
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).not.toContain('\u202e');
      expect(readPage(page.body).values.get('error_description')).toEqual({ value: '&lt;script&gt;alert(1)&lt;/script&gt;\uFFFDevil\uFFFD', cutNote: null });
    });

    it('a failure without request text has no "request said" block', async () => {
      const page = await errorPage(await auth({ scope: 'profile' }));
      expect(page.code).toBe('auth_scope_invalid');
      expect(readPage(page.body).blockCount).toBe(0);
      const json = (await (await auth({ scope: 'profile' }, asJson)).json()) as Record<string, unknown>;
      expect(json).not.toHaveProperty('said');
    });
  });

  describe('the gateway', () => {
    let gateway: TestGateway;
    let lms: FakeLms;
    beforeAll(async () => {
      lms = await FakeLms.start();
      gateway = await startGateway('sqlite');
      await registerLms(gateway, lms);
      await createApp(gateway, {});
    });
    afterAll(async () => {
      await gateway?.close();
      await lms?.close();
    });

    const login = (params: Record<string, string>, headers: Record<string, string> = { accept: 'text/html' }) => fetch(`${gateway.url}/lti/login?${new URLSearchParams({
      iss: lms.issuer, client_id: lms.clientId, login_hint: 'h', target_link_uri: `${gateway.url}/lti/launch/chatbot`, ...params,
    })}`, { redirect: 'manual', headers });

    it('an LMS error_description at /lti/launch is quoted only in the marked block; as JSON under `said`', async () => {
      const started = await login({});
      expect(started.status).toBe(302);
      const state = new URL(started.headers.get('location')!).searchParams.get('state')!;
      const answer = (headers: Record<string, string>) => fetch(`${gateway.url}/lti/launch/chatbot`, {
        method: 'POST', headers, body: new URLSearchParams({ error: 'login_required', error_description: SENT, state }),
      });
      const page = await errorPage(await answer({ accept: 'text/html' }));
      expect(page.status).toBe(400);
      expect(page.code).toBe('platform_error');
      const read = expectQuotedApart(page.body, 'error_description');
      expect(read.values.get('error')).toEqual({ value: 'login_required', cutNote: null });
      const body = await expectJsonSaid(await answer(asJson), 'platform_error', 'error_description');
      expect(body.said!.error).toBe('login_required');
    });

    it('an unknown issuer at /lti/login is quoted only in the marked block', async () => {
      const page = await errorPage(await login({ iss: SENT }));
      expect(page.status).toBe(404);
      expect(page.code).toBe('registration_unknown');
      expectQuotedApart(page.body, 'iss');
      await expectJsonSaid(await login({ iss: SENT }, asJson), 'registration_unknown', 'iss');
    });

    it('an unknown deployment id is quoted only in the marked block, and reaches the launch log', async () => {
      const page = await errorPage(await login({ lti_deployment_id: SENT }));
      expect(page.status).toBe(403);
      expect(page.code).toBe('deployment_unknown');
      expectQuotedApart(page.body, 'lti_deployment_id');
      const { body } = await gateway.admin('GET', `/launches?request_id=${page.requestId}`);
      const [entry] = body.launches;
      expect(entry.failure_code).toBe('deployment_unknown');
      expect(entry.failure_message).not.toContain('555-0199');
      expect(entry.steps.find((s: any) => s.outcome === 'failed').detail).toContain(`lti_deployment_id=${JSON.stringify(CUT)}`);
    });
  });
});
