/**
 * Issue 14 item 14: a repeated filter parameter on the admin launch log gave a 500, and on
 * Postgres a verified `sub` holding NUL gave a 500 once the launch's state was used up. Now a
 * repeated parameter is a 400 naming it (API and console, both roles); NUL in the claims of a
 * verified IdP answer (launcher) or an LTI id_token (gateway) is a 400 `text_has_nul` that leaves
 * the state usable; and the launch log never fails on a NUL. Runs on SQLite, and on Postgres when
 * TEST_DATABASE_URL is set.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/store/db.ts';
import { LaunchLog } from '../../src/store/launchLog.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { hashToken } from '../../src/platform/hashToken.ts';
import { hashSecret } from '../../src/tool/apiKeys.ts';
import { ConsoleClient } from '../support/adminClient.ts';
import { CLIENT_ID, CLIENT_SECRET, startLauncherWorld, toolLoginOf, type LauncherWorld } from '../platform/harness.ts';
import { Browser } from '../support/browser.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';
import { launch, useGateway } from '../tool/support/gatewaySetup.ts';
import { RogueIdp } from './rogueIdp.ts';
import { errorPage } from '../support/refused.ts';

const REPEATED_API = ['failure_code', 'outcome', 'request_id', 'limit'];

describe('issue 14 item 14: query shapes and NUL', () => {
  describe.each(DIALECTS)('the launcher on %s', (dialect) => {
    let world: LauncherWorld;
    let url: string | null;
    let rogue: RogueIdp;
    let launchUrl: string;
    beforeAll(async () => {
      url = await freshDatabaseUrl(dialect);
      world = await startLauncherWorld(url);
      rogue = new RogueIdp();
      await rogue.start();
      const created = await world.admin('/platforms', { body: {
        name: 'Rogue School', slug: 'rogue', openid_configuration_url: rogue.discoveryUrl, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
        role_claim: 'groups', role_map: { teacher: 'Instructor' },
      } });
      expect(created.status, await created.clone().text()).toBe(201);
      const platform = await created.json();
      const tool = await world.admin(`/platforms/${platform.id}/tools`, { body: {
        name: 'T', client_id: 't', open_id_connect_initiation_url: `${world.tool.url}/login`, target_link_uri: `${world.tool.url}/launch`, public_jwk: world.tool.jwk,
      } });
      launchUrl = (await tool.json()).launch_url;
    });
    afterAll(async () => {
      await rogue?.close();
      await world?.close();
      await dropDatabase(url);
    });

    it.each([...REPEATED_API, 'platform_id', 'tool_id', 'before'])('admin API GET /launches with %s given twice answers 400 naming it', async (name) => {
      const value = name === 'outcome' ? 'failure' : name === 'limit' ? '5' : name === 'before' ? '2026-01-01T00:00:00Z' : randomUUID();
      const res = await world.admin(`/launches?${name}=${value}&${name}=${value}`);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('query_param_repeated');
      expect(body.message).toContain(`"${name}"`);
    });

    it('the console\'s launch log answers a repeated filter with a 400 page naming it', async () => {
      const res = await new ConsoleClient(world.launcher.url).get('/admin/launches?code=x&code=y');
      expect(res.status).toBe(400);
      expect(res.html).toContain('query_param_repeated');
      expect(res.html).toMatch(/The parameter (&quot;|&#34;)code\1 was given more than once/);
      // The filter given once still works.
      expect((await new ConsoleClient(world.launcher.url).get('/admin/launches?code=x')).status).toBe(200);
    });

    it('a verified IdP answer whose sub holds NUL: 400 text_has_nul, logged, and the state is still usable', async () => {
      rogue.forgery = { claims: { sub: 'mallory\u0000admin' } };
      const browser = new Browser();
      const first = await browser.request(launchUrl);
      expect(first.status).toBe(303);
      const state = new URL(first.headers.get('location')!).searchParams.get('state')!;
      const atIdp = await fetch(first.headers.get('location')!, { redirect: 'manual' });
      const callbackUrl = new URL(atIdp.headers.get('location')!).href;
      const refused = await errorPage(await browser.request(callbackUrl));
      expect([refused.status, refused.code]).toEqual([400, 'text_has_nul']);
      const { db } = world.launcher.services;
      const pending = await db.selectFrom('pending_launches').selectAll().where('state', '=', hashToken(state)).executeTakeFirstOrThrow();
      expect(pending.used_at).toBeNull();
      const entry = (await (await world.admin(`/launches?request_id=${refused.requestId}`)).json()).launches[0];
      expect(entry.steps.at(-1)).toMatchObject({ step: 'check_idp_claims_text', outcome: 'failed', code: 'text_has_nul' });

      // The same answer, now without the NUL (this IdP accepts its code again): the launch goes on.
      rogue.forgery = {};
      const retried = await browser.request(callbackUrl);
      expect(retried.status).toBe(200);
      expect(await toolLoginOf(retried)).not.toBeNull();
      // And is then used up.
      expect((await errorPage(await browser.request(callbackUrl))).code).toBe('state_used');
    });

    it('NUL in another verified claim (email) is refused the same way', async () => {
      rogue.forgery = { claims: { email: 'm\u0000@example.edu' } };
      const browser = new Browser();
      const first = await browser.request(launchUrl);
      const atIdp = await fetch(first.headers.get('location')!, { redirect: 'manual' });
      const refused = await errorPage(await browser.request(new URL(atIdp.headers.get('location')!).href));
      expect([refused.status, refused.code]).toEqual([400, 'text_has_nul']);
      rogue.forgery = {};
    });
  });

  describe.each(DIALECTS)('the gateway on %s', (dialect) => {
    const world = useGateway({ dialect, apps: { chatbot: {} } });

    it.each([...REPEATED_API, 'app_id', 'registration_id'])('admin API GET /launches with %s given twice answers 400 naming it', async (name) => {
      const value = name === 'outcome' ? 'failure' : name === 'limit' ? '5' : randomUUID();
      const res = await world.gateway.admin('GET', `/launches?${name}=${value}&${name}=${value}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('query_param_repeated');
      expect(res.body.message).toContain(`"${name}"`);
    });

    it('the console\'s launch log answers a repeated filter with a 400 page naming it', async () => {
      const res = await new ConsoleClient(world.gateway.url).get('/admin/launches?outcome=failure&outcome=success');
      expect(res.status).toBe(400);
      expect(res.html).toContain('query_param_repeated');
      expect(res.html).toMatch(/The parameter (&quot;|&#34;)outcome\1 was given more than once/);
    });

    it('an id_token whose sub holds NUL: 400 text_has_nul before the state is used, and the login can still finish', async () => {
      const browser = new Browser();
      const run = await launch(browser, world.lms, world.gateway, {
        targetLinkUri: world.apps.chatbot.launch_url, tweaks: { claims: { sub: 'user\u000042' } },
      });
      expect(run.launch!.status, run.launchBody).toBe(400);
      expect(run.launchBody).toContain('text_has_nul');
      const authUrl = new URL(run.login.headers.get('location')!);
      const state = authUrl.searchParams.get('state')!;
      const row = await world.gateway.services.db.selectFrom('login_states').selectAll().where('state', '=', hashSecret(state)).executeTakeFirstOrThrow();
      expect(row.used_at).toBeNull();

      // The platform answers the same authentication request again, without the NUL: accepted.
      world.lms.tweaks.set(authUrl.searchParams.get('login_hint')!, {});
      const again = await browser.get(authUrl.href);
      const launched = await browser.submitForm(await again.text(), world.lms.url);
      expect(launched.status).toBe(303);
      const entry = (await world.gateway.admin('GET', '/launches?outcome=success')).body.launches.find((l: any) => l.steps.some((s: any) => s.code === 'text_has_nul'));
      expect(entry).toMatchObject({ outcome: 'success', user_sub: 'user-42' });
    });
  });

  describe.each(DIALECTS)('the launch log on %s', (dialect) => {
    let db: Db;
    let url: string | null;
    beforeAll(async () => {
      url = await freshDatabaseUrl(dialect);
      db = createDb({ databaseUrl: url, dataDir: tempDir() });
      await migrateToLatest(db);
    });
    afterAll(async () => {
      await db.destroy();
      await dropDatabase(url);
    });

    it('keeps a NUL in any text it is given as U+FFFD instead of failing the write', async () => {
      const log = new LaunchLog(db);
      const id = await log.start({ role: 'platform', step: 'launch\u0000received', userSub: 'a\u0000b', failed: { code: 'c\u0000', message: 'm\u0000' } });
      await log.step(id, 'next', { userSub: 'c\u0000d', warning: 'w\u0000', storage: 's\u0000', failed: { code: 'x', message: 'y\u0000', detail: 'z\u0000' } });
      const entry = (await log.get(id))!;
      expect(entry).toMatchObject({ userSub: 'c\uFFFDd', warning: 'w\uFFFD', storage: 's\uFFFD', failureMessage: 'y\uFFFD' });
      expect(entry.steps.map((s) => s.step)).toEqual(['launch\uFFFDreceived', 'next']);
      expect(entry.steps[1]).toMatchObject({ message: 'y\uFFFD', detail: 'z\uFFFD' });
    });
  });
});
