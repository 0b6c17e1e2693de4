/**
 * ltijs (a certified LTI 1.3 tool library we did not write) as a tool behind the launcher. ltijs
 * runs in this process with its own database plugin (ltijs-sequelize on a fresh Postgres
 * database), its own cookie handling (signed state and session cookies on its host) and its
 * default 10-second id_token max age. The launch is driven like a browser: portal link → launcher
 * → IdP sign-in → launcher /callback → ltijs /login → launcher /auth → form post to ltijs → ltijs
 * app route, where onConnect must see the user, roles, context and custom values we sent.
 *
 * Postgres only (TEST_DATABASE_URL): ltijs-sequelize's SQLite dialect needs the native `sqlite3`
 * package, which has no prebuilt binary reachable here and compiles from source on every `npm ci`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ltijs, { type LtijsProvider, type LtijsToken } from 'ltijs';
import LtijsSequelize from 'ltijs-sequelize';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { Browser } from '../support/browser.ts';
import { CookieJar } from '../support/cookieJar.ts';
import { readForm } from '../support/htmlForm.ts';
import { loginThroughIdp } from '../support/idpLogin.ts';
import { startLauncherWorld, type LauncherWorld } from '../platform/harness.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const TOOL_CLIENT_ID = 'ltijs-quiz';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

describe.skipIf(!PG_URL)('ltijs (LTI 1.3 tool library) behind the launcher', () => {
  let world: LauncherWorld;
  let lti: LtijsProvider;
  let ltijsServer: Server;
  let ltijsUrl: string;
  let dbName: string;
  let toolRecord: Record<string, any>;
  const connects: Array<{ token: LtijsToken; context: LtijsToken['platformContext'] }> = [];
  const invalid: unknown[] = [];

  const admin = async (path: string, body?: unknown) => world.admin(path, body === undefined ? {} : { body });

  beforeAll(async () => {
    world = await startLauncherWorld(null);

    // ltijs's own database: a fresh Postgres database, dropped afterwards.
    const base = new URL(PG_URL!);
    dbName = `ltijs_${randomBytes(5).toString('hex')}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE DATABASE ${dbName}`);
    await client.end();
    const plugin = new LtijsSequelize(dbName, decodeURIComponent(base.username), decodeURIComponent(base.password), {
      host: base.hostname,
      port: Number(base.port || 5432),
      dialect: 'postgres',
      logging: false,
    });

    lti = ltijs.Provider;
    lti.setup(randomBytes(16).toString('hex'), { plugin }, {
      appRoute: '/',
      loginRoute: '/login',
      keysetRoute: '/keys',
      // The launcher's form post to the tool is a cross-site POST in production, and the browser
      // below sends it as one: only SameSite=None cookies travel with it, so ltijs's state cookie
      // must be SameSite=None (which browsers accept only with Secure). No devMode: ltijs checks
      // its state cookie and session cookie for real. tokenMaxAge stays at ltijs's default (10 s).
      cookies: { secure: true, sameSite: 'None' },
    });
    lti.onConnect((token, _req, res) => {
      connects.push({ token, context: res.locals.context });
      return res.send(`ltijs launched for ${token.user}`);
    });
    lti.onInvalidToken((_req, res) => {
      invalid.push(res.locals.err);
      return res.status(401).send(res.locals.err);
    });
    // serverless: ltijs opens its database but we listen ourselves, on a free port.
    await lti.deploy({ serverless: true, silent: true });
    ltijsServer = createServer(lti.app);
    await new Promise<void>((resolve) => ltijsServer.listen(0, '127.0.0.1', resolve));
    ltijsUrl = `http://127.0.0.1:${(ltijsServer.address() as AddressInfo).port}`;

    // Our launcher as ltijs's platform.
    await lti.registerPlatform({
      url: world.platform.issuer,
      name: world.platform.name,
      clientId: TOOL_CLIENT_ID,
      authenticationEndpoint: `${world.platform.base_url}/auth`,
      accesstokenEndpoint: `${world.platform.base_url}/token`, // the launcher has no token endpoint (yet)
      authConfig: { method: 'JWK_SET', key: world.platform.jwks_url },
    });

    // ltijs as a tool of the launcher: its login and launch URLs and its key set.
    const res = await admin(`/platforms/${world.platform.id}/tools`, {
      name: 'ltijs Quiz',
      description: 'A quiz built on ltijs',
      client_id: TOOL_CLIENT_ID,
      open_id_connect_initiation_url: `${ltijsUrl}/login`,
      target_link_uri: `${ltijsUrl}/`,
      public_key_url: `${ltijsUrl}/keys`,
      custom: { quiz_id: 'week-1', attempts: '3' },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    toolRecord = await res.json();
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (ltijsServer ? ltijsServer.close(() => resolve()) : resolve()));
    await lti?.close({ silent: true }).catch(() => {});
    await world?.close();
    if (dbName) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await client.end();
    }
  });

  /** Portal link → … → the launcher's self-submitting form to ltijs (not yet posted). */
  async function launchToForm(user: string, context: string) {
    const browser = new Browser();
    const link = new URL(toolRecord.launch_url);
    link.searchParams.set('context', context);
    const first = await browser.request(link.href);
    expect(first.status, await first.clone().text()).toBe(303);
    const callback = await loginThroughIdp(first.headers.get('location')!, user, new CookieJar());
    const toTool = await browser.request(callback.href);
    // The launcher's self-submitting login form (login_initiation_method "post", the default).
    const loginPage = await toTool.clone().text();
    expect(toTool.status, loginPage).toBe(200);
    const toolLogin = readForm(loginPage);
    expect(toolLogin.action).toBe(`${ltijsUrl}/login`);
    expect(toolLogin.fields).toMatchObject({ iss: world.platform.issuer, client_id: TOOL_CLIENT_ID, target_link_uri: `${ltijsUrl}/` });

    // ltijs's login, posted cross-site from the launcher's page: sets its signed state cookie and sends the browser to our /auth.
    const ltijsLogin = await browser.post(toolLogin.action, toolLogin.fields, {}, { site: 'cross-site' });
    expect(ltijsLogin.status, await ltijsLogin.clone().text()).toBe(302);
    expect(ltijsLogin.headers.getSetCookie().join('\n')).toMatch(/^state[^=]+=.*SameSite=None/im);
    const authUrl = new URL(ltijsLogin.headers.get('location')!);
    expect(authUrl.origin + authUrl.pathname).toBe(`${world.platform.base_url}/auth`);

    const auth = await browser.request(authUrl.href);
    const html = await auth.text();
    expect(auth.status, html.slice(0, 500)).toBe(200);
    return { browser, form: readForm(html), authUrl };
  }

  /** Posts the form cross-site (as from the launcher's origin) and follows ltijs to its app route. */
  async function postToLtijs(browser: Browser, form: { action: string; fields: Record<string, string> }) {
    const posted = await browser.post(form.action, form.fields, {}, { site: 'cross-site' });
    const body = await posted.clone().text();
    if (posted.status !== 302) return { posted, body, app: null };
    const app = await browser.request(new URL(posted.headers.get('location')!, form.action).href);
    return { posted, body, app };
  }

  it('accepts our launch and sees the user, roles, context and custom values we sent', async () => {
    const context = await world.portal.context({
      [CLAIM.context]: { id: 'course-42', label: 'PHY101', title: 'Physics 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'] },
      [CLAIM.resourceLink]: { id: 'quiz-link-1', title: 'Week 1 quiz' },
      [CLAIM.custom]: { section: 'A' },
    });
    const { browser, form, authUrl } = await launchToForm('ada', context);
    expect(form.action).toBe(`${ltijsUrl}/`);
    // ltijs's authentication request carries its extras (lti_deployment_id, id_token_signed_response_alg); we accept them.
    expect(authUrl.searchParams.get('lti_deployment_id')).toBe(toolRecord.deployment_id);

    const before = connects.length;
    const { posted, body, app } = await postToLtijs(browser, form);
    expect(posted.status, `${body} ${JSON.stringify(invalid.at(-1))}`).toBe(302);
    // ltijs's session cookie, named after platform + client + deployment, signed.
    expect(posted.headers.getSetCookie().join('\n')).toMatch(/^lti[^=]*=s%3Aada\./m);
    expect(app!.status).toBe(200);
    expect(await app!.text()).toBe('ltijs launched for ada');
    expect(connects.length).toBe(before + 1);

    const { token, context: seen } = connects.at(-1)!;
    expect(token).toMatchObject({
      iss: world.platform.issuer,
      user: 'ada',
      clientId: TOOL_CLIENT_ID,
      deploymentId: toolRecord.deployment_id,
      userInfo: { given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace', email: 'ada.lovelace@school.example' },
      platformInfo: { guid: world.platform.id, name: world.platform.name, product_family_code: 'lti-launcher' },
    });
    expect(seen).toMatchObject({
      messageType: 'LtiResourceLinkRequest',
      version: '1.3.0',
      targetLinkUri: `${ltijsUrl}/`,
      context: { id: 'course-42', label: 'PHY101', title: 'Physics 101' },
      resource: { id: 'quiz-link-1', title: 'Week 1 quiz' },
      custom: { quiz_id: 'week-1', attempts: '3', section: 'A' },
      launchPresentation: { document_target: 'window', locale: 'en-GB' },
    });
    expect(seen.roles).toEqual([INSTRUCTOR]);
  });

  it('maps another user to another role; without a context the launch still passes ltijs\'s claim checks', async () => {
    const { browser, form } = await launchToForm('alan', '');
    const { posted, body, app } = await postToLtijs(browser, form);
    expect(posted.status, `${body} ${JSON.stringify(invalid.at(-1))}`).toBe(302);
    expect(app!.status).toBe(200);
    const { token, context } = connects.at(-1)!;
    expect(token.user).toBe('alan');
    expect(context.roles).toEqual([LEARNER]);
    // No context claim: a stable resource link id of our own (ltijs requires one).
    expect(context.resource).toMatchObject({ id: expect.any(String), title: 'ltijs Quiz' });
  });

  it('the id_token is fresh enough for ltijs\'s 10 s max age, and ltijs does enforce it', async () => {
    const context = await world.portal.context({ [CLAIM.context]: { id: 'course-43' } });
    const { browser, form } = await launchToForm('ada', context);
    const iat = JSON.parse(Buffer.from(form.fields.id_token.split('.')[1], 'base64url').toString()).iat as number;
    expect(Math.abs(Date.now() / 1000 - iat)).toBeLessThan(3);

    // The same post 11 s later (the person left the page open): ltijs refuses it as too old.
    const now = Date.now();
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => now + 11_000);
    try {
      const { posted, body } = await postToLtijs(browser, form);
      expect(posted.status).toBe(401);
      expect(body).toContain('TOKEN_TOO_OLD');
    } finally {
      spy.mockRestore();
    }
  });

  it('ltijs refuses the same id_token posted twice (its own nonce store), and a post without its state cookie', async () => {
    const context = await world.portal.context({ [CLAIM.context]: { id: 'course-44' } });
    const { browser, form } = await launchToForm('ada', context);
    const cookies = browser.jar.header(form.action, { method: 'POST', site: 'cross-site' }); // with ltijs's state cookie
    const first = await postToLtijs(browser, form);
    expect(first.posted.status, first.body).toBe(302);

    // Replayed with the very same cookies (an attacker who captured the whole request).
    const replay = await fetch(form.action, {
      method: 'POST', body: new URLSearchParams(form.fields), redirect: 'manual', headers: { cookie: cookies },
    });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('NONCE_ALREADY_RECEIVED');

    const other = await launchToForm('ada', context);
    other.browser.jar.cookies = other.browser.jar.cookies.filter((c) => !c.name.startsWith('state'));
    const noCookie = await postToLtijs(other.browser, other.form);
    expect(noCookie.posted.status).toBe(401);
    expect(noCookie.body).toContain('MISSING_VALIDATION_COOKIE');
  });
});
