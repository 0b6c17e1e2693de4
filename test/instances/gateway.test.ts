/**
 * Several gateway instances (Postgres only; skipped without TEST_DATABASE_URL): two real processes
 * (`node bin/lti-launcher.js tool`) on one Postgres schema with one SECRET_KEY, behind a round-robin
 * proxy of a few lines of node:http, which is also their PUBLIC_URL. The login is served by one
 * instance, the launch by the other, the redemption by either: every launch succeeds; replays are
 * refused across instances; a key rotated on one instance is served by the other within seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';
import { AdminApi } from '../support/adminClient.ts';
import { Browser } from '../support/browser.ts';
import { readForm } from '../support/htmlForm.ts';
import { FakeLms } from '../tool/support/fakeLms.ts';

const ROOT = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Round robin over the backends; each answer says which backend served it (x-backend). */
function roundRobin(backends: string[]): Server {
  let next = 0;
  return createServer((req, res) => {
    const index = next++ % backends.length;
    const target = new URL(req.url ?? '/', backends[index]);
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-backend': String(index) });
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('backend down'));
    req.pipe(upstream);
  });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('two gateway processes behind a round-robin proxy (Postgres)', () => {
  let databaseUrl: string | null = null;
  const children: ChildProcess[] = [];
  const backends: string[] = [];
  let proxy: Server;
  let publicUrl = '';
  let lms: FakeLms;
  let apiKey = '';
  let launchUrl = '';

  const admin = (base: string, method: string, path: string, body?: unknown) => new AdminApi(base).call(method, path, body);

  beforeAll(async () => {
    databaseUrl = await freshDatabaseUrl('postgres');
    const secretKey = randomBytes(32).toString('hex');
    const proxyPort = await freePort();
    publicUrl = `http://127.0.0.1:${proxyPort}`;
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const child = spawn(process.execPath, ['bin/lti-launcher.js', 'tool'], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env, DATABASE_URL: databaseUrl!, SECRET_KEY: secretKey, ADMIN_PASSWORD: 'test-admin-password', PUBLIC_URL: publicUrl,
          PORT: String(port), HOST: '127.0.0.1', DATA_DIR: tempDir(), ALLOW_PRIVATE_URLS: 'true', ALLOW_INSECURE_IDP: 'true', LOG_LEVEL: 'warn',
        },
      });
      let stderr = '';
      child.stderr!.on('data', (chunk) => { stderr += String(chunk); });
      children.push(child);
      backends.push(`http://127.0.0.1:${port}`);
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`gateway ${i} exited: ${stderr}`);
        const ready = await fetch(`${backends[i]}/readyz`).then((r) => r.status === 200).catch(() => false);
        if (ready) break;
        if (Date.now() > deadline) throw new Error(`gateway ${i} did not become ready: ${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    proxy = roundRobin(backends);
    await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));

    lms = await FakeLms.start();
    const registered = await admin(backends[0], 'POST', '/registrations', {
      name: 'Fake LMS', issuer: lms.issuer, client_id: lms.clientId, deployment_ids: [lms.deploymentId],
      authorization_endpoint: lms.authorizationEndpoint, jwks_url: lms.jwksUrl,
    });
    expect(registered.status).toBe(201);
    const created = await admin(backends[1], 'POST', '/apps', { name: 'Chatbot', slug: 'chatbot', app_url: 'http://127.0.0.1:9/app' });
    expect(created.status).toBe(201);
    apiKey = created.body.api_key;
    launchUrl = created.body.launch_url;
    expect(launchUrl.startsWith(publicUrl)).toBe(true);
  }, 90_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      }
    }
    if (proxy) await new Promise<void>((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); });
    await lms?.close();
    await dropDatabase(databaseUrl);
  });

  /** Login (one instance) → LMS → launch (the other) → redeem (either), all through the proxy. */
  async function launchThroughProxy(browser = new Browser(), hint = `u-${Math.random()}`) {
    const login = await browser.get(`${publicUrl}/lti/login?${new URLSearchParams({ iss: lms.issuer, login_hint: hint, target_link_uri: launchUrl, client_id: lms.clientId })}`);
    expect(login.status).toBe(302);
    const html = await (await browser.get(login.headers.get('location')!)).text();
    const posted = await browser.submitForm(html, lms.url);
    return { login, posted, form: readForm(html), browser };
  }

  it('completes every launch with login and launch on different instances, and redeems on either', async () => {
    const servedBy: Array<[string, string, string]> = [];
    for (let i = 0; i < 12; i += 1) {
      const { login, posted } = await launchThroughProxy();
      expect(posted.status, await posted.clone().text()).toBe(303);
      const code = new URL(posted.headers.get('location')!).searchParams.get('launch_code')!;
      const redeemed = await fetch(`${publicUrl}/api/v1/launches/${code}`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(redeemed.status).toBe(200);
      expect((await redeemed.json()).user.sub).toBe('user-42');
      servedBy.push([login.headers.get('x-backend')!, posted.headers.get('x-backend')!, redeemed.headers.get('x-backend')!]);
    }
    expect(servedBy.every(([login, launched]) => login !== launched)).toBe(true);
    expect(new Set(servedBy.map(([, , redeemedBy]) => redeemedBy)).size).toBe(2);
  });

  it('completes 10 concurrent launches through the proxy', async () => {
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => launchThroughProxy(new Browser(), `concurrent-${i}`)));
    expect(runs.map((r) => r.posted.status)).toEqual(Array(10).fill(303));
  });

  it('refuses a replay on the other instance (state_used), a captured token in a new login (nonce_mismatch), and a race lets one through', async () => {
    const { posted, form, browser } = await launchThroughProxy();
    expect(posted.status).toBe(303);
    const replay = await browser.post(launchUrl, form.fields);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('state_used');
    expect(replay.headers.get('x-backend')).not.toBe(posted.headers.get('x-backend'));

    const thief = new Browser();
    const login = await thief.get(`${publicUrl}/lti/login?${new URLSearchParams({ iss: lms.issuer, login_hint: 'thief', target_link_uri: launchUrl, client_id: lms.clientId })}`);
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const stolen = await thief.post(launchUrl, { id_token: form.fields.id_token, state });
    expect(stolen.status).toBe(401);
    expect(await stolen.text()).toContain('nonce_mismatch');

    const racer = new Browser();
    const raceLogin = await racer.get(`${publicUrl}/lti/login?${new URLSearchParams({ iss: lms.issuer, login_hint: 'race', target_link_uri: launchUrl, client_id: lms.clientId })}`);
    const raceForm = readForm(await (await racer.get(raceLogin.headers.get('location')!)).text());
    const answers = await Promise.all(Array.from({ length: 8 }, () => racer.post(launchUrl, raceForm.fields)));
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.headers.get('x-backend'))).size).toBe(2);
  });

  it('serves a key rotated on one instance from the other within a few seconds (key ring caches 5 s)', async () => {
    const jwksOf = async (base: string) => ((await (await fetch(`${base}/.well-known/jwks.json`)).json()).keys as Array<{ kid: string }>).map((k) => k.kid).sort();
    await jwksOf(backends[1]); // warm the other instance's cache with the old key set
    const rotated = await admin(backends[0], 'POST', '/keys/rotate');
    expect(rotated.status).toBe(200);
    const expected = (rotated.body.keys as Array<{ kid: string }>).map((k) => k.kid).sort();
    expect(await jwksOf(backends[0])).toEqual(expected);
    const started = Date.now();
    let seen: string[] = [];
    while (Date.now() - started < 8_000) {
      seen = await jwksOf(backends[1]);
      if (JSON.stringify(seen) === JSON.stringify(expected)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(7_000);
    // Launches keep working after the rotation.
    expect((await launchThroughProxy()).posted.status).toBe(303);
  }, 20_000);
});
