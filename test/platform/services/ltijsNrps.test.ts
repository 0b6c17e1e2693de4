/**
 * ltijs (a certified LTI 1.3 tool library we did not write) reads a context's members from the
 * launcher with its NamesAndRoles service, over several pages: it takes the memberships URL from
 * the launch's namesroleservice claim, asks for a token with the NRPS scope, and follows the
 * `Link: rel="next"` headers. Set up as test/interop/ltijs.test.ts (ltijs-sequelize on Postgres,
 * so Postgres only); the launcher runs on a Postgres schema of its own.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ltijs, { type LtijsProvider, type LtijsToken } from 'ltijs';
import LtijsSequelize from 'ltijs-sequelize';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.ts';
import { ROLE } from '../../../src/lti/roles.ts';
import { NRPS_SCOPE } from '../../../src/lti/services/scopes.ts';
import { Browser } from '../../support/browser.ts';
import { CookieJar } from '../../support/cookieJar.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { readForm } from '../../support/htmlForm.ts';
import { loginThroughIdp } from '../../support/idpLogin.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';
import { pushRoster } from './nrpsSupport.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const TOOL_CLIENT_ID = 'ltijs-roster';
const COURSE = { id: 'bio-300', label: 'BIO 300', title: 'Cells' };

describe.skipIf(!PG_URL)('ltijs reads members from the launcher (NRPS 2.0)', () => {
  let world: LauncherWorld;
  let launcherDb: string | null = null;
  let lti: LtijsProvider;
  let ltijsServer: Server;
  let ltijsUrl: string;
  let dbName: string;
  let toolRecord: Record<string, any>;
  /** The scopes the launcher's POST /token granted ltijs, one entry per token. */
  const grantedScopes = async () =>
    (await world.launcher.services.db.selectFrom('access_tokens').select('scopes').where('tool_id', '=', toolRecord.id).execute()).map((r) => r.scopes);
  const connects: LtijsToken[] = [];

  beforeAll(async () => {
    launcherDb = await freshDatabaseUrl('postgres');
    world = await startLauncherWorld(launcherDb);

    const base = new URL(PG_URL!);
    dbName = `ltijs_${randomBytes(5).toString('hex')}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE DATABASE ${dbName}`);
    await client.end();
    const plugin = new LtijsSequelize(dbName, decodeURIComponent(base.username), decodeURIComponent(base.password), {
      host: base.hostname, port: Number(base.port || 5432), dialect: 'postgres', logging: false,
    });
    lti = ltijs.Provider;
    lti.setup(randomBytes(16).toString('hex'), { plugin }, {
      appRoute: '/', loginRoute: '/login', keysetRoute: '/keys', cookies: { secure: true, sameSite: 'None' },
    });
    lti.onConnect((token, _req, res) => {
      connects.push({ ...token, platformContext: res.locals.context });
      return res.send('ok');
    });
    await lti.deploy({ serverless: true, silent: true });
    ltijsServer = createServer(lti.app);
    await new Promise<void>((resolve) => ltijsServer.listen(0, '127.0.0.1', resolve));
    ltijsUrl = `http://127.0.0.1:${(ltijsServer.address() as AddressInfo).port}`;

    await lti.registerPlatform({
      url: world.platform.issuer, name: world.platform.name, clientId: TOOL_CLIENT_ID,
      authenticationEndpoint: `${world.platform.base_url}/auth`,
      accesstokenEndpoint: `${world.platform.base_url}/token`,
      authConfig: { method: 'JWK_SET', key: world.platform.jwks_url },
    });
    // ltijs's key set has its key once the platform is registered: then it can be our tool.
    const res = await world.admin(`/platforms/${world.platform.id}/tools`, {
      body: {
        name: 'ltijs Roster', client_id: TOOL_CLIENT_ID, open_id_connect_initiation_url: `${ltijsUrl}/login`,
        target_link_uri: `${ltijsUrl}/`, public_key_url: `${ltijsUrl}/keys`,
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    toolRecord = await res.json();

  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => (ltijsServer ? ltijsServer.close(() => resolve()) : resolve()));
    await lti?.close({ silent: true }).catch(() => {});
    await world?.close();
    await dropDatabase(launcherDb);
    if (dbName) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
      await client.end();
    }
  });

  /** A launch of ltijs by an IdP user in the course, driven like a browser; the id_token as ltijs holds it. */
  async function launch(user: string): Promise<LtijsToken> {
    const browser = new Browser();
    const link = new URL(toolRecord.launch_url);
    link.searchParams.set('context', await world.portal.context({ [CLAIM.context]: COURSE, [CLAIM.resourceLink]: { id: 'cells-quiz' } }));
    const first = await browser.request(link.href);
    expect(first.status, await first.clone().text()).toBe(303);
    const callback = await loginThroughIdp(first.headers.get('location')!, user, new CookieJar());
    const toolLogin = readForm(await (await browser.request(callback.href)).text());
    const ltijsLogin = await browser.post(toolLogin.action, toolLogin.fields, {}, { site: 'cross-site' });
    const auth = await browser.request(new URL(ltijsLogin.headers.get('location')!).href);
    const form = readForm(await auth.text());
    const before = connects.length;
    const posted = await browser.post(form.action, form.fields, {}, { site: 'cross-site' });
    expect(posted.status, await posted.clone().text()).toBe(302);
    expect((await browser.request(new URL(posted.headers.get('location')!, form.action).href)).status).toBe(200);
    expect(connects.length).toBe(before + 1);
    return connects.at(-1)!;
  }

  it('reads the roster the portal pushed and the users who launched, over several pages', async () => {
    const pushed = await pushRoster(world, COURSE.id, {
      members: [
        { sub: 'ada', name: 'Ada Lovelace', roles: ['Instructor'] },
        ...['s1', 's2', 's3', 's4'].map((sub) => ({ sub, name: `Student ${sub}`, email: `${sub}@school.example`, roles: ['Learner'] })),
      ],
    });
    expect(await pushed.json()).toEqual({ active: 5, inactive: 0 });
    await launch('alan');
    const token = await launch('ada');
    expect(token.platformContext.namesRoles).toEqual({
      context_memberships_url: `${world.platform.base_url}/api/lti/contexts/${COURSE.id}/memberships`, service_versions: ['2.0'],
    });

    const all = await lti.NamesAndRoles.getMembers(token, { limit: 2, pages: false });
    expect(all.context).toEqual(COURSE);
    expect(all.members.map((m) => m.user_id)).toEqual(['ada', 'alan', 's1', 's2', 's3', 's4']);
    expect(all.members.find((m) => m.user_id === 'alan')).toMatchObject({ status: 'Active', roles: [ROLE.Learner], email: 'alan.turing@school.example' });
    expect(all.members.find((m) => m.user_id === 's3')).toEqual({ user_id: 's3', status: 'Active', roles: [ROLE.Learner], name: 'Student s3', email: 's3@school.example' });
    expect(all.next).toBeUndefined();
    expect(all.differences).toMatch(/[?&]since=\d+/);
    expect(await grantedScopes()).toContainEqual(NRPS_SCOPE);

    // ltijs's default: one page, and the next page's URL to continue from.
    const first = await lti.NamesAndRoles.getMembers(token, { limit: 4 });
    expect(first.members.map((m) => m.user_id)).toEqual(['ada', 'alan', 's1', 's2']);
    const rest = await lti.NamesAndRoles.getMembers(token, { url: first.next! });
    expect(rest.members.map((m) => m.user_id)).toEqual(['s3', 's4']);

    const learners = await lti.NamesAndRoles.getMembers(token, { role: 'Learner', resourceLinkId: true, pages: false });
    expect(learners.members.map((m) => m.user_id)).toEqual(['alan', 's1', 's2', 's3', 's4']);
    expect(new URL(learners.id).searchParams.get('rlid')).toBe('cells-quiz');
  });
});
