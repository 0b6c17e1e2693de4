import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, importSPKI, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { KeySetRefused, refuseBadKeySet } from '../keys/fetchedKeySet.ts';
import { BuiltOnce } from '../keys/builtOnce.ts';
import { badGateway, badRequest } from '../lti/errors.ts';
import type { Platform } from './model/platforms.ts';

/**
 * The keys a platform's context JWTs are verified with: its JWKS URL (fetched through the URL
 * policy, cached, refetched on an unknown `kid` with concurrent fetches coalesced by jose), or a
 * static JWK/JWKS, or a PEM public key.
 */
export class ContextKeys {
  private readonly remote = new Map<string, JWTVerifyGetKey>();
  /**
   * Static keys by their stored text: built once, so the key is imported once rather than on every
   * launch (jose's local key set keeps the imported key). A changed key is a new entry.
   */
  private readonly local = new BuiltOnce<JWTVerifyGetKey>();

  /** `fetch`: the server's outbound fetch, which applies the URL policy. */
  constructor(private readonly fetch: typeof globalThis.fetch) {}

  of(platform: Platform): JWTVerifyGetKey {
    if (platform.contextJwksUrl) {
      const cacheKey = `${platform.id}\u0000${platform.contextJwksUrl}`;
      let getKey = this.remote.get(cacheKey);
      if (!getKey) {
        const jwks = createRemoteJWKSet(new URL(platform.contextJwksUrl), {
          cacheMaxAge: 10 * 60_000,
          cooldownDuration: 30_000,
          timeoutDuration: 5_000,
          [customFetch]: async (url: string, options: RequestInit) => refuseBadKeySet(await this.fetch(url, options)),
        });
        const url = platform.contextJwksUrl;
        // Anything but "no such key" means the key set could not be read: the platform's problem, 502.
        getKey = async (header, token) => {
          try {
            return await jwks(header, token);
          } catch (err) {
            if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
            if (err instanceof KeySetRefused) {
              throw badGateway('context_jwks_invalid', 'The platform publishes its signing keys in a form that cannot be trusted, so the link cannot be checked. Tell the portal\'s administrator.', `${url}: ${err.message}`);
            }
            throw badGateway('context_keys_unavailable', 'The platform\'s signing keys could not be fetched, so the link cannot be checked right now.', `${url}: ${(err as Error).message}`);
          }
        };
        this.remote.set(cacheKey, getKey);
      }
      return getKey;
    }
    if (platform.contextPublicJwk) {
      const text = platform.contextPublicJwk;
      return this.local.get(`jwk\u0000${text}`, () => {
        const parsed = JSON.parse(text) as JWK | JSONWebKeySet;
        return createLocalJWKSet('keys' in parsed ? parsed : { keys: [parsed as JWK] });
      });
    }
    if (platform.contextPublicKey) {
      const pem = platform.contextPublicKey;
      return this.local.get(`pem\u0000${pem}`, () => {
        // One import per algorithm the tokens name (a PEM key carries no algorithm of its own); a
        // refused import (a wrong algorithm for the key) is not kept: the next token tries again.
        const byAlg = new BuiltOnce<Promise<CryptoKey>>();
        return (header) => byAlg.get(header.alg ?? '', () => importSPKI(pem, header.alg ?? ''));
      });
    }
    return () => {
      throw badRequest('context_keys_missing', 'This platform has no key configured for course context, so links with a context cannot be checked.');
    };
  }
}
