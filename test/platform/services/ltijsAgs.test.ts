/**
 * ltijs (a certified LTI 1.3 tool library we did not write) sends grades to the launcher with its
 * Grade service: it takes the line items URL from the launch's AGS endpoint claim, asks for tokens
 * with the scopes each call needs, creates a line item bound to its resource link, reads and
 * updates it, posts scores (ltijs builds the scores URL itself and stamps each score with now),
 * and reads the results back over pages. Set up as test/interop/ltijs.test.ts (ltijs-sequelize on
 * Postgres, so Postgres only); the launcher runs on a Postgres schema of its own.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ltijs, { type LtijsProvider, type LtijsToken } from 'ltijs';
import LtijsSequelize from 'ltijs-sequelize';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.ts';
import { ALL_AGS_SCOPES } from '../../../src/lti/services/scopes.ts';
import { Browser } from '../../support/browser.ts';
import { CookieJar } from '../../support/cookieJar.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { readForm } from '../../support/htmlForm.ts';
import { loginThroughIdp } from '../../support/idpLogin.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';

const PG_URL = process.env.TEST_DATABASE_URL;
const TOOL_CLIENT_ID = 'ltijs-grades';
const COURSE = { id: 'chem-200', label: 'CHEM 200', title: 'Reactions' };

describe.skipIf(!PG_URL)('ltijs sends grades to the launcher (AGS 2.0)', () => {
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
    const res = await world.admin(`/platforms/${world.platform.id}/tools`, {
      body: {
        name: 'ltijs Grades', client_id: TOOL_CLIENT_ID, open_id_connect_initiation_url: `${ltijsUrl}/login`,
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
    link.searchParams.set('context', await world.portal.context({ [CLAIM.context]: COURSE, [CLAIM.resourceLink]: { id: 'reactions-quiz' } }));
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

  it('creates a line item, posts scores and reads the results back', async () => {
    await launch('alan');
    await launch('grace');
    const token = await launch('ada');
    const lineitems = `${world.platform.base_url}/api/lti/contexts/${COURSE.id}/lineitems`;
    expect(token.platformContext.endpoint).toEqual({ scope: [...ALL_AGS_SCOPES], lineitems });

    const created = await lti.Grade.createLineItem(token, { label: 'Reactions quiz', scoreMaximum: 50, tag: 'quiz', resourceId: 'rq-1' }, { resourceLinkId: true });
    expect(created).toEqual({ id: expect.stringMatching(new RegExp(`^${lineitems}/`)), label: 'Reactions quiz', scoreMaximum: 50, tag: 'quiz', resourceId: 'rq-1', resourceLinkId: 'reactions-quiz' });
    expect(await lti.Grade.getLineItemById(token, created.id)).toEqual(created);
    const updated = await lti.Grade.updateLineItemById(token, created.id, { ...created, label: 'Reactions quiz (v2)' });
    expect(updated.label).toBe('Reactions quiz (v2)');
    const listed = await lti.Grade.getLineItems(token, { resourceLinkId: true });
    expect(listed.lineItems.map((i) => i.id)).toEqual([created.id]);
    // Now the launch names the link's one line item.
    expect((await launch('ada')).platformContext.endpoint?.lineitem).toBe(created.id);

    for (const [userId, scoreGiven] of [['alan', 41], ['grace', 47], ['ada', 50]] as const) {
      await lti.Grade.submitScore(token, created.id, { userId, scoreGiven, scoreMaximum: 50, activityProgress: 'Completed', gradingProgress: 'FullyGraded', comment: `well done ${userId}` });
    }
    // No scoreMaximum: ltijs reads it from the line item first (and so asks for the lineitem scope too).
    await lti.Grade.submitScore(token, created.id, { userId: 'alan', scoreGiven: 44, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(await grantedScopes()).toContainEqual(`${ALL_AGS_SCOPES[3]} ${ALL_AGS_SCOPES[0]}`);

    const firstPage = await lti.Grade.getScores(token, created.id, { limit: 2 });
    expect(firstPage.scores.map((s) => s.userId)).toEqual(['ada', 'alan']);
    expect(firstPage.next).toBeDefined();
    const rest = await lti.Grade.getScores(token, created.id, { url: firstPage.next! });
    expect(rest.scores).toEqual([{ id: expect.any(String), scoreOf: created.id, userId: 'grace', resultScore: 47, resultMaximum: 50, comment: 'well done grace' }]);
    expect(rest.next).toBeUndefined();
    const alan = await lti.Grade.getScores(token, created.id, { userId: 'alan' });
    // The later score replaced the earlier one, and cleared its comment.
    expect(alan.scores).toEqual([{ id: expect.any(String), scoreOf: created.id, userId: 'alan', resultScore: 44, resultMaximum: 50 }]);

    // A stranger's score: ltijs reports the launcher's 422.
    await expect(lti.Grade.submitScore(token, created.id, { userId: 'nobody', scoreGiven: 1, scoreMaximum: 50, activityProgress: 'Completed', gradingProgress: 'FullyGraded' })).rejects.toThrow(/422/);

    expect(await lti.Grade.deleteLineItemById(token, created.id)).toBe(true);
    expect((await lti.Grade.getLineItems(token)).lineItems).toEqual([]);
  });
});
