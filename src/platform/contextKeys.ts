import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, importSPKI, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { keySetProblem } from '../keys/publicKeys.ts';
import type { Services } from '../server/services.ts';
import { BuiltOnce } from '../keys/builtOnce.ts';
import { badGateway, badRequest } from '../lti/errors.ts';
import type { PlatformTable } from '../store/schema.ts';

const remote = new Map<string, JWTVerifyGetKey>();
/**
 * Static keys by their stored text: built once, so the key is imported once rather than on every
 * launch (jose's local key set keeps the imported key). A changed key is a new entry.
 */
const local = new BuiltOnce<JWTVerifyGetKey>();

class KeySetRefused extends Error {}

/**
 * A fetched key set with two keys under one kid or with private key material is refused as a whole,
 * as on save (src/keys/publicKeys.ts) and as the gateway refuses an LMS's: jose would otherwise
 * use it. Anything that is not a JSON key set is left to jose, which reports it.
 */
async function refuseBadKeySet(response: Response): Promise<Response> {
  if (!response.ok) return response;
  let body: unknown;
  try {
    body = JSON.parse(await response.clone().text());
  } catch {
    return response;
  }
  const keys = (body as { keys?: unknown } | null)?.keys;
  const problem = Array.isArray(keys) ? keySetProblem(keys) : null;
  if (problem) throw new KeySetRefused(problem);
  return response;
}

/**
 * The keys a platform's context JWTs are verified with: its JWKS URL (fetched through the URL
 * policy, cached, refetched on an unknown `kid` with concurrent fetches coalesced by jose), or a
 * static JWK/JWKS, or a PEM public key.
 */
export function contextKeysOf(services: Services, platform: PlatformTable): JWTVerifyGetKey {
  if (platform.context_jwks_url) {
    const cacheKey = `${platform.id}\u0000${platform.context_jwks_url}`;
    let getKey = remote.get(cacheKey);
    if (!getKey) {
      const jwks = createRemoteJWKSet(new URL(platform.context_jwks_url), {
        cacheMaxAge: 10 * 60_000,
        cooldownDuration: 30_000,
        timeoutDuration: 5_000,
        [customFetch]: async (url: string, options: RequestInit) => refuseBadKeySet(await services.fetch(url, options)),
      });
      const url = platform.context_jwks_url;
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
      remote.set(cacheKey, getKey);
    }
    return getKey;
  }
  if (platform.context_public_jwk) {
    return local.get(`jwk\u0000${platform.context_public_jwk}`, () => {
      const parsed = JSON.parse(platform.context_public_jwk!) as JWK | JSONWebKeySet;
      return createLocalJWKSet('keys' in parsed ? parsed : { keys: [parsed as JWK] });
    });
  }
  if (platform.context_public_key) {
    const pem = platform.context_public_key;
    return local.get(`pem\u0000${pem}`, () => {
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
