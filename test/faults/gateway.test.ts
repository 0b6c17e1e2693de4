/**
 * Faults of the platform's JWKS endpoint, as the gateway sees them over real HTTP: down (503),
 * answering garbage, resetting the connection, hanging past the fetch timeout. With keys cached
 * the gateway keeps launching; with nothing cached it refuses clearly (502 jwks_unavailable, a page
 * that says what failed, a launch-log entry); when the endpoint recovers, so does the gateway.
 * The gateway runs with a JWKS TTL and cooldown of 0, so every launch tries to refresh.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { FakeLms } from '../tool/support/fakeLms.ts';
import { launch, registerLms, useGateway } from '../tool/support/gatewaySetup.ts';

type Mode = 'up' | 'down' | 'garbage' | 'no-keys' | 'reset' | 'hang';

/** A JWKS endpoint in front of the LMS's real one, whose failure mode the test picks. */
async function faultyJwks(lms: FakeLms): Promise<{ url: string; mode: Mode; requests: number; close(): Promise<void> }> {
  const state = { url: '', mode: 'up' as Mode, requests: 0, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    state.requests += 1;
    switch (state.mode) {
      case 'up': {
        const upstream = await fetch(lms.jwksUrl);
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
        return;
      }
      case 'down': res.writeHead(503).end('maintenance'); return;
      case 'garbage': res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login required</html>'); return;
      case 'no-keys': res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"none"}'); return;
      case 'reset': req.socket.destroy(); return;
      case 'hang': return; // never answers; the gateway's fetch times out
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

describe.each(DIALECTS)('the platform’s JWKS endpoint fails (%s)', (dialect) => {
  const world = useGateway({ dialect, jwks: { ttlMs: 0, cooldownMs: 0 }, lms: 'none', apps: { chatbot: { slug: 'chatbot' } } });
  let cached: { lms: FakeLms; jwks: Awaited<ReturnType<typeof faultyJwks>> };
  let cold: { lms: FakeLms; jwks: Awaited<ReturnType<typeof faultyJwks>> };

  beforeAll(async () => {
    for (const which of ['cached', 'cold'] as const) {
      const lms = await FakeLms.start();
      const jwks = await faultyJwks(lms);
      await registerLms(world.gateway, lms, { name: `LMS ${which}`, jwks_url: jwks.url });
      if (which === 'cached') cached = { lms, jwks };
      else cold = { lms, jwks };
    }
  });
  afterAll(async () => {
    for (const side of [cached, cold]) {
      await side?.jwks.close();
      await side?.lms.close();
    }
  });

  const launchFrom = (lms: FakeLms, kid?: string) =>
    launch(new Browser(), lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: kid ? { kid } : undefined }).then((r) => r.launch!);

  it('keeps launching with the cached keys through every kind of JWKS failure, and tries each time', async () => {
    cached.jwks.mode = 'up';
    expect((await launchFrom(cached.lms)).status).toBe(303);
    for (const mode of ['down', 'garbage', 'no-keys', 'reset'] as const) {
      cached.jwks.mode = mode;
      const before = cached.jwks.requests;
      const response = await launchFrom(cached.lms);
      expect(response.status, `${mode}: ${(await response.clone().text()).slice(0, 300)}`).toBe(303);
      expect(cached.jwks.requests - before, mode).toBeGreaterThanOrEqual(1);
    }
  });

  it('refuses a launch signed with a new key while the JWKS is down (502 jwks_unavailable), and accepts it once the JWKS is back', async () => {
    const kid = await cached.lms.addKey('RS256');
    cached.jwks.mode = 'down';
    const refused = await launchFrom(cached.lms, kid);
    expect(refused.status).toBe(502);
    expect(await refused.text()).toContain('jwks_unavailable');
    cached.jwks.mode = 'up';
    expect((await launchFrom(cached.lms, kid)).status).toBe(303);
  });

  it('answers 502 jwks_unavailable with an explanation when nothing is cached, for each failure, and logs it', async () => {
    for (const mode of ['down', 'garbage', 'no-keys', 'reset'] as const) {
      cold.jwks.mode = mode;
      const response = await launchFrom(cold.lms);
      const body = await response.text();
      expect(response.status, mode).toBe(502);
      expect(body).toContain('jwks_unavailable');
      expect(body).toContain('A service this launch depends on is not answering');
      expect(body).toContain('LMS cold');
    }
    const logged = (await world.gateway.admin('GET', '/launches?failure_code=jwks_unavailable&limit=50')).body.launches;
    expect(logged.length).toBeGreaterThanOrEqual(4);
    expect(logged[0].steps.at(-1)).toMatchObject({ step: 'verify_signature' });
  });

  it('gives up on a hanging JWKS endpoint after the fetch timeout (502 within ~5 s), then recovers', async () => {
    cold.jwks.mode = 'hang';
    const started = Date.now();
    const response = await launchFrom(cold.lms);
    expect(response.status).toBe(502);
    expect(Date.now() - started).toBeLessThan(8_000);
    cold.jwks.mode = 'up';
    expect((await launchFrom(cold.lms)).status).toBe(303);
  }, 20_000);
});
