import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeys } from '../../src/tool/platformKeys.ts';
import { DIALECTS } from '../support/db.ts';
import { Browser } from '../support/browser.ts';
import { FakeLms } from './support/fakeLms.ts';
import { createApp, launch, registerLms, startGateway, useGateway } from './support/gatewaySetup.ts';

const log = pino({ level: 'silent' });

describe('platform JWKS cache', () => {
  let lms: FakeLms;
  let clock = 1_000_000;
  const keysFor = (options: { ttlMs?: number; cooldownMs?: number } = {}) =>
    new PlatformKeys(fetch, log, { ttlMs: 60_000, cooldownMs: 5_000, ...options, now: () => clock });
  const registration = () => ({ jwksUrl: lms.jwksUrl, publicJwk: null, publicKey: null });

  beforeAll(async () => {
    lms = await FakeLms.start();
  });
  afterEach(() => {
    lms.jwksDown = false;
    lms.jwksDelayMs = 0;
  });
  afterAll(async () => lms?.close());

  it('fetches a JWKS once and serves later lookups from the cache until the TTL', async () => {
    const keys = keysFor();
    const before = lms.jwksRequests;
    await keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' });
    await keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' });
    expect(lms.jwksRequests - before).toBe(1);
    clock += 61_000;
    await keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' });
    expect(lms.jwksRequests - before).toBe(2);
  });

  it('refreshes once for a burst of 20 lookups of a new kid after a rotation', async () => {
    const keys = keysFor();
    await keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' });
    const rotated = await lms.addKey('RS256');
    clock += 6_000; // past the cooldown, inside the TTL
    lms.jwksDelayMs = 50;
    const before = lms.jwksRequests;
    const found = await Promise.all(Array.from({ length: 20 }, () => keys.keyFor(registration(), { alg: 'RS256', kid: rotated })));
    expect(found).toHaveLength(20);
    expect(lms.jwksRequests - before).toBe(1);
  });

  it('refuses a registration with no key at all as registration_key_missing (502), fetching nothing', async () => {
    const before = lms.jwksRequests;
    await expect(keysFor().keyFor({ jwksUrl: null, publicJwk: null, publicKey: null }, { alg: 'RS256', kid: 'k1-RS256' }))
      .rejects.toMatchObject({ code: 'registration_key_missing', status: 502 });
    expect(lms.jwksRequests - before).toBe(0);
  });

  it('does not refetch for an unknown kid inside the cooldown', async () => {
    const keys = keysFor();
    await keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' });
    const before = lms.jwksRequests;
    await expect(keys.keyFor(registration(), { alg: 'RS256', kid: 'nobody' })).rejects.toMatchObject({ code: 'key_unknown' });
    await expect(keys.keyFor(registration(), { alg: 'RS256', kid: 'nobody' })).rejects.toMatchObject({ code: 'key_unknown' });
    expect(lms.jwksRequests - before).toBe(0);
    clock += 6_000;
    await expect(keys.keyFor(registration(), { alg: 'RS256', kid: 'nobody' })).rejects.toMatchObject({ code: 'key_unknown' });
    expect(lms.jwksRequests - before).toBe(1);
  });

  it('keeps using the cached keys while the JWKS endpoint is down, without hammering it', async () => {
    const keys = keysFor();
    await keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' });
    lms.jwksDown = true;
    clock += 61_000;
    const before = lms.jwksRequests;
    await expect(keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' })).resolves.toBeTruthy();
    await expect(keys.keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' })).resolves.toBeTruthy();
    expect(lms.jwksRequests - before).toBe(1);
  });

  it('reports an unreachable JWKS with nothing cached as jwks_unavailable', async () => {
    lms.jwksDown = true;
    await expect(keysFor().keyFor(registration(), { alg: 'RS256', kid: 'k1-RS256' })).rejects.toMatchObject({ code: 'jwks_unavailable', status: 502 });
  });
});

describe.each(DIALECTS)('platform JWKS cache through the gateway (%s)', (dialect) => {
  // No cooldown: an unknown kid always refreshes, so only coalescing keeps the burst to one request.
  const world = useGateway({ dialect, jwks: { cooldownMs: 0 }, apps: { chatbot: { slug: 'chatbot' } } });

  it('makes exactly one JWKS request for a burst of 20 concurrent launches with an unknown kid', async () => {
    const browser = new Browser();
    const warmUp = await launch(browser, world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url });
    expect(warmUp.launch!.status).toBe(303);
    const kid = await world.lms.addKey('ES256');
    // 20 logins and LMS answers first, then the 20 form posts at once.
    const forms: Array<{ browser: Browser; html: string }> = [];
    for (let i = 0; i < 20; i += 1) {
      const b = new Browser();
      const login = await b.get(`${world.gateway.url}/lti/login?${new URLSearchParams({
        iss: world.lms.issuer, login_hint: `burst-${i}`, target_link_uri: world.apps.chatbot.launch_url, client_id: world.lms.clientId,
      })}`);
      world.lms.tweaks.set(`burst-${i}`, { kid });
      forms.push({ browser: b, html: await (await b.get(login.headers.get('location')!)).text() });
    }
    world.lms.jwksDelayMs = 100;
    const before = world.lms.jwksRequests;
    const results = await Promise.all(forms.map(({ browser: b, html }) => b.submitForm(html, world.lms.url)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(303));
    expect(world.lms.jwksRequests - before).toBe(1);
    world.lms.jwksDelayMs = 0;
  });

  it('keeps launching with the cached keys while the platform’s JWKS endpoint is down', async () => {
    // TTL 0: every launch refreshes, and must fall back to the cached keys when that fails.
    const shortTtl = await startGateway(dialect, { jwks: { ttlMs: 0, cooldownMs: 0 } });
    try {
      await registerLms(shortTtl, world.lms);
      const target = (await createApp(shortTtl, { slug: 'chatbot' })).launch_url;
      expect((await launch(new Browser(), world.lms, shortTtl, { targetLinkUri: target })).launch!.status).toBe(303);
      world.lms.jwksDown = true;
      const before = world.lms.jwksRequests;
      const run = await launch(new Browser(), world.lms, shortTtl, { targetLinkUri: target });
      expect(run.launch!.status).toBe(303);
      expect(world.lms.jwksRequests - before).toBe(1); // it did try, and fell back to the cache
    } finally {
      world.lms.jwksDown = false;
      await shortTtl.close();
    }
  });
});
