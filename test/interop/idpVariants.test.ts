/**
 * The launcher against two IdP configurations: the demo's (RS256, public `sub`, `name` released,
 * every client authentication method) and one that differs in each of those (ES256 id_tokens,
 * client_secret_basic only, pairwise `sub`, no `name` claim). Then what a person and an admin see
 * when the IdP side is misconfigured.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartIdpOptions } from '../../demo/idp/idp.ts';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { IdpLoginError, loginThroughIdp } from '../support/idpLogin.ts';
import { finishLaunch, runLaunch } from '../platform/harness.ts';
import { CLIENT_ID, launchLog, startWorld, type World } from '../attacks/world.ts';
import { errorPage } from '../support/refused.ts';

const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

const VARIANTS: Array<[string, StartIdpOptions]> = [
  ['the demo IdP (RS256, public sub, name released)', {}],
  [
    'an IdP with ES256 id_tokens, client_secret_basic only, pairwise sub and no name claim',
    { idTokenSigningAlg: 'ES256', tokenEndpointAuthMethods: ['client_secret_basic'], subjectType: 'pairwise', releaseName: false },
  ],
];

/** Records the header of every id_token the launcher receives from the IdP's token endpoint. */
function recordIdTokens(world: World): string[] {
  const algs: string[] = [];
  const services = world.launcher.services;
  const original = services.fetch;
  services.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(world.idp.url) && url.includes('/token')) {
      const body = (await response.clone().json().catch(() => ({}))) as { id_token?: string };
      if (body.id_token) algs.push(decodeProtectedHeader(body.id_token).alg!);
    }
    return response;
  }) as typeof fetch;
  return algs;
}

describe.each(VARIANTS)('the launcher with %s', (_name, idpOptions) => {
  let world: World;
  let idTokenAlgs: string[];

  beforeAll(async () => {
    world = await startWorld({ idp: idpOptions });
    idTokenAlgs = recordIdTokens(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('discovers the IdP as configured', async () => {
    const metadata = (await (await fetch(world.idp.discoveryUrl)).json()) as Record<string, string[]>;
    if (idpOptions.idTokenSigningAlg) {
      expect(metadata.id_token_signing_alg_values_supported).toEqual(['ES256']);
      expect(metadata.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic']);
      expect(metadata.subject_types_supported).toEqual(['pairwise']);
      expect(metadata.claims_supported).not.toContain('name');
    } else {
      expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
      expect(metadata.subject_types_supported).toEqual(['public']);
    }
  });

  it('launches: the tool gets the IdP\'s sub, the mapped roles and only the claims the IdP released', async () => {
    const context = await world.portal.context({ [CLAIM.context]: { id: 'course-7', title: 'Optics' } });
    const started = await runLaunch(world, { user: 'ada', context });
    expect(started.stage, await started.response.clone().text()).toBe('tool_login');
    const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
    expect(toolResponse!.status).toBe(200);

    const payload = world.tool.launches.at(-1)!;
    const sub = world.idp.subjectFor('ada', CLIENT_ID);
    expect(payload.sub).toBe(sub);
    expect(payload[CLAIM.roles]).toEqual([INSTRUCTOR]);
    expect(payload[CLAIM.context]).toMatchObject({ id: 'course-7', title: 'Optics' });
    expect(payload).toMatchObject({ given_name: 'Ada', family_name: 'Lovelace', email: 'ada.lovelace@school.example' });
    expect(idTokenAlgs.at(-1)).toBe(idpOptions.idTokenSigningAlg ?? 'RS256');
    if (idpOptions.subjectType === 'pairwise') {
      expect(sub).not.toBe('ada');
      expect(payload.name).toBeUndefined();
    } else {
      expect(sub).toBe('ada');
      expect(payload.name).toBe('Ada Lovelace');
    }
    const log = await launchLog(world, 'outcome=success&limit=1');
    expect(log[0].user_sub).toBe(sub);
  });

  it('gives a returning user the same sub, and another user another one', async () => {
    const subs: string[] = [];
    for (const user of ['alan', 'alan', 'grace']) {
      const started = await runLaunch(world, { user });
      const { toolResponse } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse!.status).toBe(200);
      subs.push(world.tool.launches.at(-1)!.sub!);
    }
    expect(subs[0]).toBe(subs[1]);
    expect(subs[2]).not.toBe(subs[0]);
    expect(world.tool.launches.at(-2)![CLAIM.roles]).toEqual([LEARNER]);
  });
});

describe('a misconfigured IdP', () => {
  const basicOnly: StartIdpOptions = { idTokenSigningAlg: 'ES256', tokenEndpointAuthMethods: ['client_secret_basic'], subjectType: 'pairwise', releaseName: false };

  /** A launch whose code exchange the IdP refuses because the launcher's secret is not the one it holds. */
  async function wrongSecretLaunch() {
    const world = await startWorld({ idp: basicOnly, idpClientSecret: 'the-idp-has-another-secret' });
    try {
      const started = await runLaunch(world, { user: 'ada' });
      expect(started.stage).toBe('callback');
      const page = await errorPage(started.response);
      const [entry] = await launchLog(world, 'outcome=failure&limit=1');
      return { page, entry };
    } finally {
      await world.close();
    }
  }

  it('wrong client secret at the IdP: a 401 page with the tool, platform, code and request id; the launch log has it', async () => {
    const { page, entry } = await wrongSecretLaunch();
    expect(page.status).toBe(401);
    expect(page.body).toContain(page.requestId!);
    expect(page.body).toContain('Course Chat'); // which tool…
    expect(page.body).toContain('Springfield High'); // …on which platform
    expect(page.body).not.toContain('launcher-secret-value');
    expect(entry).toMatchObject({ outcome: 'failure', failure_code: page.code });
    expect(entry.steps.at(-1)).toMatchObject({ step: 'verify_idp_token', outcome: 'failed' });
  });

  // oidc-provider answers a wrong client secret with 401 + `WWW-Authenticate`, which openid-client 6
  // throws as OAUTH_WWW_AUTHENTICATE_CHALLENGE: idpError must call that a refused code (check the
  // secret), not a token it could not verify (check the keys).
  it('wrong client secret at the IdP: the code is idp_code_rejected (not idp_token_invalid)', async () => {
    const { page, entry } = await wrongSecretLaunch();
    expect(page.code).toBe('idp_code_rejected');
    expect(page.body).toContain('The sign-in service refused to complete the sign-in');
    expect(entry.failure_code).toBe('idp_code_rejected');
  });

  it('wrong redirect URI registered at the IdP: the IdP shows its own error; the launch log shows it stuck at the IdP', async () => {
    const world = await startWorld({ idp: basicOnly, idpRedirectUris: () => ['http://127.0.0.1:1/p/springfield/callback'] });
    try {
      const browser = new Browser();
      const first = await browser.request(world.toolRecord.launch_url);
      expect(first.status).toBe(303);
      const error = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar()).then(
        () => null,
        (err: unknown) => err,
      );
      // What the person sees: the IdP's page, not a redirect to the launcher (the IdP must not
      // send the code to an address it does not know).
      expect(error).toBeInstanceOf(IdpLoginError);
      const idpError = error as IdpLoginError;
      expect(idpError.status).toBe(400);
      expect(idpError.url.origin).toBe(world.idp.url);
      expect(idpError.body).toContain('Sign-in error');
      expect(idpError.body).toContain('invalid_redirect_uri');
      expect(idpError.body).toContain('redirect_uri did not match any of the client&#39;s registered redirect_uris');
      // What the admin sees: the launch went to the IdP and never came back.
      const [entry] = await launchLog(world, 'outcome=pending&limit=1');
      expect(entry.steps.at(-1)).toMatchObject({ step: 'redirect_to_idp', outcome: 'ok' });
    } finally {
      await world.close();
    }
  });

  it('unknown client_id at the IdP: the IdP shows its own error page', async () => {
    const world = await startWorld({ idp: basicOnly });
    try {
      const res = await world.admin(`/platforms/${world.platform.id}`, { method: 'PATCH', body: { client_id: 'not-registered-at-the-idp' } });
      expect(res.status).toBe(200);
      const first = await new Browser().request(world.toolRecord.launch_url);
      const error = await loginThroughIdp(first.headers.get('location')!, 'ada', new CookieJar()).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(IdpLoginError);
      expect((error as IdpLoginError).body).toMatch(/invalid_client/);
    } finally {
      await world.close();
    }
  });

  describe('discovery URL problems on platform create: 422 naming the URL and the cause', () => {
    let world: World;
    let fake: Server;
    let fakeUrl: string;
    beforeAll(async () => {
      world = await startWorld();
      fake = createServer((req, res) => {
        if (req.url === '/wrong-issuer/.well-known/openid-configuration') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
            issuer: 'https://somebody-else.example', authorization_endpoint: 'https://x/a', token_endpoint: 'https://x/t', jwks_uri: 'https://x/j',
          }));
        } else if (req.url === '/html/.well-known/openid-configuration') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome to our portal</html>');
        } else res.writeHead(404).end('not here');
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      fake?.close();
      await world?.close();
    });

    it.each<[string, () => string, RegExp]>([
      ['nothing listening', () => 'http://127.0.0.1:9/.well-known/openid-configuration', /ECONNREFUSED|fetch failed/],
      ['a 404', () => `${fakeUrl}/missing/.well-known/openid-configuration`, /not an OAuth answer \(HTTP 404\)/],
      ['an HTML page', () => `${fakeUrl}/html/.well-known/openid-configuration`, /not an OAuth answer \(HTTP 200, text\/html\)/],
      ['another issuer', () => `${fakeUrl}/wrong-issuer/.well-known/openid-configuration`, /issuer/i],
    ])('%s', async (_case, url, cause) => {
      const discovery = url();
      const res = await world.admin('/platforms', { body: { name: 'X', slug: `x-${Date.now()}`, openid_configuration_url: discovery, client_id: 'c' } });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: string; fields: Record<string, string> };
      expect(body.error).toBe('validation_failed');
      expect(body.fields.openid_configuration_url).toContain(discovery);
      expect(body.fields.openid_configuration_url).toMatch(cause);
    });

    // openid-client puts the Response in err.cause, which has no message or code: describeIdpError
    // names its HTTP status, so the admin reads "HTTP 404", not only "unexpected status code".
    it('a 404 is named as such', async () => {
      const discovery = `${fakeUrl}/missing/.well-known/openid-configuration`;
      const res = await world.admin('/platforms', { body: { name: 'X', slug: 'x-404', openid_configuration_url: discovery, client_id: 'c' } });
      expect(((await res.json()) as { fields: Record<string, string> }).fields.openid_configuration_url).toMatch(/404/);
    });
  });
});
