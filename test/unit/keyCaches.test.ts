import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/keys/secretBox.ts';
import { verifyContextToken } from '../../src/platform/context/token.ts';
import { ContextKeys } from '../../src/platform/contextKeys.ts';
import type { Platform } from '../../src/platform/model/platforms.ts';
import { PlatformKeys } from '../../src/tool/platformKeys.ts';

// Keys are imported once and reused (a launch used to import the platform's context key, and the
// master secret twice); these tests pin that a changed key is never served from the cache.

// One launcher's context key sets (its container builds one per server).
const contextKeys = new ContextKeys(fetch);
const services = null;
const contextKeysOf = (_services: null, platform: Platform) => contextKeys.of(platform);
const options = { clockTolerance: 5, audiences: ['https://launcher.example'] };

async function keyPair(alg: 'RS256' | 'ES256' = 'RS256', kid = `k-${randomBytes(4).toString('hex')}`) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const pem = await exportSPKI(publicKey);
  const sign = () =>
    new SignJWT({ 'https://purl.imsglobal.org/spec/lti/claim/context': { id: 'c-1' } })
      .setProtectedHeader({ alg, kid: jwk.kid })
      .setAudience('https://launcher.example')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  return { jwk, pem, sign };
}

function platform(fields: { context_public_jwk?: string; context_public_key?: string }): Platform {
  return {
    id: 'p-1', name: 'School', slug: 'school', discoveryUrl: 'https://idp.example/.well-known/openid-configuration',
    idpMetadata: {}, clientId: 'c', clientSecretSealed: null, contextJwksUrl: null, contextPublicJwk: fields.context_public_jwk ?? null,
    contextPublicKey: fields.context_public_key ?? null, roleClaim: null, roleMap: null, scoreWebhookUrl: null, createdAt: 0, updatedAt: 0,
  };
}

describe('context keys of a platform', () => {
  it('reuses the key set of an unchanged JWK, and uses a changed JWK at once', async () => {
    const a = await keyPair('RS256', 'portal-1');
    // A new key under the same kid: only the stored text tells them apart.
    const b = await keyPair('RS256', 'portal-1');
    const withA = platform({ context_public_jwk: JSON.stringify(a.jwk) });
    expect(contextKeysOf(services, withA)).toBe(contextKeysOf(services, { ...withA }));
    await expect(verifyContextToken(await a.sign(), contextKeysOf(services, withA), options)).resolves.toBeTruthy();

    const withB = platform({ context_public_jwk: JSON.stringify(b.jwk) });
    expect(contextKeysOf(services, withB)).not.toBe(contextKeysOf(services, withA));
    await expect(verifyContextToken(await b.sign(), contextKeysOf(services, withB), options)).resolves.toBeTruthy();
    await expect(verifyContextToken(await a.sign(), contextKeysOf(services, withB), options)).rejects.toMatchObject({ code: 'context_signature_invalid' });
  });

  it('imports a PEM key once per algorithm, and does not keep a refused import', async () => {
    const ec = await keyPair('ES256');
    const rsa = await keyPair('RS256');
    const keys = contextKeysOf(services, platform({ context_public_key: ec.pem }));
    // An RS256 token against an EC key: the import fails, each time, and is not cached as a key.
    for (let i = 0; i < 2; i++) {
      await expect(verifyContextToken(await rsa.sign(), keys, options)).rejects.toBeTruthy();
    }
    const first = await verifyContextToken(await ec.sign(), keys, options);
    const second = await verifyContextToken(await ec.sign(), contextKeysOf(services, platform({ context_public_key: ec.pem })), options);
    expect(first.claims).toEqual(second.claims);
  });
});

describe('static keys of a gateway registration', () => {
  const keys = new PlatformKeys(fetch, pino({ level: 'silent' }));

  it('imports a JWK once, and a different JWK gives a different key', async () => {
    const a = await keyPair();
    const b = await keyPair();
    const header = { alg: 'RS256' };
    const first = await keys.keyFor({ jwksUrl: null, publicJwk: a.jwk, publicKey: null }, header);
    expect(await keys.keyFor({ jwksUrl: null, publicJwk: { ...a.jwk }, publicKey: null }, header)).toBe(first);
    expect(await keys.keyFor({ jwksUrl: null, publicJwk: b.jwk, publicKey: null }, header)).not.toBe(first);
  });

  it('imports a PEM key once per algorithm, and retries a refused import', async () => {
    const ec = await keyPair('ES256');
    const registration = { jwksUrl: null, publicJwk: null, publicKey: ec.pem };
    await expect(keys.keyFor(registration, { alg: 'RS256' })).rejects.toBeTruthy();
    await expect(keys.keyFor(registration, { alg: 'RS256' })).rejects.toBeTruthy();
    const key = await keys.keyFor(registration, { alg: 'ES256' });
    expect(await keys.keyFor(registration, { alg: 'ES256' })).toBe(key);
  });
});

describe('secret box', () => {
  it('opens what another box with the same master secret sealed, whatever happens to the caller\'s bytes', async () => {
    const secret = randomBytes(32);
    const sealed = await new SecretBox(secret).seal('pkce-verifier');
    const other = new SecretBox(Uint8Array.from(secret));
    secret.fill(0);
    expect(await other.open(sealed)).toBe('pkce-verifier');
    await expect(new SecretBox(randomBytes(32)).open(sealed)).rejects.toThrow();
  });
});
