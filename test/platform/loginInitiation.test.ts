/**
 * Login initiation by POST or GET (LTI Core 1.3 §4.1 lets the platform use either; some tools
 * accept only one). Each tool says which: `post` by default, an auto-submitting form as Canvas and
 * Moodle send; `get` a redirect. A tool stand-in that refuses the other method with 401 gets in
 * with its own, over real HTTP; the admin API, the console and the test launch honour the field;
 * the upgrade gives existing tools `post` and keeps the gateway's login states working, hashed.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { LoginStates } from '../../src/tool/model/loginStates.ts';
import { ConsoleClient } from '../support/adminClient.ts';
import { readForm } from '../support/htmlForm.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';
import { finishLaunch, runLaunch, startLauncherWorld, type LauncherWorld } from './harness.ts';

describe('login initiation method', () => {
  let world: LauncherWorld;
  beforeAll(async () => {
    world = await startLauncherWorld(null);
  });
  afterAll(async () => world?.close());

  const setMethod = async (method: unknown) =>
    world.admin(`/tools/${world.toolRecord.id}`, { method: 'PATCH', body: { login_initiation_method: method } });

  it('is "post" for a new tool, in the admin API', async () => {
    expect(world.toolRecord.login_initiation_method).toBe('post');
    const res = await world.admin(`/tools/${world.toolRecord.id}`);
    expect(((await res.json()) as Record<string, unknown>).login_initiation_method).toBe('post');
  });

  it('post: a tool that refuses GET at its login URL gets in, by an auto-submitting form with every parameter', async () => {
    world.tool.refuseLoginMethod = 'GET';
    try {
      const started = await runLaunch(world);
      expect(started.stage).toBe('tool_login');
      const page = started.response;
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.clone().text();
      const form = readForm(html);
      expect(form.action).toBe(`${world.tool.url}/login`);
      expect(html).toContain('<form method="post"');
      expect(Object.keys(form.fields).sort()).toEqual(['client_id', 'iss', 'login_hint', 'lti_deployment_id', 'lti_message_hint', 'target_link_uri']);
      expect(form.fields).toMatchObject({
        iss: world.platform.issuer, client_id: world.tool.clientId, target_link_uri: `${world.tool.url}/launch`,
        lti_deployment_id: world.toolRecord.deployment_id,
      });
      // The same CSP rules as /auth: the one inline script carries the response's nonce, and a button works without it.
      const csp = page.headers.get('content-security-policy')!;
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain("script-src 'self' 'nonce-");
      expect([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1])).toEqual([` nonce="${nonce}"`]);
      expect(html).toMatch(/<button type="submit">Continue to Course Chat<\/button>/);

      // What the old redirect would have done: the tool answers 401.
      const asGet = new URL(form.action);
      for (const [name, value] of Object.entries(form.fields)) asGet.searchParams.set(name, value);
      expect((await fetch(asGet, { redirect: 'manual' })).status).toBe(401);

      const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse?.status).toBe(200);
      expect(world.tool.logins.at(-1)).toMatchObject({ method: 'POST', params: { login_hint: form.fields.login_hint } });
    } finally {
      world.tool.refuseLoginMethod = null;
    }
  });

  it('get: a tool that refuses POST at its login URL gets in, by a 303 redirect', async () => {
    expect((await setMethod('get')).status).toBe(200);
    world.tool.refuseLoginMethod = 'POST';
    try {
      const started = await runLaunch(world);
      expect(started.response.status).toBe(303);
      const location = new URL(started.response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(`${world.tool.url}/login`);
      expect(location.searchParams.get('iss')).toBe(world.platform.issuer);
      const asPost = await fetch(`${world.tool.url}/login`, { method: 'POST', body: location.searchParams, redirect: 'manual' });
      expect(asPost.status).toBe(401);
      const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse?.status).toBe(200);
      expect(world.tool.logins.at(-1)?.method).toBe('GET');
    } finally {
      world.tool.refuseLoginMethod = null;
      await setMethod('post');
    }
  });

  it('refuses any other value, naming the field and the choices', async () => {
    for (const value of ['put', 'POST', 1, true]) {
      const res = await setMethod(value);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual({ login_initiation_method: 'must be one of "post", "get"' });
    }
  });

  it('is a field of the console form, explained, and the test launch honours it', async () => {
    const client = new ConsoleClient(world.launcher.url);
    const edit = await client.get(`/admin/tools/${world.toolRecord.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.html).toContain('<select id="f-login_initiation_method" name="login_initiation_method"');
    expect(edit.html).toContain('Form POST is what Canvas and Moodle do');
    expect(edit.html).toMatch(/<option value="post" selected>/);

    expect((await setMethod('get')).status).toBe(200);
    try {
      const form = await client.get(`/admin/test-launch?tool=${world.toolRecord.id}`);
      const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1];
      const started = await client.post('/admin/test-launch', { _csrf: token, tool: world.toolRecord.id, name: 'Test Teacher', email: '', role: 'Instructor' });
      expect(started.status).toBe(303);
      expect(new URL(started.location!).searchParams.get('client_id')).toBe(world.tool.clientId);
    } finally {
      await setMethod('post');
    }
    const form = await client.get(`/admin/test-launch?tool=${world.toolRecord.id}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1];
    const started = await client.post('/admin/test-launch', { _csrf: token, tool: world.toolRecord.id, name: 'Test Teacher', email: '', role: 'Instructor' });
    expect(started.status).toBe(200);
    expect(readForm(started.html).action).toBe(`${world.tool.url}/login`);
  });
});

describe.each(DIALECTS)('the upgrade to login_initiation_method and hashed gateway states on %s', (dialect) => {
  let url: string | null;
  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
  });
  afterAll(async () => dropDatabase(url));

  it('gives existing tools "post" and hashes the gateway login states in flight, which still work', async () => {
    const db = createDb({ databaseUrl: url, dataDir: tempDir() });
    try {
      await migrateToLatest(db, '0001_initial');
      const now = Date.now();
      await db.insertInto('platforms').values({
        id: 'p1', name: 'P', slug: 'p', openid_configuration_url: 'https://idp.example.edu', idp_metadata: '{}', client_id: 'c',
        client_secret_enc: null, context_jwks_url: null, context_public_jwk: null, context_public_key: null, role_claim: null, role_map: null,
        created_at: now, updated_at: now,
      } as never).execute();
      await db.insertInto('tools').values({
        id: 't1', platform_id: 'p1', name: 'T', description: null, icon_url: null, client_id: 'tc', deployment_id: 'd',
        open_id_connect_initiation_url: 'https://tool.example.com/login', target_link_uri: 'https://tool.example.com/launch', redirect_uris: '[]',
        public_key: null, public_jwk: null, public_key_url: 'https://tool.example.com/jwks', custom: '{}', share_name: 1, share_email: 1, share_picture: 1,
        created_at: now, updated_at: now,
      } as never).execute();
      const state = `state-${randomUUID()}`;
      await db.insertInto('login_states').values({
        state, launch_id: 'l1', nonce: 'nonce-1', registration_id: 'r1', target_link_uri: 'https://gw.example.edu/lti/launch/app',
        browser_hash: null, storage: 'cookie', storage_target: null, expires_at: now + 60_000, used_at: null,
      }).execute();

      // The upgrade runs 0002 first (later migrations follow it).
      expect((await migrateToLatest(db)).slice(0, 2)).toEqual(['0002_login_initiation_and_hashed_states', '0003_launch_log_warning']);
      const tool = await db.selectFrom('tools').selectAll().where('id', '=', 't1').executeTakeFirstOrThrow();
      expect(tool.login_initiation_method).toBe('post');
      const sha = (v: string) => createHash('sha256').update(v).digest('hex');
      const rows = await db.selectFrom('login_states').selectAll().execute();
      expect(rows.map((r) => [r.state, r.nonce])).toEqual([[sha(state), sha('nonce-1')]]);
      const states = new LoginStates(db);
      expect(await states.find(state)).toMatchObject({ launch_id: 'l1' });
      expect(await states.consume(state)).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});

