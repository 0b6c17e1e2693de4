/**
 * Issue 14, item 7: a registration with a static RSA key (JWK or PEM) and a token whose header
 * says ES256 used to answer 500 (the key import threw). It is the token's fault: 401
 * `alg_key_mismatch`, in the launch log like any refusal; a token that matches the key still
 * launches. Real LMS stand-in, real HTTP.
 */
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.ts';
import { launch, registerLms, useGateway } from '../tool/support/gatewaySetup.ts';

describe('a static platform key and a token signed for another key type', () => {
  const world = useGateway({ dialect: 'sqlite', lms: 'started', apps: { chatbot: { slug: 'chatbot' } } });

  for (const form of ['public_jwk', 'public_key'] as const) {
    it(`answers 401 alg_key_mismatch for an ES256 token and an RSA ${form}, and still launches with RS256`, async () => {
      const rsa = world.lms.publicJwk('k1-RS256');
      const key = form === 'public_jwk'
        ? { public_jwk: rsa }
        : { public_key: createPublicKey({ key: rsa as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString() };
      const registration = await registerLms(world.gateway, world.lms, { jwks_url: null, ...key });
      try {
        const es256 = await world.lms.addKey('ES256');
        const refused = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: { kid: es256 } });
        const body = await refused.launch!.text();
        expect(refused.launch!.status, body.slice(0, 300)).toBe(401);
        expect(body).toContain('alg_key_mismatch');
        const fine = await launch(new Browser(), world.lms, world.gateway, { targetLinkUri: world.apps.chatbot.launch_url, tweaks: { kid: 'k1-RS256' } });
        expect(fine.launch!.status).toBe(303);
      } finally {
        await world.gateway.admin('DELETE', `/registrations/${registration.id}`);
      }
    });
  }
});
