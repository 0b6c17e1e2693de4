import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/adminClient.ts';
import { DIALECTS } from '../support/db.ts';
import { inputValue, readForm, textOf } from '../support/htmlForm.ts';
import { basicAuth } from '../support/servers.ts';
import { connectTool, startLauncherConsole, type LauncherConsoleWorld } from './support/launcherConsole.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

describe.each(DIALECTS)('launcher console over HTTP on %s', (dialect) => {
  let world: LauncherConsoleWorld;
  let client: ConsoleClient;
  let platform: any;

  const platformFields = (extra: Record<string, string> = {}) => ({
    name: 'Springfield High', slug: `springfield-${Math.random().toString(36).slice(2, 8)}`,
    openid_configuration_url: world.idp.discoveryUrl, client_id: 'launcher-client', client_secret: 'launcher-secret-value',
    context_key: '', role_claim: 'groups', role_map: '{"teacher": "Instructor"}', action: 'save', ...extra,
  });

  beforeAll(async () => {
    world = await startLauncherConsole(dialect);
    client = new ConsoleClient(world.launcher.url);
    const created = await world.api('/platforms', {
      body: { name: 'Shelbyville', slug: 'shelbyville', openid_configuration_url: world.idp.discoveryUrl, client_id: 'launcher-client' },
    });
    expect(created.status).toBe(201);
    platform = created.body;
  });
  afterAll(async () => world?.close());

  it('asks for Basic credentials on every page', async () => {
    const response = await fetch(`${world.launcher.url}/admin/platforms`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await response.text()).toContain('admin_unauthorized');
    const wrong = await fetch(`${world.launcher.url}/admin`, { headers: { authorization: basicAuth('admin', 'wrong') } });
    expect(wrong.status).toBe(401);
  });

  it('serves pages with a CSP without unsafe-inline, unframable, and not cached', async () => {
    const { response, html } = await client.get('/admin');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).not.toMatch(/<script(?![^>]*src=)/);
    expect(html).not.toMatch(/ style=/);
  });

  it('refuses a form post without the CSRF token, and saves nothing', async () => {
    await client.get('/admin/platforms/new');
    const fields = platformFields();
    const refused = await client.post('/admin/platforms', fields);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('csrf_token_missing');
    const list = await world.api('/platforms');
    expect(list.body.platforms.map((p: any) => p.slug)).not.toContain(fields.slug);
  });

  it('refuses a post whose token belongs to another browser session', async () => {
    const other = new ConsoleClient(world.launcher.url);
    const otherToken = await other.tokenFrom('/admin/platforms/new');
    await client.get('/admin/platforms/new');
    const refused = await client.post('/admin/platforms', { ...platformFields(), _csrf: otherToken });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('csrf_token_invalid');
  });

  it('refuses a cross-site post even with a valid token and cookie', async () => {
    const token = await client.tokenFrom('/admin/keys/rotate');
    const before = await world.launcher.services.keys.list();
    const crossSite = await client.post('/admin/keys/rotate', { _csrf: token }, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.html).toContain('csrf_cross_site');
    const otherOrigin = await client.post('/admin/keys/rotate', { _csrf: token }, { 'sec-fetch-site': '', origin: 'https://evil.example' });
    expect(otherOrigin.status).toBe(403);
    expect(otherOrigin.html).toContain('csrf_origin_mismatch');
    expect(await world.launcher.services.keys.list()).toEqual(before);
  });

  it('creates a platform from the form (same origin, with the token) and never shows the secret again', async () => {
    const token = await client.tokenFrom('/admin/platforms/new');
    const fields = platformFields();
    const created = await client.post('/admin/platforms', { ...fields, _csrf: token });
    expect(created.status, created.html.slice(0, 500)).toBe(303);
    expect(created.location).toMatch(/^\/admin\/platforms\/[\w-]+\?notice=created$/);
    const page = await client.get(created.location!);
    expect(page.html).toContain('Created.');
    expect(page.html).toContain(`${world.launcher.url}/p/${fields.slug}/callback`);
    expect(page.html).not.toContain('launcher-secret-value');
    const edit = await client.get(`${created.location!.split('?')[0]}/edit`);
    expect(inputValue(edit.html, 'f-client_secret')).toBe('');
    expect(edit.html).toContain('A secret is stored');
  });

  it('shows each validation error next to its field and keeps what was typed', async () => {
    const token = await client.tokenFrom('/admin/platforms/new');
    const answer = await client.post('/admin/platforms', {
      ...platformFields({ name: HOSTILE, slug: 'Not A Slug', openid_configuration_url: 'http://127.0.0.1:9/.well-known/openid-configuration', role_map: '{oops' }),
      _csrf: token,
    });
    expect(answer.status).toBe(422);
    expect(textOf(answer.html, 'f-slug-error')).toBe('Slug must be lower-case letters, digits and dashes (it becomes part of URLs)');
    expect(textOf(answer.html, 'f-openid_configuration_url-error')).toMatch(/^Discovery URL: could not read the OpenID configuration at http:\/\/127\.0\.0\.1:9/);
    expect(textOf(answer.html, 'f-role_map-error')).toBe('Role map must be valid JSON');
    expect(answer.html).toMatch(/<input[^>]*id="f-slug"[^>]*aria-invalid="true"/);
    expect(inputValue(answer.html, 'f-slug')).toBe('Not A Slug');
    expect(inputValue(answer.html, 'f-name')).toBe(HOSTILE);
    expect(answer.html).not.toContain(HOSTILE);
    expect(inputValue(answer.html, 'f-client_secret')).toBe('');
    expect(answer.html).not.toContain('launcher-secret-value');
    expect(answer.html).toContain('href="#f-slug"');
  });

  it('says which key format it detected, and puts the key error on the one key field', async () => {
    const token = await client.tokenFrom(`/admin/platforms/${platform.id}/tools/new`);
    const fields = {
      _csrf: token, name: 'Quiz', description: '', icon_url: '', client_id: 'quiz', deployment_id: '',
      open_id_connect_initiation_url: 'https://quiz.example/login', target_link_uri: 'https://quiz.example/launch',
      redirect_uris: '', custom: '', share_name: 'on',
    };
    const jwks = await client.post(`/admin/platforms/${platform.id}/tools`, { ...fields, key: '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}' });
    expect(jwks.status).toBe(422);
    expect(textOf(jwks.html, 'f-key-detected')).toBe('Detected: a JSON Web Key Set (JWKS).');
    expect(textOf(jwks.html, 'f-key-error')).toMatch(/^Tool public key must be a public key: this is a secret \(symmetric\) key\. A secret pasted here must be treated as exposed: replace it/);
    const garbage = await client.post(`/admin/platforms/${platform.id}/tools`, { ...fields, key: 'hello' });
    expect(textOf(garbage.html, 'f-key-error')).toBe('Tool public key: Not recognised: paste a PEM public key, a JWK or JWK Set (JSON), or a JWKS URL.');
    expect(inputValue(garbage.html, 'f-client_id')).toBe('quiz');
    // The custom keys a link may change: one per line or comma-separated, repeats kept once.
    const url = await client.post(`/admin/platforms/${platform.id}/tools`, { ...fields, key: `${world.tool.url}/jwks`, context_overridable_custom: 'level\nunit, level' });
    expect(url.status).toBe(303);
    const saved = await world.api(`/platforms/${platform.id}/tools`);
    const quiz = saved.body.tools.find((t: any) => t.client_id === 'quiz');
    expect(quiz).toMatchObject({ public_key_url: `${world.tool.url}/jwks`, public_key: null, public_jwk: null, share_name: true, share_email: false, context_overridable_custom: ['level', 'unit'] });
    const edit = await client.get(`/admin/tools/${quiz.id}/edit`);
    expect(edit.html).toMatch(/<textarea[^>]*id="f-context_overridable_custom"[^>]*>level\nunit<\/textarea>/);
  });

  it('shows a tool name with markup as text on every page', async () => {
    const created = await world.api(`/platforms/${platform.id}/tools`, {
      body: { name: HOSTILE, description: HOSTILE, client_id: 'hostile', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_key_url: `${world.tool.url}/jwks` },
    });
    expect(created.status).toBe(201);
    expect((await client.get('/admin')).html).not.toContain('<img');
    for (const path of ['/admin/tools', `/admin/platforms/${platform.id}`, `/admin/tools/${created.body.id}`, `/admin/tools/${created.body.id}/edit`, `/admin/tools/${created.body.id}/delete`, '/admin/test-launch', '/admin/launches']) {
      const { status, html } = await client.get(path);
      expect(status, path).toBe(200);
      expect(html, path).not.toContain('<img');
      expect(html, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('runs a test launch as a synthetic user: login hint marked test, the tool verifies our id_token', async () => {
    const created = await world.api(`/platforms/${platform.id}/tools`, {
      body: { name: 'Course Chat', client_id: 'chat', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_key_url: `${world.tool.url}/jwks` },
    });
    connectTool(world.tool, platform, 'chat');
    const form = await client.get(`/admin/test-launch?tool=${created.body.id}`);
    expect(form.response.headers.get('content-security-policy')).toContain(`form-action 'self' ${world.tool.url}`);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.html)![1];
    const started = await client.post('/admin/test-launch', { _csrf: token, tool: created.body.id, name: 'Test Teacher', email: '', role: 'Instructor' });
    // The tool's login initiation method is the default, a form POST.
    expect(started.status).toBe(200);
    const initiation = readForm(started.html);
    expect(initiation.action).toBe(`${world.tool.url}/login`);
    const toolLogin = new URL(initiation.action);
    for (const [name, value] of Object.entries(initiation.fields)) toolLogin.searchParams.set(name, value);
    expect(Object.fromEntries(toolLogin.searchParams)).toMatchObject({
      iss: platform.issuer, target_link_uri: `${world.tool.url}/launch`, client_id: 'chat', lti_deployment_id: created.body.deployment_id,
    });
    const hint = await world.launcher.services.db.selectFrom('login_hints').selectAll().where('launch_id', '=', toolLogin.searchParams.get('lti_message_hint')!).executeTakeFirstOrThrow();
    expect(hint.test).toBe(1);
    expect(hint.hint).not.toBe(toolLogin.searchParams.get('login_hint'));

    // The tool's login → our /auth (same browser) → the form post the tool verifies with jose.
    const toAuth = await fetch(initiation.action, { method: 'POST', body: new URLSearchParams(initiation.fields), redirect: 'manual' });
    expect(world.tool.logins.at(-1)?.method).toBe('POST');
    const auth = await client.browser.request(toAuth.headers.get('location')!);
    expect(auth.status).toBe(200);
    const post = readForm(await auth.text());
    const toolAnswer = await fetch(post.action, { method: 'POST', body: new URLSearchParams(post.fields) });
    expect(toolAnswer.status).toBe(200);
    const claims = world.tool.launches.at(-1)!;
    expect(claims).toMatchObject({ name: 'Test Teacher', 'https://purl.imsglobal.org/spec/lti/claim/roles': ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'] });
    expect(String(claims.sub)).toMatch(/^test-/);

    const entry = await world.launcher.services.launchLog.get(toolLogin.searchParams.get('lti_message_hint')!);
    expect(entry).toMatchObject({ test: true, outcome: 'success', toolId: created.body.id });
    const detail = await client.get(`/admin/launches/${entry!.id}`);
    expect(detail.html).toContain('test launch');
    expect(detail.html).toContain('post_id_token');
  });

  it('refuses a test launch with no name or an unknown role, next to the fields', async () => {
    const token = await client.tokenFrom('/admin/test-launch');
    const answer = await client.post('/admin/test-launch', { _csrf: token, tool: 'nope', name: ' ', email: 'x', role: 'Hacker' });
    expect(answer.status).toBe(422);
    expect(textOf(answer.html, 'f-name-error')).toBe('User name is required');
    expect(textOf(answer.html, 'f-role-error')).toMatch(/^Role must be one of Learner, Instructor/);
    expect(textOf(answer.html, 'f-email-error')).toMatch(/^Email address must be an email address/);
  });

  it('counts real launches on the dashboard chart and lists the latest failures with their reason', async () => {
    // A launch of a known tool whose course context is not a signed token: attributed, so logged.
    const created = await world.api(`/platforms/${platform.id}/tools`, {
      body: { name: 'Dashboard Tool', client_id: 'dashboard-tool', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_key_url: `${world.tool.url}/jwks` },
    });
    expect(created.status).toBe(201);
    const failed = await fetch(`${platform.base_url}/launch/dashboard-tool?context=not.a.jwt`, { headers: { accept: 'text/html' } });
    expect(failed.status).toBe(400);
    // A launch of a tool that does not exist names nothing known: counted in the metrics, not on the dashboard.
    const unknown = await fetch(`${platform.base_url}/launch/no-such-tool`, { headers: { accept: 'text/html' } });
    expect(unknown.status).toBe(404);
    const { html } = await client.get('/admin');
    expect(html).toMatch(/<desc id="chart-desc">Last 24 hours: \d+ successful, [1-9]\d* failed/);
    expect(html).toContain('<code>context_malformed</code>');
    expect(html).toContain('The course context in this link is not a valid signed token.');
    expect(html).not.toContain('<code>tool_unknown</code>');
    expect(html).not.toContain('no-such-tool');
    const metrics = await (await fetch(`${world.launcher.url}/metrics`)).text();
    expect(metrics).toMatch(/lti_refused_requests_total\{role="platform",code="tool_unknown"\} [1-9]/);
    expect(metrics).not.toMatch(/lti_launches_total\{[^}]*code="tool_unknown"\}/);
  });

  it('filters the launch log and opens a failure with its steps, code and sentence', async () => {
    // The unknown tool of the test above wrote nothing.
    expect((await client.get('/admin/launches?outcome=failure&code=tool_unknown')).html).toContain('No launches match.');
    const list = await client.get('/admin/launches?outcome=failure&code=context_malformed');
    const id = /href="\/admin\/launches\/([\w-]+)"/.exec(list.html)![1];
    const detail = await client.get(`/admin/launches/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.html).toMatch(/passed<\/span> <strong>Launch received<\/strong> <code>launch_received<\/code>/);
    expect(detail.html).toMatch(/failed<\/span> <strong>Verify context<\/strong> <code>verify_context<\/code>/);
    expect(detail.html).toContain('<code>context_malformed</code>');
    expect(detail.html).toContain('Dashboard Tool');
    const missing = await client.get('/admin/launches/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('launch_not_found');
  });

  it('rotates the keys after a confirmation step', async () => {
    const before = await world.launcher.services.keys.list();
    const token = await client.tokenFrom('/admin/keys/rotate');
    const rotated = await client.post('/admin/keys/rotate', { _csrf: token });
    expect(rotated.status).toBe(303);
    const after = await world.launcher.services.keys.list();
    expect(after.find((k) => k.status === 'current')!.kid).toBe(before.find((k) => k.status === 'next')!.kid);
    expect(after.find((k) => k.status === 'previous')!.kid).toBe(before.find((k) => k.status === 'current')!.kid);
    const page = await client.get('/admin/keys?notice=rotated');
    expect(page.html).toContain('Keys rotated');
  });

  it('checks discovery and shows what the IdP says, or why it could not be read', async () => {
    const good = await client.get(`/admin/platforms/${platform.id}/discovery`);
    expect(good.html).toContain('Discovery document read');
    expect(good.html).toContain(`${world.idp.issuer}/token`);
    const token = await client.tokenFrom('/admin/platforms/new');
    const bad = await client.post('/admin/platforms', { ...platformFields({ openid_configuration_url: 'http://127.0.0.1:9/.well-known/openid-configuration', action: 'check_discovery' }), _csrf: token });
    expect(bad.status).toBe(200);
    expect(bad.html).toContain('The discovery document could not be read');
    expect(bad.html).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('deletes a platform only after confirmation', async () => {
    const created = await world.api('/platforms', {
      body: { name: 'Doomed', slug: 'doomed', openid_configuration_url: world.idp.discoveryUrl, client_id: 'launcher-client' },
    });
    const confirm = await client.get(`/admin/platforms/${created.body.id}/delete`);
    expect(confirm.html).toContain('This cannot be undone');
    expect((await world.api(`/platforms/${created.body.id}`)).status).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(confirm.html)![1];
    const deleted = await client.post(`/admin/platforms/${created.body.id}/delete`, { _csrf: token });
    expect(deleted.status).toBe(303);
    expect((await world.api(`/platforms/${created.body.id}`)).status).toBe(404);
  });
});
