/**
 * Several launcher instances: two `lti-launcher platform` processes on one Postgres database with
 * one master secret and one PUBLIC_URL, behind a round-robin proxy (a few lines of node:http), so
 * the steps of each launch (launch → callback → auth, and the tool's key-set fetches) alternate
 * between the instances. Postgres only (TEST_DATABASE_URL).
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM } from '../../src/lti/claims.ts';
import { finishLaunch, openToolLogin, runLaunch } from '../platform/harness.ts';
import { readForm } from '../support/htmlForm.ts';
import { dropDatabase, freshDatabaseUrl } from '../support/db.ts';
import { adminClient, freePort, spawnLauncher, startWorld, type SpawnedLauncher, type World } from '../attacks/world.ts';
import { errorPage } from '../support/refused.ts';

const PG_URL = process.env.TEST_DATABASE_URL;

describe.skipIf(!PG_URL)('two launcher processes behind a round-robin proxy', () => {
  let databaseUrl: string | null;
  let instances: SpawnedLauncher[] = [];
  let proxy: Server;
  let proxyUrl: string;
  let world: World;
  /** Which instance answered each request that went through the proxy. */
  const served: Array<{ instance: number; method: string; path: string }> = [];
  let next = 0;

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl('postgres');
    const proxyPort = await freePort();
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    const env = { DATABASE_URL: databaseUrl!, SECRET_KEY: randomBytes(32).toString('hex'), PUBLIC_URL: proxyUrl };
    // One after the other: both run the migrations at start, and the first creates the keys.
    instances = [await spawnLauncher(env)];
    instances.push(await spawnLauncher(env));

    proxy = createServer((req, res) => {
      const index = next++ % instances.length;
      const target = new URL(instances[index].url);
      served.push({ instance: index, method: req.method!, path: req.url!.split('?')[0] });
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end('upstream down'));
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
    world = await startWorld({ external: { url: proxyUrl, close: async () => {} } });
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    await Promise.all(instances.map((i) => i.close()));
    await dropDatabase(databaseUrl);
  });

  const direct = (url: URL | string, instance: number) => {
    const u = new URL(url);
    u.host = new URL(instances[instance].url).host;
    return u.href;
  };

  it('completes every launch while its steps alternate between the instances', async () => {
    const before = served.length;
    for (let i = 0; i < 6; i++) {
      if (next % 2 !== i % 2) await fetch(`${proxyUrl}/healthz`); // start each launch on the other instance than the last
      const context = await world.portal.context({ [CLAIM.context]: { id: `course-${i}` } });
      const started = await runLaunch(world, { user: ['ada', 'alan', 'grace'][i % 3], context });
      expect(started.stage, await started.response.clone().text()).toBe('tool_login');
      const { toolResponse, html } = await finishLaunch(started.browser, started.toolLogin!);
      expect(toolResponse?.status, html).toBe(200);
      expect(world.tool.launches.at(-1)![CLAIM.context]).toMatchObject({ id: `course-${i}` });
    }
    const steps = served.slice(before);
    for (const endpoint of ['/launch/', '/callback', '/auth']) {
      const instancesSeen = new Set(steps.filter((s) => s.path.includes(endpoint)).map((s) => s.instance));
      expect([...instancesSeen].sort(), endpoint).toEqual([0, 1]);
    }
    // Within one launch, consecutive steps went to different instances (strict round robin, one launch at a time).
    const flow = steps.filter((s) => /\/(launch\/|callback|auth)/.test(s.path));
    for (let i = 0; i + 2 < flow.length; i += 3) {
      expect(flow.slice(i, i + 3).map((s) => s.path.replace(/^.*\/(launch|callback|auth).*$/, '$1'))).toEqual(['launch', 'callback', 'auth']);
      expect(flow[i + 1].instance).not.toBe(flow[i].instance);
      expect(flow[i + 2].instance).not.toBe(flow[i + 1].instance);
    }
  });

  it('a nonce used at one instance is refused at the other', async () => {
    const first = await runLaunch(world);
    const firstAuth = new URL((await openToolLogin(first.toolLogin!)).headers.get('location')!);
    expect((await first.browser.request(direct(firstAuth, 0))).status).toBe(200);

    world.tool.authOverrides = { nonce: firstAuth.searchParams.get('nonce') };
    try {
      const second = await runLaunch(world);
      const secondAuth = new URL((await openToolLogin(second.toolLogin!)).headers.get('location')!);
      const page = await errorPage(await second.browser.request(direct(secondAuth, 1)));
      expect(page.status).toBe(403);
      expect(page.code).toBe('nonce_replayed');
    } finally {
      world.tool.authOverrides = {};
    }
  });

  it('a login hint used at one instance is refused at the other', async () => {
    const started = await runLaunch(world);
    const authUrl = new URL((await openToolLogin(started.toolLogin!)).headers.get('location')!);
    expect((await started.browser.request(direct(authUrl, 1))).status).toBe(200);
    authUrl.searchParams.set('nonce', crypto.randomUUID());
    const page = await errorPage(await started.browser.request(direct(authUrl, 0)));
    expect(page.code).toBe('login_hint_used');
  });

  it('keys rotated on one instance are served and used by the other within the key ring\'s 5 s cache', async () => {
    const rotated = await adminClient({ url: instances[0].url } as never)('/keys/rotate', { method: 'POST' });
    expect(rotated.status).toBe(200);
    const keys = ((await rotated.json()) as { keys: Array<{ kid: string; status: string }> }).keys;
    const current = keys.find((k) => k.status === 'current')!.kid;
    const nextKid = keys.find((k) => k.status === 'next')!.kid;

    // Instance 1 publishes the new next key (created by instance 0) once its cache expires.
    const jwksAtOther = `${instances[1].url}/p/springfield/.well-known/jwks.json`;
    const deadline = Date.now() + 8_000;
    let kids: string[] = [];
    while (Date.now() < deadline) {
      kids = ((await (await fetch(jwksAtOther)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
      if (kids.includes(nextKid)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(kids).toContain(nextKid);
    expect(kids[0]).toBe(current);

    // …and signs with the new current key.
    const started = await runLaunch(world);
    const authUrl = new URL((await openToolLogin(started.toolLogin!)).headers.get('location')!);
    const answer = await started.browser.request(direct(authUrl, 1));
    const form = readForm(await answer.text());
    expect(decodeProtectedHeader(form.fields.id_token).kid).toBe(current);
    const toolAnswer = await fetch(form.action, { method: 'POST', body: new URLSearchParams(form.fields) });
    expect(toolAnswer.status).toBe(200);
  }, 30_000);

  it('a tool deleted on one instance is refused there at once and on the other within the 5 s settings cache', async () => {
    const admin = adminClient({ url: instances[0].url });
    const created = await admin(`/platforms/${world.platform.id}/tools`, {
      body: {
        name: 'Short-lived tool', client_id: 'short-lived', open_id_connect_initiation_url: `${world.tool.url}/login`,
        target_link_uri: `${world.tool.url}/launch`, public_key_url: `${world.tool.url}/jwks`,
      },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const tool = (await created.json()) as { id: string; launch_url: string };
    const launchAt = async (instance: number) => {
      const url = new URL(direct(tool.launch_url, instance));
      url.searchParams.set('context', await world.portal.context({}));
      return (await fetch(url, { redirect: 'manual' })).status;
    };
    // Both instances have read (and cached) the tool.
    expect(await launchAt(0)).toBe(303);
    expect(await launchAt(1)).toBe(303);

    expect((await admin(`/tools/${tool.id}`, { method: 'DELETE' })).status).toBe(204);
    const deletedAt = Date.now();
    expect(await launchAt(0)).toBe(404);
    let status = await launchAt(1);
    while (status !== 404 && Date.now() - deletedAt < 8_000) {
      await new Promise((r) => setTimeout(r, 200));
      status = await launchAt(1);
    }
    expect(status).toBe(404);
    expect(Date.now() - deletedAt).toBeLessThan(5_000 + 1_500);
  }, 20_000);

  it('both instances are still up and ready', async () => {
    for (const instance of instances) {
      expect(instance.child.exitCode).toBeNull();
      expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
    }
  });
});
