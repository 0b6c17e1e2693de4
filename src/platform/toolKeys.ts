import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, importJWK, importSPKI, type JSONWebKeySet, type JWK, type JWTVerifyGetKey, type ProtectedHeaderParameters } from 'jose';
import { BuiltOnce } from '../keys/builtOnce.ts';
import { KeySetRefused, refuseBadKeySet } from '../keys/fetchedKeySet.ts';
import { unauthorized } from '../lti/errors.ts';
import type { Tool } from './model/tools.ts';

type VerificationKey = Awaited<ReturnType<JWTVerifyGetKey>>;

export interface ToolKeysOptions {
  /** How long a fetched key set is used before it is fetched again. */
  cacheMaxAgeMs?: number;
  /** Least time between two fetches of one key set caused by an unknown kid. */
  cooldownMs?: number;
}

/**
 * The keys a tool's client assertions (the token endpoint) are verified with: its JWKS URL —
 * fetched through the server's outbound fetch and its URL policy, cached, fetched again once on an
 * unknown `kid` (a rotation) with concurrent fetches coalesced and a cooldown, as the gateway
 * treats an LMS's key set — or its JWK / JWKS, or its PEM public key, each imported once.
 */
export class ToolKeys {
  private readonly remote = new BuiltOnce<JWTVerifyGetKey>(1000);
  private readonly local = new BuiltOnce<Promise<VerificationKey> | JWTVerifyGetKey>(1000);
  private readonly cacheMaxAgeMs: number;
  private readonly cooldownMs: number;

  /** `fetch`: the server's outbound fetch, which applies the URL policy. */
  constructor(private readonly fetch: typeof globalThis.fetch, options: ToolKeysOptions = {}) {
    this.cacheMaxAgeMs = options.cacheMaxAgeMs ?? 10 * 60_000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
  }

  /** The tool's key for an assertion with this header (its algorithm was checked against the allow-list). */
  async keyFor(tool: Pick<Tool, 'id' | 'publicKey' | 'publicJwk' | 'publicKeyUrl'>, header: ProtectedHeaderParameters): Promise<VerificationKey> {
    const alg = header.alg!;
    // A static key that cannot take the header's algorithm (an RSA key, ES256) is the assertion's fault.
    const unfit = (err: unknown): never => {
      throw unauthorized('client_assertion_key_unknown', `The tool’s key cannot verify an assertion signed with ${alg}.`, (err as Error).message);
    };
    if (tool.publicKeyUrl) return this.fromUrl(tool.id, tool.publicKeyUrl, header);
    if (tool.publicJwk) {
      const text = tool.publicJwk;
      const parsed = JSON.parse(text) as JWK | JSONWebKeySet;
      if (!('keys' in parsed)) {
        // One key: it verifies whatever kid the header names, as the gateway's registration key does.
        return (this.local.get(`jwk\u0000${alg}\u0000${text}`, () => importJWK(parsed, alg) as Promise<VerificationKey>) as Promise<VerificationKey>).catch(unfit);
      }
      const set = this.local.get(`jwks\u0000${text}`, () => createLocalJWKSet(parsed)) as JWTVerifyGetKey;
      try {
        return await set({ ...header, alg }, { payload: '', signature: '' });
      } catch (err) {
        throw noKey(header, err);
      }
    }
    if (tool.publicKey) {
      const pem = tool.publicKey;
      return (this.local.get(`pem\u0000${alg}\u0000${pem}`, () => importSPKI(pem, alg)) as Promise<VerificationKey>).catch(unfit);
    }
    throw unauthorized('client_assertion_key_unknown', 'The tool has no public key: an administrator must give it one.');
  }

  private async fromUrl(toolId: string, url: string, header: ProtectedHeaderParameters): Promise<VerificationKey> {
    const jwks = this.remote.get(`${toolId}\u0000${url}`, () =>
      createRemoteJWKSet(new URL(url), {
        cacheMaxAge: this.cacheMaxAgeMs,
        cooldownDuration: this.cooldownMs,
        timeoutDuration: 5_000,
        [customFetch]: async (target: string, options: RequestInit) => refuseBadKeySet(await this.fetch(target, options)),
      }),
    );
    try {
      return await jwks({ ...header, alg: header.alg! }, { payload: '', signature: '' });
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw noKey(header, err);
      if (err instanceof KeySetRefused) {
        throw unauthorized('client_jwks_invalid', 'The tool publishes its keys in a form that cannot be trusted: its owner must fix its key set.', `${url}: ${err.message}`);
      }
      throw unauthorized('client_jwks_unavailable', 'The tool’s key set could not be fetched, so its assertion cannot be verified. Try again in a moment.', `${url}: ${(err as Error).message}`);
    }
  }
}

function noKey(header: ProtectedHeaderParameters, err: unknown) {
  return unauthorized('client_assertion_key_unknown', 'No key of the tool fits the client assertion’s kid and alg.', (err as Error).message).saying({ kid: header.kid });
}
