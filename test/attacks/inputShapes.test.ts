/**
 * Attacks through the shape of what an admin or an upstream service hands the two roles: IPv6
 * spellings that reach IPv4 (item 10), an IdP discovery document with script or file URLs
 * (item 11), keys that are not public, key sets with one kid twice, and fields a resource does not
 * have (item 15). Issue 14; docs/security.md and docs/security-gateway.md list each case.
 *
 * URLs under the SSRF policy are given as fields the server checks but never fetches (a tool's
 * icon, a gateway registration's key set URL, which is fetched only at launch), so a regression
 * of the policy makes a test fail without sending anything off this machine.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { ConsoleClient } from '../support/adminClient.ts';
import { textOf } from '../support/htmlForm.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';
import { FakeLms } from '../tool/support/fakeLms.ts';
import { createApp, launch, registerLms, startGateway, type TestGateway } from '../tool/support/gatewaySetup.ts';
import { adminClient, launchLog, startLauncher, startWorld, type World } from './world.ts';
import { errorPage } from '../support/refused.ts';

/** A small HTTP server answering JSON that the test sets per path. */
class JsonServer {
  server!: Server;
  url = '';
  readonly documents = new Map<string, (base: string) => unknown>();
  requests = 0;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.requests += 1;
      const document = this.documents.get(new URL(req.url!, this.url).pathname);
      if (!document) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document(this.url)));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function adminOf(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/admin/api/v1${path}`, {
    method,
    headers: { authorization: basicAuth(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const publicJwkOf = async (alg = 'RS256'): Promise<JWK> => exportJWK((await generateKeyPair(alg, { extractable: true })).publicKey);
const privateJwkOf = async (alg = 'RS256'): Promise<JWK> => exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey);
const suffix = () => randomBytes(3).toString('hex');

/** A platform row as if its IdP were public (saving one through the API would fetch its discovery). */
async function insertPublicPlatform(launcher: RunningRole, metadata: Record<string, unknown> = {}): Promise<{ id: string; slug: string }> {
  const id = randomUUID();
  const slug = `pub-${suffix()}`;
  await launcher.services.db.insertInto('platforms').values({
    id, name: 'Public', slug, openid_configuration_url: 'https://idp.example/.well-known/openid-configuration',
    idp_metadata: JSON.stringify(metadata), client_id: 'c', client_secret_enc: null, context_jwks_url: null, context_public_jwk: null,
    context_public_key: null, role_claim: null, role_map: null, created_at: Date.now(), updated_at: Date.now(),
  }).execute();
  return { id, slug };
}

// 6to4 2002:AABB:CCDD::/48 carries AABBCCDD; Teredo carries the client's address inverted in its last 32 bits.
const TRANSITION_TARGETS: Array<[string, string, RegExp]> = [
  ['IPv4-compatible ::127.0.0.1', '[::127.0.0.1]', /IPv4-compatible IPv6 address \(::\/96\)/],
  ['IPv4-compatible ::169.254.169.254', '[::a9fe:a9fe]', /IPv4-compatible/],
  ['IPv4-mapped, every group written out', '[0:0:0:0:0:ffff:7f00:1]', /private or loopback address \(::ffff:7f00:1, which stands for 127\.0\.0\.1\)/],
  ['IPv4-translated ::ffff:0:10.0.0.1', '[::ffff:0:a00:1]', /IPv4-translated/],
  ['6to4 of 127.0.0.1', '[2002:7f00:1::1]', /6to4 address \(2002::\/16\)/],
  ['6to4 of 169.254.169.254', '[2002:a9fe:a9fe::]', /6to4/],
  ['Teredo with client 127.0.0.1', '[2001:0:4136:e378:8000:63bf:80ff:fffe]', /Teredo address \(2001::\/32\)/],
  ['NAT64 of 169.254.169.254', '[64:ff9b::a9fe:a9fe]', /which stands for 169\.254\.169\.254/],
  ['NAT64 of 10.0.0.1', '[64:ff9b::a00:1]', /which stands for 10\.0\.0\.1/],
  ['local-use NAT64', '[64:ff9b:1::a00:1]', /local-use NAT64/],
  ['site-local fec0::/10', '[fec0::1]', /private or loopback address \(fec0::1\)/],
];

describe('issue 14 item 10: IPv6 transition ranges', () => {
  let launcher: RunningRole;
  let gateway: RunningRole;
  let platformId: string;
  let registrationId: string;

  beforeAll(async () => {
    launcher = await startLauncher({ config: { allowPrivateUrls: false } });
    platformId = (await insertPublicPlatform(launcher)).id;
    gateway = await startRole('tool', toolRoutes, { databaseUrl: null, framable: toolFramable, config: { allowPrivateUrls: false } });
    const created = await adminOf(gateway.url, 'POST', '/registrations', {
      name: 'Public LMS', issuer: 'https://lms.example', client_id: 'c', deployment_ids: [], authorization_endpoint: 'https://lms.example/auth',
      jwks_url: 'https://[2606:4700:4700::1111]/jwks',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    registrationId = created.body.id;
  });
  afterAll(async () => {
    await launcher?.close();
    await gateway?.close();
  });

  const tool = async (iconUrl: string) => adminClient(launcher)(`/platforms/${platformId}/tools`, { body: {
    name: 'T', client_id: `t-${suffix()}`, icon_url: iconUrl, open_id_connect_initiation_url: 'https://tool.example/login',
    target_link_uri: 'https://tool.example/launch', public_jwk: await publicJwkOf(),
  } });

  it.each(TRANSITION_TARGETS)('the launcher refuses %s as an admin-supplied URL (422 naming the range and ALLOW_PRIVATE_URLS)', async (_case, host, reason) => {
    const res = await tool(`https://${host}/icon.png`);
    const body = (await res.json()) as { fields: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.fields.icon_url).toMatch(reason);
    expect(body.fields.icon_url).toContain('set ALLOW_PRIVATE_URLS=true');
  });

  it.each(TRANSITION_TARGETS)('the gateway refuses %s as a key set URL (422 naming the range)', async (_case, host, reason) => {
    const res = await adminOf(gateway.url, 'PATCH', `/registrations/${registrationId}`, { jwks_url: `https://${host}/jwks` });
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.fields.jwks_url).toMatch(reason);
  });

  it('accepts NAT64 of a public IPv4 address, which IPv6-only networks need', async () => {
    const res = await tool('https://[64:ff9b::808:808]/icon.png');
    expect(res.status, await res.clone().text()).toBe(201);
    const patched = await adminOf(gateway.url, 'PATCH', `/registrations/${registrationId}`, { jwks_url: 'https://[64:ff9b::808:808]/jwks' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  });
});

describe('issue 14 item 11: discovery URLs', () => {
  let world: World;
  let idp: JsonServer;
  let api: ReturnType<typeof adminClient>;

  /** A discovery document that openid-client accepts (issuer = its own URL), with members replaced or removed. */
  const serve = (members: Record<string, unknown>) => {
    const path = `/d-${suffix()}/.well-known/openid-configuration`;
    idp.documents.set(path, (base) => {
      const issuer = `${base}${path.replace('/.well-known/openid-configuration', '')}`;
      const doc: Record<string, unknown> = {
        issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
        ...members,
      };
      for (const [k, v] of Object.entries(doc)) if (v === undefined) delete doc[k];
      return doc;
    });
    return `${idp.url}${path}`;
  };
  const savePlatform = (discoveryUrl: string) => api('/platforms', {
    body: { name: 'Rogue', slug: `rogue-${suffix()}`, openid_configuration_url: discoveryUrl, client_id: 'c', context_public_jwk: world.portal.publicJwk },
  });

  beforeAll(async () => {
    world = await startWorld();
    api = world.admin;
    idp = new JsonServer();
    await idp.start();
  });
  afterAll(async () => {
    await idp?.close();
    await world?.close();
  });

  it.each([
    ['authorization_endpoint', 'javascript:alert(document.domain)'],
    ['authorization_endpoint', 'data:text/html,<script>alert(1)</script>'],
    ['token_endpoint', 'file:///etc/passwd'],
    ['jwks_uri', 'gopher://127.0.0.1:6379/_FLUSHALL'],
    ['userinfo_endpoint', 'javascript:alert(1)'],
    ['end_session_endpoint', 'javascript:alert(1)'],
    ['end_session_endpoint', 'not a url'],
    ['token_endpoint', 'https://user:password@idp.example/token'],
  ])('refuses on save a discovery document whose %s is %s (422 naming the member), storing nothing', async (member, value) => {
    const res = await savePlatform(serve({ [member]: value }));
    const body = (await res.json()) as { error: string; fields: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(422);
    expect(body.fields.openid_configuration_url).toContain(`its ${member}`);
    const { platforms } = (await (await api('/platforms')).json()) as { platforms: Array<{ name: string }> };
    expect(platforms.some((p) => p.name === 'Rogue')).toBe(false);
  });

  it('refuses on save a document without an authorization endpoint, or with one that is not text', async () => {
    for (const value of [undefined, 42, { href: 'https://idp.example/auth' }]) {
      const res = await savePlatform(serve({ authorization_endpoint: value }));
      const body = (await res.json()) as { fields: Record<string, string> };
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(body.fields.openid_configuration_url).toMatch(/authorization_endpoint/);
    }
  });

  it('puts the refusal on the console form\'s discovery field, naming the member', async () => {
    const client = new ConsoleClient(world.launcher.url);
    const token = await client.tokenFrom('/admin/platforms/new');
    const answer = await client.post('/admin/platforms', {
      _csrf: token, name: 'Rogue', slug: `rogue-${suffix()}`, openid_configuration_url: serve({ authorization_endpoint: 'javascript:alert(1)' }),
      client_id: 'c', client_secret: '', context_key: JSON.stringify(world.portal.publicJwk), role_claim: '', role_map: '', action: 'save',
    });
    expect(answer.status).toBe(422);
    expect(textOf(answer.html, 'f-openid_configuration_url-error')).toMatch(/its authorization_endpoint "javascript:alert\(1\)" is not an http\(s\) URL/);
  });

  // A document stored before these checks (or written by hand): the launch used to end in a 500.
  it.each([
    ['an authorization_endpoint of javascript:', { authorization_endpoint: 'javascript:alert(document.cookie)' }, 'authorization_endpoint'],
    ['no token_endpoint', { token_endpoint: undefined }, 'token_endpoint'],
    ['a jwks_uri that is not a URL', { jwks_uri: 'keys please' }, 'jwks_uri'],
  ])('answers a launch with a stored document with %s: 502 idp_metadata_invalid, a page for the person, a launch-log entry', async (_case, change, member) => {
    const db = world.launcher.services.db;
    const row = await db.selectFrom('platforms').select('idp_metadata').where('id', '=', world.platform.id).executeTakeFirstOrThrow();
    const stored = { ...JSON.parse(row.idp_metadata), ...change };
    await db.updateTable('platforms').set({ idp_metadata: JSON.stringify(stored) }).where('id', '=', world.platform.id).execute();
    world.launcher.services.cache.invalidate();
    try {
      const response = await new Browser().request(world.toolRecord.launch_url);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('location')).toBeNull();
      const page = await errorPage(response);
      expect([page.status, page.code]).toEqual([502, 'idp_metadata_invalid']);
      expect(page.body).toContain('Tell the administrator');
      expect(page.body).not.toContain('javascript:');
      const [entry] = await launchLog(world, `request_id=${page.requestId}`);
      const failed = entry.steps.find((s: { outcome: string }) => s.outcome === 'failed');
      expect(failed).toMatchObject({ step: 'check_idp_config', code: 'idp_metadata_invalid' });
      expect(failed.detail).toContain(member);
    } finally {
      await db.updateTable('platforms').set({ idp_metadata: row.idp_metadata }).where('id', '=', world.platform.id).execute();
      world.launcher.services.cache.invalidate();
    }
  });

  it('answers a launch with an empty stored document (502 idp_metadata_invalid, not 500)', async () => {
    const db = world.launcher.services.db;
    const row = await db.selectFrom('platforms').select('idp_metadata').where('id', '=', world.platform.id).executeTakeFirstOrThrow();
    await db.updateTable('platforms').set({ idp_metadata: '{}' }).where('id', '=', world.platform.id).execute();
    world.launcher.services.cache.invalidate();
    try {
      const page = await errorPage(await new Browser().request(world.toolRecord.launch_url));
      expect([page.status, page.code]).toEqual([502, 'idp_metadata_invalid']);
    } finally {
      await db.updateTable('platforms').set({ idp_metadata: row.idp_metadata }).where('id', '=', world.platform.id).execute();
      world.launcher.services.cache.invalidate();
    }
  });

  // Saved while ALLOW_PRIVATE_URLS was on, launched with it off: the browser is not sent to an internal address.
  it('refuses a stored authorization endpoint at a private address once ALLOW_PRIVATE_URLS is off (502 idp_url_refused)', async () => {
    const strict = await startLauncher({ config: { allowPrivateUrls: false } });
    try {
      const platform = await insertPublicPlatform(strict, {
        issuer: 'https://idp.example', authorization_endpoint: 'https://[64:ff9b::a9fe:a9fe]/auth',
        token_endpoint: 'https://idp.example/token', jwks_uri: 'https://idp.example/jwks',
      });
      const created = await adminClient(strict)(`/platforms/${platform.id}/tools`, { body: {
        name: 'T', client_id: 'tool', open_id_connect_initiation_url: 'https://tool.example/login', target_link_uri: 'https://tool.example/launch',
        public_jwk: await publicJwkOf(),
      } });
      const { launch_url: launchUrl } = (await created.json()) as { launch_url: string };
      const response = await new Browser().request(launchUrl);
      expect(response.headers.get('location')).toBeNull();
      const page = await errorPage(response);
      expect([page.status, page.code]).toEqual([502, 'idp_url_refused']);
      expect(page.body).toContain('its authorization_endpoint');
    } finally {
      await strict.close();
    }
  });
});

describe('issue 14 item 15: private keys, duplicate kids, unknown fields', () => {
  let world: World;
  let keys: JsonServer;
  let gateway: TestGateway;
  let lms: FakeLms;

  beforeAll(async () => {
    world = await startWorld();
    keys = new JsonServer();
    await keys.start();
    gateway = await startGateway('sqlite');
    lms = await FakeLms.start();
  });
  afterAll(async () => {
    await gateway?.close();
    await lms?.close();
    await keys?.close();
    await world?.close();
  });

  const toolBody = (key: Record<string, unknown>) => ({
    name: 'T', client_id: `t-${suffix()}`, open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, ...key,
  });

  describe('keys given as public that are not', () => {
    /** RSA private keys without "d": p and q factor the modulus, so each still is the private key. */
    const disguised = async (): Promise<Array<[string, JWK]>> => {
      const { d: _d, ...crt } = (await privateJwkOf()) as Record<string, string>;
      const { p: _p, ...onlyQ } = crt;
      const publicPart = await publicJwkOf();
      return [
        ['an RSA key with its CRT members but no "d"', crt as JWK],
        ['an RSA key with only "q" and the CRT exponents', onlyQ as JWK],
        ['an RSA key with "dp" added', { ...publicPart, dp: 'AQAB' }],
        ['an EC private key', await privateJwkOf('ES256')],
        ['an Ed25519 private key', await privateJwkOf('EdDSA')],
      ];
    };

    it('the launcher refuses each as a tool key, a key set member and a portal context key (422 saying it must be replaced)', async () => {
      for (const [label, jwk] of await disguised()) {
        const asJwk = await world.admin(`/platforms/${world.platform.id}/tools`, { body: toolBody({ public_jwk: jwk }) });
        const body = (await asJwk.json()) as { fields: Record<string, string> };
        expect(asJwk.status, label).toBe(422);
        expect(body.fields.public_jwk, label).toMatch(/this is a private key .*treated as exposed: make a new key pair, replace this key/);
        const inSet = await world.admin(`/platforms/${world.platform.id}/tools`, { body: toolBody({ public_jwk: { keys: [await publicJwkOf(), jwk] } }) });
        expect(inSet.status, label).toBe(422);
        const context = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { context_public_jwk: jwk } });
        expect(context.status, label).toBe(422);
        expect(((await context.json()) as { fields: Record<string, string> }).fields.context_public_jwk).toMatch(/private key/);
      }
    });

    it('the launcher refuses a symmetric key, saying the secret must be replaced', async () => {
      const res = await world.admin(`/platforms/${world.platform.id}/tools`, { body: toolBody({ public_jwk: { kty: 'oct', k: 'c2VjcmV0' } }) });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { fields: Record<string, string> }).fields.public_jwk).toMatch(/secret \(symmetric\) key.*treated as exposed: replace it/);
    });

    it('the launcher refuses a key set URL that publishes a private key', async () => {
      const path = `/leaky-${suffix()}`;
      const [[, crt]] = await disguised();
      keys.documents.set(path, () => ({ keys: [{ ...crt, kid: 'k1' }] }));
      const res = await world.admin(`/platforms/${world.platform.id}/tools`, { body: toolBody({ public_key_url: `${keys.url}${path}` }) });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { fields: Record<string, string> }).fields.public_key_url).toMatch(/private key/);
    });

    it('the gateway refuses each as a registration\'s public_jwk (422 saying it must be replaced)', async () => {
      for (const [label, jwk] of await disguised()) {
        const res = await gateway.admin('POST', '/registrations', {
          name: 'Leaky', issuer: `https://leaky-${suffix()}.example`, client_id: 'c', deployment_ids: [], authorization_endpoint: 'https://leaky.example/auth', public_jwk: jwk,
        });
        expect(res.status, label).toBe(422);
        expect(res.body.fields.public_jwk, label).toMatch(/private key .*replace this key/);
      }
    });
  });

  describe('key sets with one kid twice', () => {
    it('the launcher refuses such a key set pasted or at a key set URL (422 naming the kid)', async () => {
      const twice = { keys: [{ ...(await publicJwkOf()), kid: 'same' }, { ...(await publicJwkOf()), kid: 'same' }] };
      const pasted = await world.admin(`/platforms/${world.platform.id}/tools`, { body: toolBody({ public_jwk: twice }) });
      expect(pasted.status).toBe(422);
      expect(((await pasted.json()) as { fields: Record<string, string> }).fields.public_jwk).toContain('two keys with the kid "same"');
      const path = `/twice-${suffix()}`;
      keys.documents.set(path, () => twice);
      const fetched = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { context_jwks_url: `${keys.url}${path}`, context_public_jwk: null } });
      expect(fetched.status).toBe(422);
      expect(((await fetched.json()) as { fields: Record<string, string> }).fields.context_jwks_url).toContain('two keys with the kid "same"');
      // Keys of different types under one kid are alternatives (RFC 7517 4.5), not ambiguous.
      const alternatives = { keys: [{ ...(await publicJwkOf()), kid: 'same' }, { ...(await publicJwkOf('ES256')), kid: 'same' }] };
      const accepted = await world.admin(`/platforms/${world.platform.id}/tools`, { body: toolBody({ public_jwk: alternatives }) });
      expect(accepted.status, await accepted.clone().text()).toBe(201);
    });

    it('the gateway refuses an LMS key set with one kid twice at launch (502 platform_jwks_invalid naming the kid, in the launch log)', async () => {
      const path = `/lms-${suffix()}`;
      const honest = lms.publicJwk();
      // The LMS's real key, and a second key under its kid: which one verifies would be a guess.
      const other = await publicJwkOf();
      keys.documents.set(path, () => ({ keys: [honest, { ...other, kid: honest.kid, alg: 'RS256', use: 'sig' }] }));
      await registerLms(gateway, lms, { jwks_url: `${keys.url}${path}` });
      const app = await createApp(gateway, { slug: `dup-${suffix()}` });
      const run = await launch(new Browser(), lms, gateway, { targetLinkUri: app.launch_url });
      const page = await run.launch!.text();
      expect(run.launch!.status, page.slice(0, 300)).toBe(502);
      expect(page).toContain('platform_jwks_invalid');
      const { body } = await gateway.admin('GET', `/launches?request_id=${run.launch!.headers.get('x-request-id')}`);
      const failed = body.launches[0].steps.find((s: { outcome: string }) => s.outcome === 'failed');
      expect(failed).toMatchObject({ code: 'platform_jwks_invalid' });
      expect(failed.detail).toContain(`two keys with the kid "${honest.kid}"`);
    });
  });

  describe('fields a resource does not have', () => {
    const refusedAsUnknown = async (res: Response, fields: string[]) => {
      const body = (await res.json()) as { error: string; fields: string[]; message: string };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error).toBe('unknown_fields');
      expect(body.fields).toEqual(fields);
      for (const field of fields) expect(body.message).toContain(`"${field}"`);
    };

    it('the launcher refuses unknown fields on PATCH and POST of platforms and tools (400 naming them), changing nothing', async () => {
      await refusedAsUnknown(await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { name: 'Renamed', colour: 'red' } }), ['colour']);
      // A read-only field of the view, sent back as if it could be set.
      await refusedAsUnknown(await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { issuer: 'https://evil.example', redirect_uri: 'https://evil.example/cb' } }), ['issuer', 'redirect_uri']);
      await refusedAsUnknown(await world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { publik_key_url: 'https://evil.example/jwks' } }), ['publik_key_url']);
      await refusedAsUnknown(await world.admin(`/platforms/${world.platform.id}/tools`, { body: { ...toolBody({ public_jwk: await publicJwkOf() }), constructor: 'x' } }), ['constructor']);
      const platform = (await (await world.admin(`/platforms/${world.platform.id}`)).json()) as { name: string };
      expect(platform.name).toBe(world.platform.name);
    });

    it('the gateway refuses unknown fields on PATCH and POST of registrations and apps (400 naming them)', async () => {
      const registration = await registerLms(gateway, lms, { issuer: `https://lms-${suffix()}.example` });
      await refusedAsUnknown(
        await fetch(`${gateway.url}/admin/api/v1/registrations/${registration.id}`, {
          method: 'PATCH', headers: { authorization: basicAuth(), 'content-type': 'application/json' }, body: JSON.stringify({ jwks_uri: 'https://lms.example/jwks' }),
        }),
        ['jwks_uri'],
      );
      const app = await createApp(gateway, { slug: `unknown-${suffix()}` });
      await refusedAsUnknown(
        await fetch(`${gateway.url}/admin/api/v1/apps/${app.id}`, {
          method: 'PATCH', headers: { authorization: basicAuth(), 'content-type': 'application/json' }, body: JSON.stringify({ api_key: 'chosen', name: 'X' }),
        }),
        ['api_key'],
      );
    });
  });
});
