import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl } from '../support/db.ts';
import { startRole, type RunningRole } from '../support/servers.ts';
import { ConsoleClient } from '../support/adminClient.ts';
import { inputValue, textOf } from '../support/htmlForm.ts';

describe.each(DIALECTS)('gateway console over HTTP on %s', (dialect) => {
  let gateway: RunningRole;
  let databaseUrl: string | null;
  let client: ConsoleClient;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl(dialect);
    gateway = await startRole('tool', toolRoutes, { databaseUrl, framable: toolFramable });
    client = new ConsoleClient(gateway.url);
  });
  afterAll(async () => {
    await gateway?.close();
    await dropDatabase(databaseUrl);
  });

  const registration = (extra: Record<string, string> = {}) => ({
    name: 'Canvas test', issuer: 'https://canvas.instructure.com', client_id: '10000000000001', deployment_ids: '1:abc\n2:def',
    authorization_endpoint: 'https://sso.canvaslms.com/api/lti/authorize_redirect', token_endpoint: '',
    key: 'https://sso.canvaslms.com/api/lti/security/jwks', ...extra,
  });

  it('refuses a state-changing post without a token, from the console pages too', async () => {
    await client.get('/admin/registrations/new');
    const refused = await client.post('/admin/registrations', registration());
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('csrf_token_missing');
    expect(await gateway.app.inject({ method: 'GET', url: '/admin/api/v1/registrations', headers: { authorization: `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}` } }).then((r) => r.json().registrations)).toEqual([]);
  });

  it('shows registration errors next to their fields and keeps what was typed', async () => {
    const token = await client.tokenFrom('/admin/registrations/new');
    const answer = await client.post('/admin/registrations', { ...registration({ issuer: 'not a url', key: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }), _csrf: token });
    expect(answer.status).toBe(422);
    expect(textOf(answer.html, 'f-issuer-error')).toBe('Issuer must be an absolute URL such as https://lms.example.edu/…');
    expect(textOf(answer.html, 'f-key-error')).toBe('LMS public key is not a usable public key');
    expect(textOf(answer.html, 'f-key-detected')).toBe('Detected: PEM public key.');
    expect(inputValue(answer.html, 'f-issuer')).toBe('not a url');
    expect(inputValue(answer.html, 'f-client_id')).toBe('10000000000001');
  });

  it('registers an LMS and shows the values to enter in Canvas and Moodle under their own field names', async () => {
    const token = await client.tokenFrom('/admin/apps/new');
    const app = await client.post('/admin/apps', { _csrf: token, name: 'Chatbot', slug: 'chatbot', app_url: 'https://chat.example/app', handoff: 'code', permissions: '{"Instructor": ["chat"], "*": ["chat"]}' });
    expect(app.status).toBe(201);
    const created = await client.post('/admin/registrations', { ...registration(), _csrf: token });
    expect(created.status, created.html.slice(0, 400)).toBe(303);
    const page = await client.get(created.location!);
    expect(page.html).toContain('Created.');
    expect(page.html).toMatch(/<code>1:abc<\/code> <code>2:def<\/code>/);
    const canvas = page.html.slice(page.html.indexOf('id="canvas-values"'), page.html.indexOf('id="moodle-values"'));
    for (const label of ['Redirect URIs', 'Target Link URI', 'OpenID Connect Initiation Url', 'Public JWK URL']) expect(canvas).toContain(label);
    expect(canvas).toContain(`${gateway.url}/lti/launch/chatbot`);
    expect(canvas).toContain(`${gateway.url}/lti/login`);
    const moodle = page.html.slice(page.html.indexOf('id="moodle-values"'));
    for (const label of ['Tool URL', 'Public keyset', 'Initiate login URL', 'Redirection URI(s)']) expect(moodle).toContain(label);
    expect(moodle).toContain(`${gateway.url}/.well-known/jwks.json`);
  });

  it('shows an app\'s API key once, and a regenerated key replaces it', async () => {
    const token = await client.tokenFrom('/admin/apps/new');
    const created = await client.post('/admin/apps', { _csrf: token, name: 'Quiz', slug: 'quiz', app_url: 'https://quiz.example/app', handoff: 'jwt', permissions: '{"*": ["chat"]}' });
    expect(created.status).toBe(201);
    const key = textOf(created.html, 'api-key-v0')!;
    expect(key.length).toBeGreaterThan(20);
    const quiz = (await gateway.services.db.selectFrom('apps').selectAll().where('slug', '=', 'quiz').executeTakeFirstOrThrow());
    const detail = await client.get(`/admin/apps/${quiz.id}`);
    expect(detail.html).not.toContain(key);
    expect(detail.html).toContain(`${quiz.api_key_prefix}…`);

    const confirm = await client.get(`/admin/apps/${quiz.id}/api-key`);
    expect(confirm.html).toContain('stops working at once');
    const regenerated = await client.post(`/admin/apps/${quiz.id}/api-key`, { _csrf: token });
    expect(regenerated.status).toBe(200);
    const newKey = textOf(regenerated.html, 'api-key-v0')!;
    expect(newKey).not.toBe(key);
    const redeem = (k: string) => fetch(`${gateway.url}/api/v1/launches/nonexistent-code`, { headers: { authorization: `Bearer ${k}` } }).then((r) => r.status);
    expect(await redeem(key)).toBe(401);
    expect(await redeem(newKey)).not.toBe(401);
  });

  it('keeps the app form as typed when permissions are not valid', async () => {
    const token = await client.tokenFrom('/admin/apps/new');
    const answer = await client.post('/admin/apps', { _csrf: token, name: 'Broken', slug: 'Bad Slug', app_url: 'https://x.example/', handoff: 'code', permissions: '{nope' });
    expect(answer.status).toBe(422);
    expect(textOf(answer.html, 'f-slug-error')).toMatch(/^Slug must be lower-case letters/);
    expect(textOf(answer.html, 'f-permissions-error')).toMatch(/^Permissions must be an object/);
    expect(textOf(answer.html, 'f-permissions')).toBe('{nope');
  });

  it('opens a failed launch in the log with its step, code and sentence', async () => {
    const failed = await fetch(`${gateway.url}/lti/login`, { method: 'POST', body: new URLSearchParams({ iss: 'https://unknown.example' }), headers: { accept: 'text/html' } });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const list = await client.get('/admin/launches?outcome=failure');
    const id = /href="\/admin\/launches\/([\w-]+)"/.exec(list.html)![1];
    const entry = (await gateway.services.launchLog.get(id))!;
    const detail = await client.get(`/admin/launches/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.html).toContain(`<code>${entry.failureCode}</code>`);
    expect(detail.html).toContain(`<code>${entry.steps.at(-1)!.step}</code>`);
    const dashboard = await client.get('/admin');
    expect(dashboard.html).toContain(`<code>${entry.failureCode}</code>`);
  });

  it('rotates the gateway keys after confirmation', async () => {
    const before = await gateway.services.keys.list();
    const token = await client.tokenFrom('/admin/keys/rotate');
    expect((await client.post('/admin/keys/rotate', { _csrf: token })).status).toBe(303);
    const after = await gateway.services.keys.list();
    expect(after.find((k) => k.status === 'current')!.kid).toBe(before.find((k) => k.status === 'next')!.kid);
  });
});
