/**
 * ltijs (a certified LTI 1.3 tool library we did not write) as a tool of the launcher, for the
 * service tests: ltijs-sequelize on a fresh Postgres database of its own (so Postgres only), the
 * launcher on a Postgres schema of its own, ltijs registered with the launcher's issuer, /auth,
 * /token and key set, and the launcher's tool pointing at ltijs's login, launch and key set.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ltijs, { type LtijsProvider, type LtijsToken } from 'ltijs';
import LtijsSequelize from 'ltijs-sequelize';
import pg from 'pg';
import { expect } from 'vitest';
import { CLAIM } from '../../../src/lti/claims.ts';
import { Browser } from '../../support/browser.ts';
import { CookieJar } from '../../support/cookieJar.ts';
import { dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { readForm } from '../../support/htmlForm.ts';
import { loginThroughIdp } from '../../support/idpLogin.ts';
import { startLauncherWorld, type LauncherWorld } from '../harness.ts';

export interface LtijsTool {
  world: LauncherWorld;
  lti: LtijsProvider;
  toolRecord: Record<string, any>;
  /** A launch of ltijs by an IdP user in the course, driven like a browser; the id_token as ltijs holds it. */
  launch(user: string): Promise<LtijsToken>;
  /** The scopes the launcher's POST /token granted ltijs, one entry per token. */
  grantedScopes(): Promise<string[]>;
  close(): Promise<void>;
}

async function onPostgres(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startLtijsTool(
  pgUrl: string,
  tool: { clientId: string; name: string; course: { id: string; label: string; title: string }; resourceLinkId: string },
): Promise<LtijsTool> {
  const launcherDb = await freshDatabaseUrl('postgres');
  const world = await startLauncherWorld(launcherDb);
  const base = new URL(pgUrl);
  const dbName = `ltijs_${randomBytes(5).toString('hex')}`;
  await onPostgres(pgUrl, `CREATE DATABASE ${dbName}`);
  const plugin = new LtijsSequelize(dbName, decodeURIComponent(base.username), decodeURIComponent(base.password), {
    host: base.hostname, port: Number(base.port || 5432), dialect: 'postgres', logging: false,
  });
  const lti = ltijs.Provider;
  lti.setup(randomBytes(16).toString('hex'), { plugin }, {
    appRoute: '/', loginRoute: '/login', keysetRoute: '/keys', cookies: { secure: true, sameSite: 'None' },
  });
  const connects: LtijsToken[] = [];
  lti.onConnect((token, _req, res) => {
    connects.push({ ...token, platformContext: res.locals.context });
    return res.send('ok');
  });
  await lti.deploy({ serverless: true, silent: true });
  const server: Server = createServer(lti.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ltijsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  await lti.registerPlatform({
    url: world.platform.issuer, name: world.platform.name, clientId: tool.clientId,
    authenticationEndpoint: `${world.platform.base_url}/auth`,
    accesstokenEndpoint: world.platform.token_url,
    authConfig: { method: 'JWK_SET', key: world.platform.jwks_url },
  });
  // ltijs's key set has its key once the platform is registered: then it can be our tool.
  const res = await world.admin(`/platforms/${world.platform.id}/tools`, {
    body: {
      name: tool.name, client_id: tool.clientId, open_id_connect_initiation_url: `${ltijsUrl}/login`,
      target_link_uri: `${ltijsUrl}/`, public_key_url: `${ltijsUrl}/keys`,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const toolRecord = (await res.json()) as Record<string, any>;

  return {
    world,
    lti,
    toolRecord,
    async launch(user) {
      const browser = new Browser();
      const link = new URL(toolRecord.launch_url);
      link.searchParams.set('context', await world.portal.context({ [CLAIM.context]: tool.course, [CLAIM.resourceLink]: { id: tool.resourceLinkId } }));
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
    },
    async grantedScopes() {
      const rows = await world.launcher.services.db.selectFrom('access_tokens').select('scopes').where('tool_id', '=', toolRecord.id).execute();
      return rows.map((r) => r.scopes);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lti.close({ silent: true }).catch(() => {});
      await world.close();
      await dropDatabase(launcherDb);
      await onPostgres(pgUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    },
  };
}
