import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { createApp, launch, registerLms, useGateway } from './support/gatewaySetup.ts';

describe.each(DIALECTS)('gateway admin API (%s)', (dialect) => {
  const world = useGateway({ dialect, lms: 'started' });

  const registration = () => ({
    name: 'Canvas test', issuer: 'https://canvas.test.instructure.com', client_id: '10000000000001', deployment_ids: ['1:abc'],
    authorization_endpoint: 'https://sso.test.canvaslms.com/api/lti/authorize_redirect',
    token_endpoint: 'https://sso.test.canvaslms.com/login/oauth2/token', jwks_url: 'https://sso.test.canvaslms.com/api/lti/security/jwks',
  });

  it('requires Basic credentials, answered as JSON', async () => {
    const response = await fetch(`${world.gateway.url}/admin/api/v1/registrations`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
    expect(await response.json()).toMatchObject({ error: 'admin_unauthorized' });
    const wrong = await fetch(`${world.gateway.url}/admin/api/v1/apps`, { headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
  });

  it('tells the LMS administrator what to enter', async () => {
    const { status, body } = await world.gateway.admin('GET', '/tool-configuration');
    expect(status).toBe(200);
    expect(body).toEqual({
      login_initiation_url: `${world.gateway.url}/lti/login`,
      jwks_url: `${world.gateway.url}/.well-known/jwks.json`,
      launch_url: `${world.gateway.url}/lti/launch`,
      app_launch_url_pattern: `${world.gateway.url}/lti/launch/<slug>`,
    });
  });

  it('creates, reads, updates and deletes a registration', async () => {
    const created = await world.gateway.admin('POST', '/registrations', registration());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...registration(), public_jwk: null, public_key: null });
    const id = created.body.id;
    const patched = await world.gateway.admin('PATCH', `/registrations/${id}`, { deployment_ids: ['1:abc', '2:def'], name: 'Canvas' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Canvas', deployment_ids: ['1:abc', '2:def'], client_id: '10000000000001' });
    expect((await world.gateway.admin('GET', `/registrations/${id}`)).body.name).toBe('Canvas');
    expect((await world.gateway.admin('GET', '/registrations')).body.registrations.map((r: any) => r.id)).toContain(id);
    expect((await world.gateway.admin('DELETE', `/registrations/${id}`)).status).toBe(204);
    const gone = await world.gateway.admin('GET', `/registrations/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toBe('registration_not_found');
  });

  it('refuses an invalid registration with 422 and a message per field', async () => {
    const empty = await world.gateway.admin('POST', '/registrations', {});
    expect(empty.status).toBe(422);
    expect(empty.body.error).toBe('validation_failed');
    expect(Object.keys(empty.body.fields).sort()).toEqual(['authorization_endpoint', 'client_id', 'issuer', 'jwks_url', 'name'].sort());
    const bad = await world.gateway.admin('POST', '/registrations', {
      ...registration(), issuer: 'not a url', authorization_endpoint: 'ftp://x', deployment_ids: [''],
      public_jwk: { kty: 'RSA', n: 'x', e: 'AQAB', d: 'secret' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.fields).toMatchObject({
      issuer: expect.any(String), authorization_endpoint: expect.any(String), deployment_ids: expect.any(String),
      public_jwk: expect.stringContaining('private'),
    });
    const unknown = await world.gateway.admin('POST', '/registrations', { ...registration(), colour: 'red' });
    expect([unknown.status, unknown.body.error, unknown.body.fields]).toEqual([400, 'unknown_fields', ['colour']]);
    expect((await world.gateway.admin('POST', '/registrations', { ...registration(), jwks_url: null })).body.fields.jwks_url).toContain('exactly one');
    const first = await world.gateway.admin('POST', '/registrations', registration());
    const duplicate = await world.gateway.admin('POST', '/registrations', registration());
    expect(duplicate.status).toBe(422);
    expect(duplicate.body.fields).toEqual({ client_id: 'is already registered for this issuer' });
    await world.gateway.admin('DELETE', `/registrations/${first.body.id}`);
  });

  it('accepts a static public JWK instead of a JWKS URL and verifies launches with it', async () => {
    await registerLms(world.gateway, world.lms, { jwks_url: null, public_jwk: world.lms.publicJwk() });
    const app = await createApp(world.gateway, { slug: 'static-key' });
    const before = world.lms.jwksRequests;
    const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: app.launch_url });
    expect(run.launch!.status).toBe(303);
    expect(world.lms.jwksRequests).toBe(before);
  });

  it('shows an app’s API key once, stores only its hash, and regenerates it', async () => {
    const created = await world.gateway.admin('POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'https://chat.example.edu/' });
    expect(created.status).toBe(201);
    const { api_key: apiKey, id } = created.body;
    expect(apiKey).toMatch(/^lgw_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.startsWith(created.body.api_key_prefix)).toBe(true);
    expect(created.body).toMatchObject({ launch_url: `${world.gateway.url}/lti/launch/chatbot`, handoff: 'code', permissions: { Instructor: ['chat', 'configure', 'view_reports', 'grade'], '*': ['chat'] } });
    const read = await world.gateway.admin('GET', `/apps/${id}`);
    expect(read.body.api_key).toBeUndefined();
    expect(JSON.stringify((await world.gateway.admin('GET', '/apps')).body)).not.toContain(apiKey);
    const row = await world.gateway.services.db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.api_key_hash).not.toContain(apiKey);
    expect(row.api_key_hash).toMatch(/^[0-9a-f]{64}$/);
    const regenerated = await world.gateway.admin('POST', `/apps/${id}/api-key`);
    expect(regenerated.body.api_key).not.toBe(apiKey);
    expect(regenerated.body.api_key_prefix).not.toBe(created.body.api_key_prefix);
  });

  it('refuses an invalid app with 422 and a message per field, and updates permissions', async () => {
    const bad = await world.gateway.admin('POST', '/apps', {
      name: '', slug: 'Not A Slug', app_url: 'javascript:alert(1)', permissions: { Instructor: 'configure' }, handoff: 'email',
    });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['app_url', 'handoff', 'name', 'permissions', 'slug']);
    const taken = await world.gateway.admin('POST', '/apps', { name: 'Again', slug: 'chatbot', app_url: 'https://x.example/' });
    expect(taken.status).toBe(422);
    expect(taken.body.fields).toEqual({ slug: 'is already used by another app' });
    const app = (await world.gateway.admin('GET', '/apps')).body.apps.find((a: any) => a.slug === 'chatbot');
    const patched = await world.gateway.admin('PATCH', `/apps/${app.id}`, { permissions: { Learner: ['chat'], '*': [] }, handoff: 'jwt' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ permissions: { Learner: ['chat'], '*': [] }, handoff: 'jwt', slug: 'chatbot' });
    expect((await world.gateway.admin('DELETE', `/apps/${app.id}`)).status).toBe(204);
    expect((await world.gateway.admin('GET', `/apps/${app.id}`)).status).toBe(404);
  });

  it('lists the gateway’s launches and rotates its keys', async () => {
    const launches = await world.gateway.admin('GET', '/launches?limit=5');
    expect(launches.status).toBe(200);
    expect(launches.body.launches.length).toBeGreaterThan(0);
    expect(launches.body.launches[0]).toHaveProperty('steps');
    const before = (await world.gateway.admin('GET', '/keys')).body.keys;
    const rotated = await world.gateway.admin('POST', '/keys/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.keys.map((k: any) => k.status)).toEqual(['current', 'next', 'previous']);
    expect(rotated.body.keys[0].kid).toBe(before.find((k: any) => k.status === 'next').kid);
    const jwks = await (await fetch(`${world.gateway.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.map((k: any) => k.kid)).toEqual(rotated.body.keys.map((k: any) => k.kid));
  });
});
