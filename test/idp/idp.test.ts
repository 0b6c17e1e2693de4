import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, startIdp, type IdpClient, type RunningIdp } from '../../demo/idp/idp.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { IdpLoginError, loginThroughIdp } from '../support/idpLogin.ts';

// The redirect is never followed, so nothing needs to listen there.
const client: IdpClient = {
  client_id: 'launcher-test',
  client_secret: 'launcher-test-secret-0123456789abcdef',
  redirect_uris: ['http://127.0.0.1:1/oidc/callback'],
};

let idp: RunningIdp;

beforeAll(async () => {
  idp = await startIdp({
    users: [...DEMO_USERS, { id: 'kay', password: 'correct horse', name: 'Kay Example', given_name: 'Kay', family_name: 'Example', email: 'kay@school.example', picture: 'http://127.0.0.1:1/kay.png', groups: ['teacher', 'admin'] }],
  });
  await idp.addClient(client); // added after start, like the launcher's admin does
});

afterAll(async () => {
  await idp?.close();
});

/** openid-client as the launcher uses it: discovery, client_secret_basic, PKCE S256, state and nonce. */
async function relyingParty(rp: IdpClient = client, issuer = idp.issuer) {
  const config = await oidc.discovery(new URL(issuer), rp.client_id, rp.client_secret, oidc.ClientSecretBasic(rp.client_secret), {
    execute: [oidc.allowInsecureRequests],
  });
  const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
  const expectedState = oidc.randomState();
  const expectedNonce = oidc.randomNonce();
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: rp.redirect_uris[0],
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
  });
  const exchange = (callback: URL) =>
    oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true });
  return { config, authorizationUrl, expectedState, exchange };
}

describe('demo IdP', () => {
  it('serves discovery for code + PKCE S256 + client_secret_basic', async () => {
    const response = await fetch(idp.discoveryUrl);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(idp.issuer);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.token_endpoint_auth_methods_supported).toContain('client_secret_basic');
    expect(metadata.id_token_signing_alg_values_supported).toContain('RS256');
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups']));
    expect(metadata.claims_supported).toEqual(expect.arrayContaining(['sub', 'name', 'email', 'groups']));
  });

  it('logs a teacher in end to end and puts profile, email and groups in the id_token', async () => {
    const rp = await relyingParty();
    const callback = await loginThroughIdp(rp.authorizationUrl.href, 'ada', new CookieJar());
    expect(callback.href.startsWith(client.redirect_uris[0])).toBe(true);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(rp.expectedState);

    const tokens = await rp.exchange(callback);
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: client.client_id,
      sub: 'ada',
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: 'ada.lovelace@school.example',
      locale: 'en-GB',
      groups: ['teacher'],
    });
    // the id_token really is RS256 signed with a key from the IdP's JWKS
    expect(JSON.parse(Buffer.from(tokens.id_token!.split('.')[0], 'base64url').toString()).alg).toBe('RS256');
  });

  it('signs in a password user with the right password and refuses a wrong one', async () => {
    const rp = await relyingParty();
    const wrong = loginThroughIdp(rp.authorizationUrl.href, 'kay', new CookieJar(), { password: 'wrong' });
    await expect(wrong).rejects.toBeInstanceOf(IdpLoginError);
    await expect(wrong).rejects.toMatchObject({ status: 401, message: expect.stringContaining('wrong password') });

    const callback = await loginThroughIdp(rp.authorizationUrl.href, 'kay', new CookieJar(), { password: 'correct horse' });
    const claims = (await rp.exchange(callback)).claims();
    expect(claims).toMatchObject({ sub: 'kay', picture: 'http://127.0.0.1:1/kay.png', groups: ['teacher', 'admin'] });
  });

  it('keeps an IdP session: a second authorization skips the login page, prompt=login switches user', async () => {
    const jar = new CookieJar();
    const first = await relyingParty();
    await first.exchange(await loginThroughIdp(first.authorizationUrl.href, 'ada', jar));

    const again = await relyingParty();
    const silent = await loginThroughIdp(again.authorizationUrl.href, 'ignored-no-login-page', jar);
    expect((await again.exchange(silent)).claims()).toMatchObject({ sub: 'ada', groups: ['teacher'] });

    const forced = await relyingParty();
    forced.authorizationUrl.searchParams.set('prompt', 'login');
    const switched = await loginThroughIdp(forced.authorizationUrl.href, 'grace', jar);
    expect((await forced.exchange(switched)).claims()).toMatchObject({ sub: 'grace', groups: ['ta'] });
  });

  it('shows an error page for an unknown user', async () => {
    const rp = await relyingParty();
    const attempt = loginThroughIdp(rp.authorizationUrl.href, 'mallory', new CookieJar());
    await expect(attempt).rejects.toMatchObject({ status: 401, message: expect.stringContaining('unknown user') });
  });

  it('lists the demo users on its login page', async () => {
    const rp = await relyingParty();
    const jar = new CookieJar();
    const first = await fetch(rp.authorizationUrl, { redirect: 'manual' });
    jar.store(rp.authorizationUrl, first);
    expect(first.status).toBe(303);
    const loginUrl = new URL(first.headers.get('location')!, rp.authorizationUrl);
    expect(loginUrl.pathname).toMatch(/^\/interaction\/[\w-]+$/);
    const page = await fetch(loginUrl, { headers: { cookie: jar.header(loginUrl) } });
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const user of DEMO_USERS) expect(html).toContain(`Sign in as ${user.name}`);
    expect(html).toContain('demo sign-in, no password');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/); // no scripts, no external assets
  });

  it('refuses an unknown client', async () => {
    const rp = await relyingParty({ ...client, client_id: 'nobody' });
    const attempt = loginThroughIdp(rp.authorizationUrl.href, 'ada', new CookieJar());
    await expect(attempt).rejects.toMatchObject({ status: 400, message: expect.stringContaining('invalid_client') });
  });

  it('refuses an authorization request without PKCE', async () => {
    const rp = await relyingParty();
    const url = new URL(rp.authorizationUrl);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const callback = await loginThroughIdp(url.href, 'ada', new CookieJar());
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('refuses the code for a wrong client secret', async () => {
    const rp = await relyingParty();
    const callback = await loginThroughIdp(rp.authorizationUrl.href, 'alan', new CookieJar());
    const wrong = await oidc.discovery(new URL(idp.issuer), client.client_id, undefined, oidc.ClientSecretBasic('not-the-secret'), {
      execute: [oidc.allowInsecureRequests],
    });
    await expect(
      oidc.authorizationCodeGrant(wrong, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: rp.expectedState }),
    ).rejects.toMatchObject({ status: 401, cause: [{ parameters: expect.objectContaining({ error: 'invalid_client' }) }] });
  });

  it("also accepts client_secret_post, openid-client's default when no client auth is given", async () => {
    const config = await oidc.discovery(new URL(idp.issuer), client.client_id, client.client_secret, undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
    const expectedNonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: client.redirect_uris[0],
      scope: 'openid groups',
      code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      nonce: expectedNonce,
    });
    const callback = await loginThroughIdp(url.href, 'alan', new CookieJar());
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier, expectedNonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: 'alan', groups: ['student'] });
    expect(claims.email).toBeUndefined(); // only what the scopes release
  });

  it('rejects invalid client metadata in addClient', async () => {
    await expect(idp.addClient({ client_id: 'broken', client_secret: 'x', redirect_uris: ['not a url'] })).rejects.toThrow(/invalid IdP client broken/);
  });

  it('works under an issuer with a path', async () => {
    const probe = await startIdp();
    const port = new URL(probe.url).port;
    await probe.close();
    const scoped = await startIdp({ port: Number(port), issuer: `http://127.0.0.1:${port}/school`, clients: [client] });
    try {
      expect(scoped.discoveryUrl).toBe(`http://127.0.0.1:${port}/school/.well-known/openid-configuration`);
      const rp = await relyingParty(client, scoped.issuer);
      const callback = await loginThroughIdp(rp.authorizationUrl.href, 'alan', new CookieJar());
      expect((await rp.exchange(callback)).claims()).toMatchObject({ iss: scoped.issuer, sub: 'alan', groups: ['student'] });
    } finally {
      await scoped.close();
    }
  });
});
