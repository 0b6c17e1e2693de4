/**
 * Anonymous requests that name nothing this service knows — an unknown platform, tool, app,
 * registration, state or API key — must not write a byte: anyone on the internet can send them.
 * Each role gets 1,000 such requests over real HTTP; every table keeps its row count and the
 * SQLite file does not grow, the answers are 404 (or the refusal the request deserves), and the
 * refusals are counted in lti_refused_requests_total, never in the launch counters.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFramable, toolRoutes } from '../../src/apps/gateway.ts';
import type { Db } from '../../src/store/db.ts';
import { startLauncherWorld, type LauncherWorld } from '../platform/harness.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, startRole, type RunningRole } from '../support/servers.ts';
import { FakeLms } from '../tool/support/fakeLms.ts';

const TABLES = [
  'platforms', 'tools', 'signing_keys', 'nonces', 'pending_launches', 'login_hints', 'launch_log',
  'registrations', 'apps', 'login_states', 'handoffs',
];

/** Rows per table, and the SQLite file's pages (the file grows by pages). */
async function footprint(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    counts[table] = Number(rows[0].n);
  }
  const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
  counts.sqlite_pages = Number(rows[0].page_count);
  return counts;
}

/** Sends `total` requests, `concurrency` at a time, cycling through the kinds; returns the statuses seen per kind. */
async function flood(kinds: Array<[name: string, send: (i: number) => Promise<Response>]>, total: number, concurrency = 16) {
  const seen = new Map<string, Set<number>>();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const [name, send] = kinds[i % kinds.length];
      const response = await send(i);
      await response.arrayBuffer();
      if (!seen.has(name)) seen.set(name, new Set());
      seen.get(name)!.add(response.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return Object.fromEntries([...seen].map(([name, statuses]) => [name, [...statuses]]));
}

async function counter(url: string, name: string, role: string): Promise<{ total: number; byCode: Record<string, number> }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const byCode: Record<string, number> = {};
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\d+)$`, 'gm'))) {
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.role !== role) continue;
    total += Number(m[2]);
    byCode[labels.code ?? ''] = (byCode[labels.code ?? ''] ?? 0) + Number(m[2]);
  }
  return { total, byCode };
}

describe('anonymous requests for unknown targets write nothing', () => {
  describe('the launcher', () => {
    let world: LauncherWorld;
    beforeAll(async () => {
      world = await startLauncherWorld(null);
    });
    afterAll(async () => world?.close());

    it('1,000 requests for unknown platforms, tools, clients and states: 404 (400 for a bare callback), no row, no byte; counted apart', async () => {
      const { db } = world.launcher.services;
      const base = world.platform.base_url;
      const root = world.launcher.url;
      const before = await footprint(db);
      const launchesBefore = await counter(root, 'lti_launches_total', 'platform');
      const statuses = await flood([
        ['unknown platform: tools API', (i) => fetch(`${root}/p/nowhere-${i}/api/v1/tools`)],
        ['unknown platform: discovery', (i) => fetch(`${root}/p/nowhere-${i}/.well-known/openid-configuration`)],
        ['unknown platform: launch', (i) => fetch(`${root}/p/nowhere-${i}/launch/tool-${i}`, { redirect: 'manual' })],
        ['unknown platform: auth', (i) => fetch(`${root}/p/nowhere-${i}/auth?client_id=x&login_hint=${i}`, { redirect: 'manual' })],
        ['unknown tool: launch', (i) => fetch(`${base}/launch/no-such-tool-${i}`, { redirect: 'manual' })],
        ['unknown client: auth', (i) => fetch(`${base}/auth?scope=openid&response_type=id_token&client_id=nobody-${i}&login_hint=h&nonce=n&state=s&redirect_uri=${encodeURIComponent(`${world.tool.url}/launch`)}`, { redirect: 'manual' })],
        ['unknown state: callback', (i) => new Browser().request(`${base}/callback?code=c&state=forged-${i}`)],
        ['no state: callback', () => new Browser().request(`${base}/callback?code=c`)],
      ], 1000);
      expect(statuses).toEqual({
        'unknown platform: tools API': [404],
        'unknown platform: discovery': [404],
        'unknown platform: launch': [404],
        'unknown platform: auth': [404],
        'unknown tool: launch': [404],
        'unknown client: auth': [404],
        'unknown state: callback': [400],
        'no state: callback': [400],
      });
      expect(await footprint(db)).toEqual(before);

      const refused = await counter(root, 'lti_refused_requests_total', 'platform');
      expect(refused.total).toBe(1000);
      expect(Object.keys(refused.byCode).sort()).toEqual(['auth_client_unknown', 'platform_unknown', 'state_missing', 'state_unknown', 'tool_unknown']);
      // The launch counters (what the dashboard and alerts read) did not move.
      expect(await counter(root, 'lti_launches_total', 'platform')).toEqual(launchesBefore);
    }, 60_000);

    it('still writes a refusal that names a known tool: that one is a launch, in the launch log', async () => {
      const before = await footprint(world.launcher.services.db);
      const res = await new Browser().request(`${world.toolRecord.launch_url}?context=not.a.jwt`);
      expect(res.status).toBe(400);
      const after = await footprint(world.launcher.services.db);
      expect(after.launch_log).toBe(before.launch_log + 1);
    });
  });

  describe('the gateway', () => {
    let gateway: RunningRole;
    let lms: FakeLms;
    const admin = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${gateway.url}/admin/api/v1${path}`, {
        method, headers: { authorization: basicAuth(), 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() as any };
    };
    beforeAll(async () => {
      lms = await FakeLms.start();
      gateway = await startRole('tool', toolRoutes, { framable: toolFramable });
      const registration = await admin('POST', '/registrations', {
        name: 'Fake LMS', issuer: lms.issuer, client_id: lms.clientId, deployment_ids: [lms.deploymentId],
        authorization_endpoint: lms.authorizationEndpoint, jwks_url: lms.jwksUrl,
      });
      expect(registration.status).toBe(201);
      const app = await admin('POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' });
      expect(app.status).toBe(201);
    });
    afterAll(async () => {
      await gateway?.close();
      await lms?.close();
    });

    it('1,000 logins, launches and redeems for unknown registrations, apps, states and keys: no row, no byte; counted apart', async () => {
      const { db } = gateway.services;
      const url = gateway.url;
      const before = await footprint(db);
      const launchesBefore = await counter(url, 'lti_launches_total', 'tool');
      const login = (params: Record<string, string>) => fetch(`${url}/lti/login?${new URLSearchParams(params)}`, { redirect: 'manual' });
      const statuses = await flood([
        ['unknown registration: login', (i) => login({ iss: `https://lms-${i}.example.edu`, login_hint: 'h', target_link_uri: `${url}/lti/launch/chatbot` })],
        ['unknown client of a known issuer: login', (i) => login({ iss: lms.issuer, client_id: `other-${i}`, login_hint: 'h', target_link_uri: `${url}/lti/launch/chatbot` })],
        ['unknown app: login', (i) => login({ iss: lms.issuer, client_id: lms.clientId, login_hint: 'h', target_link_uri: `${url}/lti/launch/no-app-${i}` })],
        ['unknown app: login by POST', (i) => fetch(`${url}/lti/login`, {
          method: 'POST', redirect: 'manual',
          body: new URLSearchParams({ iss: lms.issuer, client_id: lms.clientId, login_hint: 'h', target_link_uri: `${url}/lti/launch/no-app-${i}` }),
        })],
        ['unknown state: launch', (i) => fetch(`${url}/lti/launch/chatbot`, { method: 'POST', body: new URLSearchParams({ id_token: 'a.b.c', state: `forged-${i}` }) })],
        ['unknown API key: redeem', (i) => fetch(`${url}/api/v1/launches/code-${i}`, { headers: { authorization: `Bearer lgw_forged${i}` } })],
      ], 1000);
      expect(statuses).toEqual({
        'unknown registration: login': [404],
        'unknown client of a known issuer: login': [404],
        'unknown app: login': [404],
        'unknown app: login by POST': [404],
        'unknown state: launch': [401],
        'unknown API key: redeem': [401],
      });
      expect(await footprint(db)).toEqual(before);

      const refused = await counter(url, 'lti_refused_requests_total', 'tool');
      expect(refused.total).toBe(1000);
      expect(Object.keys(refused.byCode).sort()).toEqual(['api_key_invalid', 'app_unknown', 'registration_unknown', 'state_unknown']);
      expect(await counter(url, 'lti_launches_total', 'tool')).toEqual(launchesBefore);
    }, 60_000);

    it('a login for a known registration and app is a launch: it writes its state and its log entry', async () => {
      const before = await footprint(gateway.services.db);
      const res = await fetch(`${gateway.url}/lti/login?${new URLSearchParams({
        iss: lms.issuer, client_id: lms.clientId, login_hint: 'h', target_link_uri: `${gateway.url}/lti/launch/chatbot`,
      })}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const after = await footprint(gateway.services.db);
      expect([after.login_states, after.launch_log]).toEqual([before.login_states + 1, before.launch_log + 1]);
    });
  });
});
