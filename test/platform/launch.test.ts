import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { ROLE } from '../../src/lti/roles.ts';
import { DIALECTS } from '../support/db.ts';
import { finishLaunch, runLaunch, startLauncherWorld, useLauncherWorld, type LauncherWorld } from './harness.ts';

describe.each(DIALECTS)('launcher end to end on %s', (dialect) => {
  let world!: LauncherWorld;
  useLauncherWorld(dialect, (w) => (world = w));

  it('launches a tool: portal context → IdP login → tool login → id_token verified by the tool', async () => {
    const context = await world.portal.context({
      [CLAIM.context]: { id: 'math-101', label: 'MATH 101', title: 'Algebra', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [CLAIM.resourceLink]: { id: 'week-1-chat', title: 'Week 1 chat' },
      [CLAIM.custom]: { unit: 'week-1' },
    });
    const started = await runLaunch(world, { context, user: 'ada' });
    expect(started.stage).toBe('tool_login');
    const login = started.toolLogin!;
    expect(login.origin + login.pathname).toBe(`${world.tool.url}/login`);
    expect(Object.fromEntries(login.searchParams)).toMatchObject({
      iss: world.platform.issuer, target_link_uri: `${world.tool.url}/launch`, client_id: world.tool.clientId,
      lti_deployment_id: world.toolRecord.deployment_id,
    });
    expect(login.searchParams.get('login_hint')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const { auth, html, toolResponse } = await finishLaunch(started.browser, login);
    expect(auth.status, html).toBe(200);
    expect(auth.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(html).toContain('<button type="submit">');
    expect(toolResponse!.status).toBe(200);
    const payload = world.tool.launches.at(-1)!;
    expect(payload).toMatchObject({
      iss: world.platform.issuer, aud: world.tool.clientId, azp: world.tool.clientId, sub: 'ada',
      name: 'Ada Lovelace', email: expect.stringContaining('@'),
      [CLAIM.messageType]: 'LtiResourceLinkRequest', [CLAIM.version]: '1.3.0',
      [CLAIM.deploymentId]: world.toolRecord.deployment_id, [CLAIM.targetLinkUri]: `${world.tool.url}/launch`,
      [CLAIM.resourceLink]: { id: 'week-1-chat', title: 'Week 1 chat' },
      [CLAIM.context]: { id: 'math-101', label: 'MATH 101', title: 'Algebra' },
      [CLAIM.roles]: [ROLE.Instructor],
      [CLAIM.custom]: { level: 'intro', unit: 'week-1' },
      [CLAIM.toolPlatform]: { guid: world.platform.id, name: 'Springfield High', product_family_code: 'lti-launcher' },
      [CLAIM.launchPresentation]: { document_target: 'window' },
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);

    const { launches } = (await (await world.admin(`/launches?platform_id=${world.platform.id}&outcome=success`)).json()) as { launches: any[] };
    expect(launches[0]).toMatchObject({ outcome: 'success', tool_id: world.toolRecord.id, user_sub: 'ada' });
    expect(launches[0].steps.map((s: any) => s.step)).toEqual(
      expect.arrayContaining(['launch_received', 'verify_context', 'redirect_to_idp', 'verify_idp_token', 'redirect_to_tool_login', 'sign_id_token', 'post_id_token']),
    );
  });

  it('launches without a course context, with a stable default resource link, and maps student roles', async () => {
    const started = await runLaunch(world, { user: 'alan' });
    const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
    expect(toolResponse!.status).toBe(200);
    const payload = world.tool.launches.at(-1)!;
    expect(payload.sub).toBe('alan');
    expect(payload[CLAIM.roles]).toEqual([ROLE.Learner]);
    expect(payload[CLAIM.context]).toBeUndefined();
    expect((payload[CLAIM.resourceLink] as any).title).toBe('Course Chat');
  });

  it('signs with the current key and serves current, next and previous keys with Cache-Control', async () => {
    const res = await fetch(world.platform.jwks_url);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const jwks = (await res.json()) as { keys: any[] };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(2);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
    const keypairs = (await (await fetch(`${world.platform.base_url}/keypairs`)).json()) as { keys: any[] };
    expect(keypairs.keys.map((k) => k.kid)).toEqual(jwks.keys.map((k) => k.kid));

    const started = await runLaunch(world, {});
    const { form } = await finishLaunch(started.browser, started.toolLogin!);
    expect(decodeProtectedHeader(form!.fields.id_token)).toMatchObject({ alg: 'RS256', kid: jwks.keys[0].kid });

    const rotated = await world.admin('/keys/rotate', { method: 'POST' });
    expect(rotated.status).toBe(200);
    const after = (await (await fetch(world.platform.jwks_url)).json()) as { keys: any[] };
    expect(after.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([jwks.keys[0].kid, jwks.keys[1].kid]));
  });

  it('publishes its OpenID configuration and the tools API with open CORS', async () => {
    const conf = (await (await fetch(`${world.platform.base_url}/.well-known/openid-configuration`)).json()) as any;
    expect(conf).toMatchObject({
      issuer: world.platform.issuer, authorization_endpoint: `${world.platform.base_url}/auth`, jwks_uri: world.platform.jwks_url,
      response_types_supported: ['id_token'], id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(conf.scopes_supported[0]).toBe('openid');
    expect(conf['https://purl.imsglobal.org/spec/lti-platform-configuration'].messages_supported).toEqual([{ type: 'LtiResourceLinkRequest' }]);
    const tools = await fetch(world.platform.tools_url, { headers: { origin: 'https://portal.example' } });
    expect(tools.headers.get('access-control-allow-origin')).toBe('*');
    expect(await tools.json()).toEqual([
      { name: 'Course Chat', description: 'Ask questions about the course', icon_url: null, url: world.toolRecord.launch_url },
    ]);
    // The single platform is also served at the root paths (single-tenant convenience).
    const root = (await (await fetch(`${world.launcher.url}/api/v1/tools`)).json()) as any[];
    expect(root[0].url).toBe(world.toolRecord.launch_url);
  });
});

describe('launcher lifetimes', () => {
  it('signs id_tokens for ID_TOKEN_LIFETIME_SECONDS, keeps nonces twice that, and caps login hints at the login-state lifetime', async () => {
    const world = await startLauncherWorld(null, { config: { idTokenLifetimeSeconds: 60, loginStateTtlSeconds: 45 } });
    try {
      const started = await runLaunch(world, { user: 'ada' });
      const hint = await world.launcher.services.db.selectFrom('login_hints').select('expires_at').executeTakeFirstOrThrow();
      expect(hint.expires_at - Date.now()).toBeGreaterThan(30_000);
      expect(hint.expires_at - Date.now()).toBeLessThanOrEqual(45_000);
      const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse!.status).toBe(200);
      const payload = world.tool.launches.at(-1)!;
      expect(payload.exp! - payload.iat!).toBe(60);
      const nonce = await world.launcher.services.db.selectFrom('nonces').select('expires_at').executeTakeFirstOrThrow();
      expect(nonce.expires_at - Date.now()).toBeGreaterThan(100_000);
      expect(nonce.expires_at - Date.now()).toBeLessThanOrEqual(120_000);
    } finally {
      await world.close();
    }
  });
});
