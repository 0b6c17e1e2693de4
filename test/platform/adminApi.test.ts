import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/db.ts';
import { basicAuth } from '../support/servers.ts';
import { useLauncherWorld, type LauncherWorld } from './harness.ts';

describe.each(DIALECTS)('launcher admin API on %s', (dialect) => {
  let world!: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));

  const validTool = () => ({
    name: 'Quiz', client_id: `quiz-${crypto.randomUUID()}`, open_id_connect_initiation_url: 'https://quiz.example/login',
    target_link_uri: 'https://quiz.example/launch', public_key_url: `${world.tool.url}/jwks`,
  });

  it('refuses missing and wrong credentials with 401 and a WWW-Authenticate challenge', async () => {
    const none = await fetch(`${world.launcher.url}/admin/api/v1/platforms`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await none.json()).toMatchObject({ error: 'admin_unauthorized' });
    const wrong = await fetch(`${world.launcher.url}/admin/api/v1/platforms`, { headers: { authorization: basicAuth('admin', 'nope') } });
    expect(wrong.status).toBe(401);
  });

  it('never returns the client secret, and stores it encrypted', async () => {
    const list = await (await world.admin('/platforms')).text();
    expect(list).not.toContain('launcher-secret-value');
    expect(JSON.parse(list).platforms[0]).toMatchObject({ has_client_secret: true, slug: 'springfield', base_url: world.platform.base_url });
    const row = await world.launcher.services.db.selectFrom('platforms').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('launcher-secret-value');
  });

  it('names the discovery URL and the cause when the IdP cannot be read', async () => {
    const res = await world.admin('/platforms', {
      body: { name: 'X', slug: 'x-school', openid_configuration_url: 'http://127.0.0.1:9/.well-known/openid-configuration', client_id: 'c' },
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as any;
    expect(body.error).toBe('validation_failed');
    expect(body.fields.openid_configuration_url).toContain('http://127.0.0.1:9/.well-known/openid-configuration');
    expect(body.fields.openid_configuration_url).toMatch(/ECONNREFUSED|fetch failed|connect/i);
  });

  it('reports every invalid field at once', async () => {
    const res = await world.admin('/platforms', { body: { name: '', slug: 'Bad Slug!', openid_configuration_url: 'nope', role_map: { teacher: 'Wizard' } } });
    expect(res.status).toBe(422);
    const { fields } = (await res.json()) as any;
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(['name', 'slug', 'openid_configuration_url', 'client_id', 'role_map']));
  });

  it('refuses a duplicate slug', async () => {
    const res = await world.admin('/platforms', {
      body: { name: 'Again', slug: 'springfield', openid_configuration_url: world.idp.discoveryUrl, client_id: 'c2' },
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).fields.slug).toMatch(/already exists/);
  });

  it('validates tool keys on save: PEM, JWK and JWKS URL accepted; private keys and junk refused', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = await exportSPKI(publicKey);
    const jwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    for (const key of [{ public_key: pem }, { public_jwk: jwk }, { public_jwk: JSON.stringify({ keys: [jwk] }) }]) {
      const res = await world.admin(`/platforms/${world.platform.id}/tools`, { body: { ...validTool(), public_key_url: undefined, ...key } });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ public_jwk: privateJwk, public_key_url: undefined }, 'public_jwk'],
      [{ public_key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----', public_key_url: undefined }, 'public_key'],
      [{ public_key: 'hello', public_key_url: undefined }, 'public_key'],
      [{ public_key_url: 'http://127.0.0.1:9/jwks' }, 'public_key_url'],
      [{ public_key_url: undefined }, 'public_key'],
    ];
    for (const [patch, field] of cases) {
      const res = await world.admin(`/platforms/${world.platform.id}/tools`, { body: { ...validTool(), ...patch } });
      expect(res.status).toBe(422);
      expect(Object.keys(((await res.json()) as any).fields)).toContain(field);
    }
  });

  it('creates, reads, updates and deletes a tool; client_id is unique within the platform', async () => {
    const body = validTool();
    const created = (await (await world.admin(`/platforms/${world.platform.id}/tools`, { body })).json()) as any;
    expect(created).toMatchObject({ id: expect.any(String), deployment_id: expect.any(String), launch_url: `${world.platform.base_url}/launch/${body.client_id}`, share_name: true, share_email: true });
    const dup = await world.admin(`/platforms/${world.platform.id}/tools`, { body });
    expect(dup.status).toBe(422);
    expect(((await dup.json()) as any).fields.client_id).toMatch(/already/);
    const patched = (await (await world.admin(`/tools/${created.id}`, { method: 'PATCH', body: { share_email: false, custom: { a: 'b' } } })).json()) as any;
    expect(patched).toMatchObject({ share_email: false, custom: { a: 'b' }, name: 'Quiz', deployment_id: created.deployment_id });
    expect((await world.admin(`/tools/${created.id}`)).status).toBe(200);
    expect((await world.admin(`/tools/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await world.admin(`/tools/${created.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: 'tool_not_found' });
  });

  it('patches a platform without touching the fields not sent, and keeps the secret when not sent', async () => {
    const res = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { name: 'Springfield High School' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'Springfield High School', slug: 'springfield', has_client_secret: true });
  });

  it('filters the launch log', async () => {
    const res = await world.admin(`/launches?outcome=failure&platform_id=${world.platform.id}&limit=5`);
    expect(res.status).toBe(200);
    expect((await world.admin('/launches?outcome=maybe')).status).toBe(400);
  });

  it('rate-limits failed sign-ins per address with 429', async () => {
    let last: Response | null = null;
    for (let i = 0; i < 12; i++) {
      last = await fetch(`${world.launcher.url}/admin/api/v1/keys`, { headers: { authorization: basicAuth('admin', `guess-${i}`) } });
    }
    expect(last!.status).toBe(429);
    expect(await last!.json()).toMatchObject({ error: 'admin_rate_limited' });
    // Even the right password waits out the window.
    expect((await world.admin('/keys')).status).toBe(429);
  });
});
