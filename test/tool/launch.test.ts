import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { hashSecret } from '../../src/tool/apiKeys.ts';
import { LoginStates } from '../../src/tool/model/loginStates.ts';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { readForm } from '../support/htmlForm.ts';
import { createApp, launch, useGateway } from './support/gatewaySetup.ts';

describe.each(DIALECTS)('LMS → gateway → app over real HTTP (%s)', (dialect) => {
  const world = useGateway({ dialect, apps: { chatbot: { slug: 'chatbot', app_url: 'http://127.0.0.1:9/app?from=lti' } } });

  const redeem = (code: string, key = world.apps.chatbot.api_key) =>
    fetch(`${world.gateway.url}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${key}` } });

  it('publishes the tool JWKS with a cache lifetime', async () => {
    const response = await fetch(`${world.gateway.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const jwks = await response.json();
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
  });

  it('sends the platform every parameter of the authentication request, passing the hints through', async () => {
    const browser = new Browser();
    const run = await launch(browser, world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
    const location = new URL(run.login.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(world.lms.authorizationEndpoint);
    const q = location.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
      client_id: world.lms.clientId, redirect_uri: world.apps.chatbot.launch_url, lti_message_hint: 'message-hint-1',
    });
    expect(q.get('login_hint')).toMatch(/^hint-/);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(43);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(43);
    const cookie = run.login.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/lti_state_[0-9a-f]{16}=/);
    expect(cookie).toMatch(/Path=\/lti\//);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=None/);
  });

  it('accepts a login by POST too', async () => {
    const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, method: 'POST' });
    expect(run.login.status).toBe(302);
    expect(run.launch!.status).toBe(303);
  });

  it('launches, hands off a one-time code, and the app redeems it once for the verified launch', async () => {
    const browser = new Browser();
    const run = await launch(browser, world.lms, world.gateway, {
      targetLinkUri: world.apps.chatbot.launch_url,
      tweaks: { claims: { [CLAIM.roles]: ['Instructor'], [CLAIM.ags]: { scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'], lineitem: 'https://lms/li/1' } } },
    });
    expect(run.launch!.status).toBe(303);
    const target = new URL(run.launch!.headers.get('location')!);
    expect(target.origin + target.pathname).toBe('http://127.0.0.1:9/app');
    expect(target.searchParams.get('from')).toBe('lti');
    const code = target.searchParams.get('launch_code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The launch pages may be framed by the LMS (and only by it); the state cookie is cleared once used.
    expect(run.launch!.headers.get('content-security-policy')).toMatch(new RegExp(`frame-ancestors ${world.lms.url}$`));
    expect(run.launch!.headers.get('x-frame-options')).toBeNull();
    expect(browser.cookieNames().filter((n) => n.startsWith('lti_state_'))).toEqual([]);

    const redeemed = await redeem(code);
    expect(redeemed.status).toBe(200);
    expect(redeemed.headers.get('cache-control')).toBe('no-store');
    const body = await redeemed.json();
    expect(body).toMatchObject({
      user: { sub: 'user-42', name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.edu', picture: null, locale: 'en' },
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
      role_names: ['Instructor'],
      permissions: ['chat', 'configure', 'view_reports', 'grade'],
      context: { id: 'course-101', title: 'Biology 101', label: 'BIO101' },
      resource_link: { id: 'link-1', title: 'Course assistant' },
      custom: { section: 'A' },
      launch_presentation: { document_target: 'iframe' },
      platform: { issuer: world.lms.issuer, name: 'Fake LMS', client_id: world.lms.clientId, deployment_id: world.lms.deploymentId },
      services: { ags: { scopes: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'] } },
    });
    // The LMS's URL stays with the gateway: the app is given the gateway's own.
    expect(body.services.ags.line_item_url).toMatch(new RegExp(`^${world.gateway.url}/api/v1/contexts/[A-Za-z0-9_-]{22}/line_items/[A-Za-z0-9_-]{22}$`));
    expect(JSON.stringify(body.services)).not.toContain('https://lms/li/1');
    expect(Date.parse(body.launched_at)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());

    const again = await redeem(code);
    expect(again.status).toBe(410);
    expect(await again.json()).toMatchObject({ error: 'handoff_used' });

    const launches = (await world.gateway.admin('GET', '/launches?outcome=success')).body.launches;
    const entry = launches.find((l: any) => l.user_sub === 'user-42' && l.steps.some((s: any) => s.step === 'send_launch'));
    expect(entry).toMatchObject({ outcome: 'success', storage: 'cookie', app_id: world.apps.chatbot.id });
    expect(entry.steps.map((s: any) => s.step)).toEqual(expect.arrayContaining([
      'login_received', 'read_login_request', 'find_registration', 'create_login_state', 'redirect_to_platform',
      'read_launch_form', 'find_login_state', 'bind_browser', 'consume_state', 'verify_signature', 'check_issuer',
      'check_audience', 'check_times', 'check_nonce', 'check_deployment_id', 'use_nonce', 'resolve_app', 'hand_off', 'send_launch',
    ]));
    const metrics = await (await fetch(`${world.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/lti_launches_total\{role="tool",outcome="success",code=""\} [1-9]/);
  });

  it('keeps only hashes of the login state and nonce in the database, and the launch still completes', async () => {
    const { db } = world.gateway.services;
    let state = '';
    let nonce = '';
    const run = await launch(new Browser(), world.lms, world.gateway, {
      targetLinkUri: world.apps.chatbot.launch_url,
      beforeAuth: async (auth) => {
        state = auth.searchParams.get('state')!;
        nonce = auth.searchParams.get('nonce')!;
        // Neither secret is in any row, in any column.
        expect(await db.selectFrom('login_states').select('state').where('state', '=', state).execute()).toEqual([]);
        expect(await db.selectFrom('login_states').select('state').where('nonce', '=', nonce).execute()).toEqual([]);
        const rows = await db.selectFrom('login_states').selectAll().where('state', '=', hashSecret(state)).execute();
        expect(rows).toHaveLength(1);
        expect(rows[0].nonce).toBe(hashSecret(nonce));
        expect(JSON.stringify(rows[0])).not.toContain(state);
        expect(JSON.stringify(rows[0])).not.toContain(nonce);
        // Looked up by the clear state the launch brings back, found by its hash.
        expect(await new LoginStates(db).find(state)).toMatchObject({ state: hashSecret(state), used_at: null });
        expect(await new LoginStates(db).find(hashSecret(state))).toBeNull();
      },
    });
    expect(run.launch!.status, run.launchBody).toBe(303);
    expect(run.launch!.headers.get('location')).toContain('launch_code=');
    const used = await db.selectFrom('login_states').selectAll().where('state', '=', hashSecret(state)).executeTakeFirstOrThrow();
    expect(used.used_at).not.toBeNull();
  });

  it('maps roles to the app’s permissions: a teaching assistant, a learner, an institution admin who is a learner', async () => {
    const permissionsOf = async (roles: string[]) => {
      const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: { claims: { [CLAIM.roles]: roles } } });
      const code = new URL(run.launch!.headers.get('location')!).searchParams.get('launch_code')!;
      return (await (await redeem(code)).json()) as { permissions: string[]; role_names: string[] };
    };
    expect((await permissionsOf(['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant'])).permissions)
      .toEqual(['chat', 'view_reports', 'grade']);
    expect((await permissionsOf(['Learner'])).permissions).toEqual(['chat']);
    const admin = await permissionsOf([
      'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
      'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
    ]);
    expect(admin.permissions).toEqual(['chat']);
    expect(admin.role_names).toEqual(['Learner', 'Administrator']);
    expect((await permissionsOf([])).permissions).toEqual(['chat']);
  });

  it('routes /lti/launch by the target_link_uri claim', async () => {
    const run = await launch(new Browser(), world.lms, world.gateway, {
      targetLinkUri: `${world.gateway.url}/lti/launch`,
      tweaks: { claims: { [CLAIM.targetLinkUri]: world.apps.chatbot.launch_url } },
    });
    expect(run.launch!.status).toBe(303);
    expect(run.launch!.headers.get('location')).toContain('launch_code=');
  });

  it('hands off a signed launch JWT, verifiable with the gateway JWKS, to an app that prefers it', async () => {
    const jwtApp = await createApp(world.gateway, { name: 'Stateless', slug: 'stateless', app_url: 'http://127.0.0.1:9/stateless', handoff: 'jwt' });
    const run = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: jwtApp.launch_url });
    expect(run.launch!.status).toBe(200);
    expect(run.launch!.headers.get('content-security-policy')).toContain('form-action');
    const form = readForm(run.launchBody!);
    expect(form.action).toBe('http://127.0.0.1:9/stateless');
    const jwks = await (await fetch(`${world.gateway.url}/.well-known/jwks.json`)).json();
    const { payload } = await jwtVerify(form.fields.launch_token, createLocalJWKSet(jwks), {
      issuer: world.gateway.url, audience: 'http://127.0.0.1:9/stateless', algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({ sub: 'user-42', user: { sub: 'user-42' }, permissions: ['chat'], context: { id: 'course-101' } });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
    expect(typeof payload.jti).toBe('string');
  });
});
