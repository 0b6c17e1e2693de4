import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { AdminApi } from '../support/adminClient.ts';
import { startRole, type RunningRole } from '../support/servers.ts';
import { startLauncherWorld, type LauncherWorld } from './harness.ts';

function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host, accept: 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('launcher operations', () => {
  let world: LauncherWorld;
  beforeAll(async () => {
    world = await startLauncherWorld(null);
  });
  afterAll(async () => world?.close());

  it('answers /healthz, /readyz and /metrics with launch counters', async () => {
    expect(await (await fetch(`${world.launcher.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${world.launcher.url}/readyz`)).json()).toEqual({ status: 'ready' });
    // A launch of the known tool that fails is a launch; one of an unknown tool is only a refused request.
    const malformed = new URL(world.toolRecord.launch_url);
    malformed.searchParams.set('context', 'not.a.jwt');
    expect((await fetch(malformed)).status).toBe(400);
    expect((await fetch(`${world.platform.base_url}/launch/nope`)).status).toBe(404);
    const metrics = await (await fetch(`${world.launcher.url}/metrics`)).text();
    expect(metrics).toMatch(/lti_launches_total\{role="platform",outcome="failure",code="context_malformed"\} [1-9]/);
    expect(metrics).toMatch(/lti_refused_requests_total\{role="platform",code="tool_unknown"\} [1-9]/);
    expect(metrics).not.toMatch(/lti_launches_total\{[^}]*code="tool_unknown"\}/);
    expect(metrics).toContain('lti_step_duration_seconds_bucket');
  });

  it('puts the request id on every response and error page, and security headers on pages', async () => {
    const res = await fetch(`${world.platform.base_url}/launch/nope`, { headers: { accept: 'text/html' } });
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toContain(id);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers unknown paths with 404 JSON for APIs and a page for people', async () => {
    const api = await fetch(`${world.launcher.url}/admin/api/v1/nothing-here`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(404);
    const page = await fetch(`${world.launcher.url}/nothing-here`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});

describe('subdomain tenancy', () => {
  let launcher: RunningRole;
  beforeAll(async () => {
    launcher = await startRole('platform', platformRoutes, { config: { domain: 'launcher.test', publicUrl: 'http://launcher.test' } });
    const now = Date.now();
    for (const slug of ['north', 'south']) {
      await launcher.services.db.insertInto('platforms').values({
        id: slug, name: slug, slug, openid_configuration_url: 'https://idp.example/.well-known/openid-configuration',
        idp_metadata: '{}', client_id: 'c', client_secret_enc: null, context_jwks_url: null, context_public_jwk: null,
        context_public_key: null, role_claim: null, role_map: null, created_at: now, updated_at: now,
      }).execute();
    }
  });
  afterAll(async () => launcher?.close());

  it('serves each platform at <slug>.<DOMAIN> with its own issuer, and at /p/<slug>', async () => {
    const north = await getWithHost(`${launcher.url}/.well-known/openid-configuration`, 'north.launcher.test');
    expect(JSON.parse(north.body).issuer).toBe('http://north.launcher.test');
    const south = await getWithHost(`${launcher.url}/.well-known/openid-configuration`, 'south.launcher.test');
    expect(JSON.parse(south.body).issuer).toBe('http://south.launcher.test');
    const path = await getWithHost(`${launcher.url}/p/north/.well-known/openid-configuration`, 'launcher.test');
    expect(JSON.parse(path.body).issuer).toBe('http://north.launcher.test');
  });

  it('refuses an unknown subdomain, and the bare host when several platforms exist', async () => {
    expect((await getWithHost(`${launcher.url}/api/v1/tools`, 'east.launcher.test')).status).toBe(404);
    const bare = await getWithHost(`${launcher.url}/api/v1/tools`, 'launcher.test');
    expect(bare.status).toBe(404);
    expect(JSON.parse(bare.body).error).toBe('platform_unknown');
  });
});

describe('admin disabled', () => {
  it('answers 403 admin_disabled when no ADMIN_PASSWORD is configured', async () => {
    const launcher = await startRole('platform', platformRoutes, { config: { adminPassword: null } });
    launcher.services.config.adminPassword = null;
    try {
      const res = await fetch(`${launcher.url}/admin/api/v1/platforms`);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'admin_disabled' });
    } finally {
      await launcher.close();
    }
  });
});

describe('plain http in admin-supplied URLs', () => {
  let launcher: RunningRole;
  beforeAll(async () => {
    launcher = await startRole('platform', platformRoutes, { config: { allowInsecureIdp: false } });
    const now = Date.now();
    await launcher.services.db.insertInto('platforms').values({
      id: 'p-https', name: 'School', slug: 'school', openid_configuration_url: 'https://idp.example/.well-known/openid-configuration',
      idp_metadata: '{}', client_id: 'c', client_secret_enc: null, context_jwks_url: null, context_public_jwk: null,
      context_public_key: null, role_claim: null, role_map: null, created_at: now, updated_at: now,
    }).execute();
  });
  afterAll(async () => launcher?.close());

  const saveTool = (host: string) =>
    new AdminApi(launcher.url).fetch('/platforms/p-https/tools', {
      body: {
        name: 'Quiz', client_id: `quiz-${host}`, open_id_connect_initiation_url: `http://${host}/login`, target_link_uri: `http://${host}/launch`,
        public_key_url: `http://${host}/jwks`, redirect_uris: [`http://${host}/other`],
      },
    });

  it('refuses a tool reached over plain http (its id_tokens would travel in the clear), naming each field', async () => {
    const res = await saveTool('quiz.example.edu');
    expect(res.status).toBe(422);
    const { fields } = (await res.json()) as { fields: Record<string, string> };
    for (const field of ['open_id_connect_initiation_url', 'target_link_uri', 'public_key_url', 'redirect_uris']) {
      expect(fields[field], field).toBe('must use https (plain http is allowed only for loopback hosts such as localhost; set ALLOW_INSECURE_IDP=true to allow it elsewhere)');
    }
  });

  it('lets a tool on this machine use plain http (local development)', async () => {
    const res = await saveTool('localhost:9');
    const body = (await res.json()) as { fields?: Record<string, string> };
    // Accepted by the URL rules; the key set URL is then fetched, and nothing answers on port 9.
    expect(body.fields?.open_id_connect_initiation_url).toBeUndefined();
    expect(body.fields?.target_link_uri).toBeUndefined();
  });
});
