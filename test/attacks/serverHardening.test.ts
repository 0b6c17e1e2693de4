import { request as httpRequest, createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminAuth } from '../../src/admin/auth.ts';
import type { LtiError } from '../../src/lti/errors.ts';
import { Browser } from '../support/browser.ts';
import { basicAuth, type RunningRole } from '../support/servers.ts';
import { spawnLauncher, startLauncher, startWorld, type World } from './world.ts';

/**
 * Issue 14, the items about the server around the roles: which client address counts behind a
 * proxy (3), where FORCE_SSL redirects (9), slow requests (13), who reads metrics and logs (15)
 * and who may choose a browser id (6). Every case talks real HTTP to a real launcher.
 */

/** A reverse proxy as nginx is configured in the README: it appends the peer to X-Forwarded-For. */
async function startProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const forwarded = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-for': forwarded, 'x-forwarded-proto': 'https' } },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A raw HTTP/1.1 exchange, so the test (not fetch) decides the Host header. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; location: string | undefined }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('issue 14 item 3: the client address behind a proxy', () => {
  let launcher: RunningRole;
  let proxy: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    launcher = await startLauncher({ config: { trustProxy: 1 } });
    proxy = await startProxy(launcher.url);
  });
  afterAll(async () => {
    await proxy.close();
    await launcher.close();
  });

  it('with TRUST_PROXY=1, an X-Forwarded-For the client writes does not pick its address: the 11th wrong password is 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${proxy.url}/admin/api/v1/platforms`, {
        headers: { authorization: basicAuth('admin', `wrong-${i}`), 'x-forwarded-for': `203.0.113.${i + 1}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another client behind the same proxy is not locked out with it: the proxy said who it was.
    const other = await fetch(`${launcher.url}/admin/api/v1/platforms`, {
      headers: { authorization: basicAuth(), 'x-forwarded-for': '198.51.100.7' },
    });
    expect(other.status).toBe(200);
  });

  it('refuses TRUST_PROXY=true and a short ADMIN_PASSWORD at start, naming what to set', async () => {
    for (const [env, said] of [
      [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY: true would let any client choose its own address'],
      [{ ADMIN_PASSWORD: 'change-me' }, 'ADMIN_PASSWORD: must be at least 12 characters long, got 9'],
    ] as const) {
      const failed = await spawnLauncher(env).then(
        async (running) => {
          await running.close();
          return 'started';
        },
        (err: Error) => err.message,
      );
      expect(failed).toContain(said);
      expect(failed).not.toContain('"change-me"');
    }
  });

  it('remembers a bounded number of failing addresses, the least recent going first', async () => {
    const auth = new AdminAuth({ adminUser: 'admin', adminPassword: 'test-admin-password' }, 50);
    const app = Fastify();
    app.get('/', { preHandler: auth.check }, async () => 'ok');
    app.setErrorHandler((err, _request, reply) => reply.code((err as LtiError).status ?? 500).send({ error: (err as LtiError).code }));
    const attempt = (remoteAddress: string) => app.inject({ url: '/', remoteAddress, headers: { authorization: basicAuth('admin', 'guess') } });
    for (let i = 0; i < 500; i++) await attempt(`10.0.${i >> 8}.${i & 255}`);
    expect(auth.tracked).toBe(50);
    // The newest address is still counted: ten failures lock it out.
    for (let i = 0; i < 9; i++) await attempt('10.0.1.243');
    expect((await attempt('10.0.1.243')).statusCode).toBe(429);
    await app.close();
  });
});

describe('issue 14 item 9: FORCE_SSL redirects to PUBLIC_URL, never to a host the request names', () => {
  let launcher: RunningRole;
  beforeAll(async () => {
    launcher = await startLauncher({ config: { forceSsl: true, publicUrl: 'https://lti.example.edu', domain: 'lti.example.edu', trustProxy: 1 } });
  });
  afterAll(() => launcher.close());

  it('sends a plain-HTTP request with a forged Host or X-Forwarded-Host to PUBLIC_URL', async () => {
    const url = `${launcher.url}/launch/x?y=1`;
    for (const headers of [{ host: 'evil.example' } as Record<string, string>, { host: 'lti.example.edu', 'x-forwarded-host': 'evil.example' }, { host: 'evil.example:443' }]) {
      const res = await rawGet(url, headers);
      expect(res.status, JSON.stringify(headers)).toBe(301);
      expect(res.location, JSON.stringify(headers)).toBe('https://lti.example.edu/launch/x?y=1');
    }
  });

  it("keeps a tenant's subdomain of DOMAIN, and only a single DNS label of it", async () => {
    expect((await rawGet(`${launcher.url}/`, { host: 'springfield.lti.example.edu' })).location).toBe('https://springfield.lti.example.edu/');
    expect((await rawGet(`${launcher.url}/`, { host: 'evil.example/.lti.example.edu' })).location).toBe('https://lti.example.edu/');
  });
});

describe('issue 14 item 13: slow requests do not hold connections', () => {
  let launcher: RunningRole;
  beforeAll(async () => {
    launcher = await startLauncher({ config: { requestTimeoutSeconds: 2 } });
  });
  afterAll(() => launcher.close());

  it('answers 408 and closes a connection whose body dribbles in past REQUEST_TIMEOUT_SECONDS', async () => {
    const { port } = new URL(launcher.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n`);
      });
      const drip = setInterval(() => socket.writable && socket.write(' '), 200);
      let got = '';
      socket.on('data', (chunk) => (got += chunk));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(got);
      });
      socket.on('error', () => {});
      setTimeout(() => socket.destroy(), 15_000);
    });
    const seconds = (Date.now() - started) / 1000;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(seconds).toBeLessThan(6);
  });

  it('sets the keep-alive and body limits from the configuration', () => {
    expect(launcher.app.server.keepAliveTimeout).toBe(65_000);
    expect(launcher.app.server.requestTimeout).toBe(2_000);
    expect(launcher.app.initialConfig.bodyLimit).toBe(256 * 1024);
  });
});

describe('issue 14 item 15: metrics behind a token, no secrets in request logs', () => {
  it('answers /metrics only with the METRICS_TOKEN as a Bearer token', async () => {
    const token = 'metrics-token-0123456789';
    const launcher = await startLauncher({ config: { metricsToken: token } });
    try {
      const anonymous = await fetch(`${launcher.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      expect(await anonymous.text()).toContain('metrics_unauthorized');
      expect((await fetch(`${launcher.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const allowed = await fetch(`${launcher.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('lti_launches_total');
    } finally {
      await launcher.close();
    }
    // Unset, /metrics stays open for a scraper on the private network (the default).
    const open = await startLauncher();
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('logs request URLs at info level with their parameter names and no values', async () => {
    const launcher = await spawnLauncher({ LOG_LEVEL: 'info' });
    try {
      await fetch(`${launcher.url}/auth?login_hint=HINT-SECRET-1&lti_message_hint=MSG-SECRET-2&state=STATE-SECRET-3`);
      await fetch(`${launcher.url}/callback?code=CODE-SECRET-4&state=STATE-SECRET-5`);
      await fetch(`${launcher.url}/launch/x?context=eyJCONTEXT-SECRET-6`);
    } finally {
      await launcher.close();
    }
    const out = launcher.output();
    expect(out).toContain('/auth?login_hint=…&lti_message_hint=…&state=…');
    expect(out).toContain('/callback?code=…&state=…');
    for (let i = 1; i <= 6; i++) expect(out).not.toMatch(new RegExp(`SECRET-${i}`));
  });
});

describe('issue 14 item 6: browser ids are issued by the launcher alone', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({ config: { trustProxy: 1 } });
  });
  afterAll(() => world.close());

  const launchWith = (cookie: string, proto = 'http') =>
    fetch(world.toolRecord.launch_url, { redirect: 'manual', headers: { cookie, 'x-forwarded-proto': proto } });
  const cookiesOf = (res: Response) => res.headers.getSetCookie();

  it('replaces a well-formed browser id the client made up instead of adopting it', async () => {
    const chosen = 'A'.repeat(32);
    const res = await launchWith(`lti_launcher_browser=${chosen}; lti_launcher_browser_lax=${chosen}`);
    expect(res.status).toBe(303);
    const set = cookiesOf(res);
    expect(set.some((c) => c.startsWith('lti_launcher_browser='))).toBe(true);
    expect(set.join('\n')).not.toContain(chosen);
    // An id the launcher issued is kept: the browser stays the same browser.
    const issued = /lti_launcher_browser=([^;]+)/.exec(set.join('\n'))![1];
    const again = cookiesOf(await launchWith(`lti_launcher_browser=${issued}`));
    expect(again.join('\n')).toContain(`lti_launcher_browser=${issued};`);
    // The same shape with a tag made up by the client is not the launcher's.
    const forged = `${issued.split('.')[0]}.${'B'.repeat(32)}`;
    expect(cookiesOf(await launchWith(`lti_launcher_browser=${forged}`)).join('\n')).not.toContain(forged);
  });

  it('uses __Host- cookies on an https site: Secure, Path=/, no Domain, and ignores unprefixed ones there', async () => {
    const res = await launchWith('', 'https');
    const set = cookiesOf(res);
    const names = set.map((c) => c.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(['__Host-lti_launcher_browser', '__Host-lti_launcher_browser_lax']));
    for (const cookie of set.filter((c) => c.startsWith('__Host-'))) {
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/; Domain=/i);
    }
    // An unprefixed cookie (which a sibling subdomain could have planted) is not read on https.
    const issued = /lti_launcher_browser=([^;]+)/.exec(set.join('\n'))![1];
    const planted = cookiesOf(await launchWith(`lti_launcher_browser=${issued}`, 'https'));
    expect(planted.join('\n')).not.toContain(issued);
  });

  it('still completes a launch on plain HTTP with the issued id (the development setup)', async () => {
    const browser = new Browser();
    const first = await browser.request(world.toolRecord.launch_url);
    expect(first.status).toBe(303);
    expect(browser.jar.cookies.find((c) => c.name === 'lti_launcher_browser')?.value).toMatch(/^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{32}$/);
  });
});
