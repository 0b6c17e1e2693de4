import { createLocalJWKSet, importJWK, importSPKI, type JSONWebKeySet, type JWK, type ProtectedHeaderParameters } from 'jose';
import type { Logger } from 'pino';
import { keySetProblem } from '../keys/publicKeys.ts';
import { BuiltOnce } from '../keys/builtOnce.ts';
import { LtiError } from '../lti/errors.ts';
import type { Registration } from './model/registrations.ts';

export interface PlatformKeysOptions {
  /** How long a fetched JWKS is used before it is fetched again. */
  ttlMs?: number;
  /** Least time between two fetches of one JWKS caused by an unknown kid or a failed fetch. */
  cooldownMs?: number;
  now?: () => number;
}

interface CachedJwks {
  keySet: ReturnType<typeof createLocalJWKSet>;
  fetchedAt: number;
  /** Last fetch attempt, successful or not. */
  attemptedAt: number;
}

type VerificationKey = Awaited<ReturnType<ReturnType<typeof createLocalJWKSet>>>;

/**
 * Verification keys of the registered platforms. A platform's JWKS is fetched once and cached for
 * a TTL; an unknown `kid` triggers one refresh (then a cooldown), and concurrent refreshes of the
 * same URL share one request, so a burst of launches right after a key rotation never stampedes
 * the LMS. When the JWKS endpoint is down, the cached keys stay in use.
 */
export class PlatformKeys {
  private readonly cache = new Map<string, CachedJwks>();
  private readonly inflight = new Map<string, Promise<CachedJwks>>();
  /**
   * Static keys (a registration's JWK or PEM) imported once per algorithm, by their text; the
   * header's algorithm was checked against the allow-list first, so few entries per key.
   */
  private readonly imported = new BuiltOnce<Promise<VerificationKey>>();
  private readonly ttlMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly log: Logger,
    options: PlatformKeysOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** The key that verifies a token with this header, for this registration. */
  async keyFor(registration: Pick<Registration, 'jwksUrl' | 'publicJwk' | 'publicKey'>, header: ProtectedHeaderParameters): Promise<VerificationKey> {
    // A static key cannot verify a token whose header names an algorithm of another key type (an
    // RSA key and ES256): that is the token's fault, a 401 — not an import failure, a 500.
    const mismatch = (err: unknown) => {
      throw new LtiError('alg_key_mismatch', 401, `The launch is signed with ${header.alg}, which the platform’s registered key cannot verify.`, (err as Error).message);
    };
    if (registration.publicJwk) {
      const jwk = registration.publicJwk;
      return this.imported.get(`jwk\u0000${header.alg}\u0000${JSON.stringify(jwk)}`, () => importJWK(jwk, header.alg) as Promise<VerificationKey>).catch(mismatch);
    }
    if (registration.publicKey) {
      const pem = registration.publicKey;
      return this.imported.get(`pem\u0000${header.alg}\u0000${pem}`, () => importSPKI(pem, header.alg!)).catch(mismatch);
    }
    if (!registration.jwksUrl) throw new LtiError('registration_key_missing', 502, 'The platform registration has no key to verify launches with.');
    return this.fromJwks(registration.jwksUrl, header);
  }

  private async fromJwks(url: string, header: ProtectedHeaderParameters): Promise<VerificationKey> {
    let entry = this.cache.get(url);
    if (!entry) {
      entry = await this.refresh(url);
    } else if (this.now() - entry.fetchedAt >= this.ttlMs && this.now() - entry.attemptedAt >= Math.min(this.cooldownMs, this.ttlMs)) {
      entry = await this.refresh(url).catch((err) => {
        this.log.warn({ err, url }, 'platform JWKS refresh failed; using the cached keys');
        return this.cache.get(url)!;
      });
    }
    try {
      return await entry.keySet(header);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw keyError(err);
    }
    // Security Framework §6.3: refresh once on an unknown kid: the platform may have rotated.
    const running = this.inflight.get(url);
    const latest = this.cache.get(url)!;
    let fresh: CachedJwks | null = null;
    if (running) fresh = await running;
    else if (latest !== entry) fresh = latest;
    else if (this.now() - latest.attemptedAt >= this.cooldownMs) fresh = await this.refresh(url);
    if (fresh) {
      try {
        return await fresh.keySet(header);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw keyError(err);
      }
    }
    throw new LtiError('key_unknown', 401, 'The launch was signed with a key that the platform does not publish.').saying({ kid: header.kid });
  }

  /** Fetches a JWKS; concurrent callers for the same URL share one request. */
  private refresh(url: string): Promise<CachedJwks> {
    const running = this.inflight.get(url);
    if (running) return running;
    const attempt = this.download(url).finally(() => this.inflight.delete(url));
    this.inflight.set(url, attempt);
    return attempt;
  }

  private async download(url: string): Promise<CachedJwks> {
    const attemptedAt = this.now();
    const previous = this.cache.get(url);
    if (previous) previous.attemptedAt = attemptedAt;
    let jwks: JSONWebKeySet;
    try {
      const response = await this.fetchFn(url, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      jwks = (await response.json()) as JSONWebKeySet;
      if (!Array.isArray(jwks?.keys)) throw new Error('the document has no "keys" array');
    } catch (err) {
      this.log.warn({ err, url }, 'platform JWKS fetch failed');
      throw new LtiError('jwks_unavailable', 502, 'The platform’s public keys could not be fetched, so the launch cannot be verified. Try again in a moment.', fetchFailure(url, err));
    }
    const usable = jwks.keys.filter((k: JWK) => typeof k.kty === 'string' && (k.use === undefined || k.use === 'sig'));
    const invalid = keySetProblem(jwks.keys);
    if (invalid) {
      this.log.warn({ url, problem: invalid }, 'platform JWKS refused');
      throw new LtiError('platform_jwks_invalid', 502, 'The platform’s public keys are published in a form that cannot be trusted, so the launch cannot be verified. Tell the LMS administrator.', `${url}: ${invalid}`);
    }
    const entry: CachedJwks = { keySet: createLocalJWKSet({ keys: usable }), fetchedAt: attemptedAt, attemptedAt };
    this.cache.set(url, entry);
    return entry;
  }
}

/**
 * Why a key set could not be fetched, for the admin's launch detail: the URL policy's own
 * sentence (it names the setting), or the URL with the connection error's code.
 */
function fetchFailure(url: string, err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  const message = e.message ?? String(err);
  if (message.includes(url)) return message;
  return `${url}: ${message}${cause && !message.includes(cause) ? ` (${cause})` : ''}`;
}

function keyError(err: unknown): LtiError {
  return new LtiError('key_unknown', 401, 'No usable platform key matches the launch’s signature header.', (err as Error).message);
}
