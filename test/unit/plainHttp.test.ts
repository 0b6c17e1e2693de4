/**
 * One rule for plain http in both roles (src/net/urlPolicy.ts plainHttpRefusal): loopback hosts
 * may use http by default, any other host needs https unless ALLOW_INSECURE_IDP=true, and every
 * refusal names the URL and the setting. The admin fields, the server's own fetches (discovery,
 * key sets, the token exchange, an LMS's key set) apply the same function; with the default
 * settings a launcher whose IdP runs on http://127.0.0.1 launches end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fields, gatewayRules, launcherRules } from '../../src/input/fields.ts';
import { UrlPolicyError, isLoopbackHost, plainHttpRefusal, policyFetch } from '../../src/net/urlPolicy.ts';
import { errorPage } from '../support/refused.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { finishLaunch, runLaunch, startLauncherWorld, type LauncherWorld } from '../platform/harness.ts';

describe('the plain-http rule', () => {
  it('knows the loopback hosts in every spelling', () => {
    for (const host of ['localhost', 'LOCALHOST', 'demo.launcher.localhost', 'localhost.', '127.0.0.1', '127.1.2.3', '[::1]', '::1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['example.edu', 'localhost.example.edu', 'mylocalhost', '10.0.0.1', '128.0.0.1', '[::2]', '[fe80::1]', '0.0.0.0']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('lets loopback use http, refuses http elsewhere naming the URL and ALLOW_INSECURE_IDP, and always lets https through', () => {
    expect(plainHttpRefusal(new URL('http://localhost:8080/realms/x'), false)).toBeNull();
    expect(plainHttpRefusal(new URL('http://127.0.0.1:4000/.well-known/openid-configuration'), false)).toBeNull();
    expect(plainHttpRefusal(new URL('https://idp.example.edu/'), false)).toBeNull();
    const refusal = plainHttpRefusal(new URL('http://idp.example.edu/token'), false);
    expect(refusal).toContain('http://idp.example.edu/token must use https');
    expect(refusal).toContain('set ALLOW_INSECURE_IDP=true');
    expect(plainHttpRefusal(new URL('http://idp.example.edu/token'), true)).toBeNull();
  });

  it('is what the admin fields of both roles apply', () => {
    for (const rules of [launcherRules(false), gatewayRules(false)]) {
      const f = new Fields({ a: 'http://localhost:9000/login', b: 'http://127.0.0.5/x', c: 'http://lms.example.edu/jwks', d: 'https://lms.example.edu/jwks' }, rules);
      expect([f.url('a'), f.url('b'), f.url('c'), f.url('d')]).toEqual(['http://localhost:9000/login', 'http://127.0.0.5/x', null, 'https://lms.example.edu/jwks']);
      expect(f.errors).toEqual({ c: expect.stringMatching(/^must use https .*ALLOW_INSECURE_IDP=true/) });
    }
    const open = new Fields({ c: 'http://lms.example.edu/jwks' }, launcherRules(true));
    expect(open.url('c')).toBe('http://lms.example.edu/jwks');
  });

  it('is what the server\'s own fetches apply, before any connection is made', async () => {
    const fetchStrict = policyFetch({ allowPrivate: true, allowInsecure: false });
    const refused = await fetchStrict('http://idp.example.edu/.well-known/openid-configuration').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(UrlPolicyError);
    expect((refused as Error).message).toContain('http://idp.example.edu/.well-known/openid-configuration must use https');
    expect((refused as Error).message).toContain('ALLOW_INSECURE_IDP=true');
  });
});

describe('a launcher with the default settings and an IdP on loopback http', () => {
  let world: LauncherWorld;
  beforeAll(async () => {
    // No ALLOW_INSECURE_IDP: discovery, the token exchange and the IdP's key set all go over http://127.0.0.1.
    world = await startLauncherWorld(null, { config: { allowInsecureIdp: false } });
  });
  afterAll(async () => world?.close());

  it('saves the platform and launches end to end', async () => {
    expect(world.platform.openid_configuration_url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const started = await runLaunch(world);
    expect(started.stage).toBe('tool_login');
    const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
    expect(toolResponse?.status).toBe(200);
  });

  it('refuses, at launch, a token endpoint on plain http elsewhere: 502 idp_url_refused naming the URL and the setting, no connection tried', async () => {
    const db = world.launcher.services.db;
    const row = await db.selectFrom('platforms').select('idp_metadata').where('id', '=', world.platform.id).executeTakeFirstOrThrow();
    const browser = new Browser();
    const first = await browser.request(world.toolRecord.launch_url);
    const callbackUrl = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar());
    // A stored document from before the rule (or a setting turned off since): the exchange is refused before it is sent.
    await db.updateTable('platforms').set({ idp_metadata: JSON.stringify({ ...JSON.parse(row.idp_metadata), token_endpoint: 'http://idp.example.edu/token' }) })
      .where('id', '=', world.platform.id).execute();
    world.launcher.services.cache.invalidate();
    try {
      const page = await errorPage(await browser.request(callbackUrl.href));
      expect([page.status, page.code]).toEqual([502, 'idp_url_refused']);
      expect(page.body).toContain('http://idp.example.edu/token must use https');
      expect(page.body).toContain('ALLOW_INSECURE_IDP=true');
    } finally {
      await db.updateTable('platforms').set({ idp_metadata: row.idp_metadata }).where('id', '=', world.platform.id).execute();
      world.launcher.services.cache.invalidate();
    }
  });

  it('refuses an IdP on plain http elsewhere, naming the URL and the setting', async () => {
    const res = await world.admin('/platforms', {
      body: { name: 'Elsewhere', slug: 'elsewhere', openid_configuration_url: 'http://idp.example.edu/.well-known/openid-configuration', client_id: 'c', context_public_jwk: world.portal.publicJwk },
    });
    expect(res.status).toBe(422);
    const { fields } = (await res.json()) as { fields: Record<string, string> };
    expect(fields.openid_configuration_url).toContain('must use https');
    expect(fields.openid_configuration_url).toContain('ALLOW_INSECURE_IDP=true');
  });
});
