import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalPipeline, answerPortal, type PortalContext } from '../../../src/platform/actions/portal.ts';
import { resolvePlatform } from '../../../src/platform/actions/steps/resolvePlatform.ts';
import { authenticatePortal } from '../../../src/platform/actions/steps/authenticatePortal.ts';
import { createLauncher, type Launcher } from '../../../src/platform/launcher.ts';
import { platformPlugin } from '../../../src/platform/plugin.ts';
import type { Services } from '../../../src/server/services.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl } from '../../support/db.ts';
import { startRole, type RunningRole } from '../../support/servers.ts';

/**
 * The portal-token step on a real launcher over HTTP, behind an endpoint of this test's own (the
 * portal API's endpoints use the same pipeline and step: test/platform/services/ covers them).
 */
describe.each(DIALECTS)('the portal API token on %s', (dialect) => {
  let role: RunningRole;
  let launcher: Launcher;
  let url: string | null;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  const slug = 'school';

  const pipeline = portalPipeline<PortalContext>([
    resolvePlatform,
    authenticatePortal,
    { name: 'answer_whoami', run: (ctx) => { ctx.answer = (reply) => reply.send({ platform: ctx.platform!.slug }); } },
  ]);

  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    const routes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
      launcher = createLauncher(services);
      await app.register(platformPlugin, { launcher });
      app.get('/p/:slug/api/v1/whoami', (request, reply) => answerPortal(pipeline, { request, reply, launchId: null, launcher }));
    };
    role = await startRole('platform', routes, { databaseUrl: url });
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const now = Date.now();
    await launcher.platforms.insert({
      id: randomUUID(), name: 'School', slug, discoveryUrl: 'https://idp.example/.well-known/openid-configuration', idpMetadata: {},
      clientId: 'c', clientSecretSealed: null, contextJwksUrl: null, contextPublicJwk: JSON.stringify({ ...(await exportJWK(pair.publicKey)), alg: 'ES256' }),
      contextPublicKey: null, roleClaim: null, roleMap: null, scoreWebhookUrl: null, createdAt: now, updatedAt: now,
    });
    await launcher.platforms.insert({
      id: randomUUID(), name: 'Keyless', slug: 'keyless', discoveryUrl: 'https://idp.example/.well-known/openid-configuration', idpMetadata: {},
      clientId: 'c', clientSecretSealed: null, contextJwksUrl: null, contextPublicJwk: null,
      contextPublicKey: null, roleClaim: null, roleMap: null, scoreWebhookUrl: null, createdAt: now, updatedAt: now,
    });
  });
  afterAll(async () => {
    await role?.close();
    await dropDatabase(url);
  });

  const issuer = () => `${role.url}/p/${slug}`;
  async function token(claims: Record<string, unknown> = {}, options: { key?: CryptoKey; lifetime?: number; iat?: number } = {}) {
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt(iat).setExpirationTime(iat + (options.lifetime ?? 60));
    if (!('aud' in claims)) jwt.setAudience(issuer());
    return jwt.sign(options.key ?? privateKey);
  }
  const call = (authorization?: string, path = `/p/${slug}/api/v1/whoami`) =>
    fetch(`${role.url}${path}`, { headers: authorization ? { authorization } : {} });

  it('accepts a short-lived JWT signed with the platform’s context key, once', async () => {
    const jwt = await token();
    const ok = await call(`bearer ${jwt}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ platform: slug });
    const again = await call(`Bearer ${jwt}`);
    expect(again.status).toBe(401);
    expect((await again.json()).error).toBe('portal_token_replayed');
    expect(again.headers.get('www-authenticate')).toBe('Bearer realm="portal-api", error="invalid_token"');
  });

  it('refuses what is not such a token, each with its code, and logs none of them (anyone can send them)', async () => {
    const cases: Array<[string | undefined, string, string?]> = [
      [undefined, 'portal_token_missing'],
      ['Basic YWJj', 'portal_token_missing'],
      [`Bearer ${await token({}, { key: otherKey })}`, 'portal_token_invalid'],
      [`Bearer ${await token({ aud: 'https://elsewhere.example' })}`, 'portal_token_audience_invalid'],
      [`Bearer ${await token({}, { iat: Math.floor(Date.now() / 1000) - 600 })}`, 'portal_token_expired'],
      [`Bearer ${await token({}, { lifetime: 301 })}`, 'portal_token_lifetime_too_long'],
      [`Bearer ${await token({}, { iat: Math.floor(Date.now() / 1000) + 120 })}`, 'portal_token_invalid'],
      [`Bearer ${await token({ jti: '' })}`, 'portal_token_invalid'],
      [`Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('1m').setAudience(issuer()).sign(privateKey)}`, 'portal_token_invalid'],
      [`Bearer ${await token()}`, 'portal_keys_missing', '/p/keyless/api/v1/whoami'],
    ];
    for (const [authorization, code, path] of cases) {
      const res = await call(authorization, path);
      expect([res.status, (await res.json()).error], `${code} ${authorization?.slice(0, 20)}`).toEqual([401, code]);
    }
    const logged = await role.services.db.selectFrom('launch_log').select('failure_code').execute();
    expect(logged).toEqual([]);
  });
});
