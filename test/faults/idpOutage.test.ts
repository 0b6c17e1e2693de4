/**
 * An IdP that is down is not a failed sign-in. Between the launcher and the real test IdP sits a
 * stand-in that, on the token endpoint or the key set, answers 503 (an HTML page, or an OAuth
 * error body), a 200 HTML page, or drops the connection. Each is a 502 `idp_unavailable` page
 * that says to try again later, with a launch-log entry; only an answer that arrived and failed
 * verification is a 401. As soon as the stand-in passes requests through again, launches work:
 * no failure sticks in a cache.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { launchLog, startWorld, type World } from '../attacks/world.ts';
import { errorPage } from '../support/refused.ts';
import * as client from 'openid-client';
import { idpFailure } from '../../src/platform/idp.ts';
import { finishLaunch, toolLoginOf } from '../platform/harness.ts';

type Mode = 'pass' | '503-html' | '503-oauth' | '200-html' | 'drop' | 'other-keys';

/** Forwards to the real IdP, or fails the way an outage (or a proxy in front of the IdP) does. */
class IdpStandIn {
  server!: Server;
  url = '';
  mode: Mode = 'pass';
  hits = 0;
  private otherKeys = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    const { publicKey } = await generateKeyPair('RS256');
    this.otherKeys = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'not-the-idps', alg: 'RS256', use: 'sig' }] });
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.hits += 1;
    switch (this.mode) {
      case 'drop':
        req.socket.destroy();
        return;
      case '503-html':
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>Service Unavailable</h1></body></html>');
        return;
      case '503-oauth':
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'temporarily_unavailable' }));
        return;
      case '200-html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in to the proxy</body></html>');
        return;
      case 'other-keys':
        res.writeHead(200, { 'content-type': 'application/json' }).end(this.otherKeys);
        return;
      default: {
        const target = new URL(req.url!.replace(/^\/[a-z]+/, ''), this.target);
        const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      }
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('the IdP is down, or answers something that is not an answer', () => {
  let world: World;
  let standIn: IdpStandIn;
  let original: Record<string, unknown>;
  let version = 0;

  beforeAll(async () => {
    world = await startWorld();
    standIn = new IdpStandIn(world.idp.url);
    await standIn.start();
    const row = await world.launcher.services.db.selectFrom('platforms').select('idp_metadata').where('id', '=', world.platform.id).executeTakeFirstOrThrow();
    original = JSON.parse(row.idp_metadata);
  });
  afterAll(async () => {
    await standIn?.close();
    await world?.close();
  });

  /**
   * Sends the token endpoint or the key set (or both) through the stand-in. The metadata changes
   * each time, so the launcher builds a new IdP client, which has fetched no keys yet.
   */
  async function route(which: Array<'token_endpoint' | 'jwks_uri'>): Promise<void> {
    version += 1;
    const metadata = { ...original };
    for (const field of which) {
      const path = new URL(String(original[field])).pathname;
      metadata[field] = `${standIn.url}/${field === 'token_endpoint' ? 'token' : 'jwks'}${path}?v=${version}`;
    }
    await world.launcher.services.db.updateTable('platforms').set({ idp_metadata: JSON.stringify(metadata) }).where('id', '=', world.platform.id).execute();
    world.launcher.services.cache.invalidate(); // the write bypassed the service, which caches settings per instance
  }

  /** A launch up to the callback: the person has signed in at the IdP; the launcher now exchanges the code. */
  async function signedIn() {
    const browser = new Browser();
    const first = await browser.request(world.toolRecord.launch_url);
    expect(first.status).toBe(303);
    const callbackUrl = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    return { browser, callbackUrl };
  }

  async function expectUnavailable(where: Array<'token_endpoint' | 'jwks_uri'>, mode: Mode): Promise<void> {
    await route(where);
    standIn.mode = mode;
    const hitsBefore = standIn.hits;
    const { browser, callbackUrl } = await signedIn();
    const page = await errorPage(await browser.request(callbackUrl.href));
    expect(standIn.hits, 'the stand-in was asked').toBeGreaterThan(hitsBefore);
    expect([page.status, page.code], `${where.join('+')} ${mode}: ${page.body.slice(0, 300)}`).toEqual([502, 'idp_unavailable']);
    expect(page.body).toContain('The school&#39;s sign-in service is not answering. Try again in a few minutes.');
    expect(page.body).not.toContain('could not be verified');
    expect(page.body).toContain(page.requestId!);
    const [entry] = await launchLog(world, `failure_code=idp_unavailable&request_id=${page.requestId}`);
    expect(entry).toMatchObject({ outcome: 'failure', failure_code: 'idp_unavailable' });
  }

  /** The IdP is back: the very next launch goes through, with nothing remembered of the outage. */
  async function expectLaunchWorks(): Promise<void> {
    standIn.mode = 'pass';
    const { browser, callbackUrl } = await signedIn();
    const callback = await browser.request(callbackUrl.href);
    const toolLogin = await toolLoginOf(callback);
    expect(toolLogin, `callback answered ${callback.status}`).not.toBeNull();
    const { toolResponse } = await finishLaunch(browser, toolLogin!);
    expect(toolResponse?.status).toBe(200);
  }

  for (const mode of ['503-html', '503-oauth', '200-html', 'drop'] as const) {
    it(`token endpoint ${mode}: 502 idp_unavailable, and the next launch works once it is back`, async () => {
      await expectUnavailable(['token_endpoint'], mode);
      await expectLaunchWorks();
    });
  }

  for (const mode of ['503-html', '200-html', 'drop'] as const) {
    it(`key set ${mode}: 502 idp_unavailable, and the next launch works once it is back (no failure cached)`, async () => {
      await expectUnavailable(['jwks_uri'], mode);
      // Same IdP client, same metadata: the keys are fetched again now that they answer.
      await expectLaunchWorks();
    });
  }

  for (const [mode, cause] of [['503-html', 'HTTP 503'], ['200-html', 'not an OAuth answer (HTTP 200, text/html)'], ['drop', 'no connection']] as const) {
    it(`discovery ${mode} on save: 422 saying the IdP gave no usable answer (${cause}) and may be down, nothing saved`, async () => {
      standIn.mode = mode;
      const res = await world.admin('/platforms', {
        body: {
          name: 'Down School', slug: `down-${mode}`, openid_configuration_url: `${standIn.url}/discovery/.well-known/openid-configuration`,
          client_id: 'c', context_public_jwk: world.portal.publicJwk,
        },
      });
      expect(res.status).toBe(422);
      const { fields } = (await res.json()) as { fields: Record<string, string> };
      expect(fields.openid_configuration_url).toContain('the IdP gave no usable answer');
      expect(fields.openid_configuration_url).toContain(cause);
      expect(fields.openid_configuration_url).toContain(mode === '200-html' ? 'Check the URL; if it is right, the IdP may be down' : 'It may be down; try again in a few minutes');
      const listed = (await (await world.admin('/platforms')).json()) as { platforms?: Array<{ slug: string }> } | Array<{ slug: string }>;
      expect((Array.isArray(listed) ? listed : listed.platforms ?? []).map((p) => p.slug)).toContain('springfield');
      expect((Array.isArray(listed) ? listed : listed.platforms ?? []).map((p) => p.slug)).not.toContain(`down-${mode}`);
    });
  }

  it('names the upstream status in the operator detail (what the process log records with the refusal)', async () => {
    const config = new client.Configuration(
      { issuer: world.idp.issuer, token_endpoint: `${standIn.url}/token/token` }, 'c', 's', client.ClientSecretPost('s'),
    );
    client.allowInsecureRequests(config);
    for (const [mode, detail] of [['503-html', 'HTTP 503'], ['503-oauth', 'HTTP 503'], ['200-html', 'HTTP 200, text/html'], ['drop', 'no connection']] as const) {
      standIn.mode = mode;
      const err = await client.clientCredentialsGrant(config).catch((e: unknown) => e);
      const refusal = idpFailure(err, 'token endpoint');
      expect([refusal.status, refusal.code], mode).toEqual([502, 'idp_unavailable']);
      expect(refusal.detail, mode).toContain(detail);
    }
  });

  it('an answer that arrived and failed verification is still 401 idp_token_invalid (keys that did not sign it)', async () => {
    await route(['jwks_uri']);
    standIn.mode = 'other-keys';
    const { browser, callbackUrl } = await signedIn();
    const page = await errorPage(await browser.request(callbackUrl.href));
    expect([page.status, page.code]).toEqual([401, 'idp_token_invalid']);
  });

  it('an OAuth error the IdP chose to send (a 400 invalid_grant for a forged code) is still 401 idp_code_rejected', async () => {
    await route([]);
    standIn.mode = 'pass';
    const { browser, callbackUrl } = await signedIn();
    callbackUrl.searchParams.set('code', 'forged');
    const page = await errorPage(await browser.request(callbackUrl.href));
    expect([page.status, page.code]).toEqual([401, 'idp_code_rejected']);
  });
});
