import { randomUUID } from 'node:crypto';
import { badGateway } from '../../lti/errors.ts';
import { readTokenAnswer, tokenRequestForm } from '../../lti/services/tokenAnswer.ts';
import type { Services } from '../../server/services.ts';
import type { LmsTokens } from '../model/lmsTokens.ts';
import type { Registration } from '../model/registrations.ts';
import { LmsError } from './lmsError.ts';

/** An access token for an LMS's services, and the scopes the LMS granted it (possibly fewer than asked). */
export interface AccessToken {
  accessToken: string;
  scopes: string[];
}

/** A token is used until this long before it expires, so it does not lapse on the way to the LMS. */
export const TOKEN_REUSE_MARGIN_MS = 60_000;

/** The client assertion's lifetime (Security Framework §4.1.1: "typically five minutes"): one request, never re-sent. */
const ASSERTION_LIFETIME_SECONDS = 300;

/**
 * The gateway's token client (Security Framework §4.1.1, RFC 7523): the client-credentials grant
 * with a JWT client assertion signed by the gateway's current key, one access token per
 * registration and scope set, kept in the database (sealed) until shortly before it expires so
 * every instance uses the same one. Concurrent needs of one instance share one request.
 *
 * The service clients take `(scopes) => tokenFor(registration, scopes).then((t) => t.accessToken)`;
 * on a 401 from the LMS they call `invalidate` and retry once.
 */
export class AccessTokens {
  /** Requests under way in this instance, by registration and scope set: ten callers, one request. */
  private readonly inFlight = new Map<string, Promise<AccessToken>>();

  constructor(
    private readonly services: Pick<Services, 'keys' | 'fetch'>,
    private readonly tokens: LmsTokens,
  ) {}

  /** A token for these scopes (their order and repeats do not matter): the stored one while it lasts, else a new one. */
  tokenFor(registration: Registration, scopes: readonly string[]): Promise<AccessToken> {
    const asked = scopeSetOf(scopes);
    const key = `${registration.id}\n${asked.join(' ')}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const promise = this.storedOrNew(registration, asked).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /**
   * Forgets the token of these scopes (the LMS answered 401 with it): the next tokenFor asks the LMS
   * again. Given the token that failed, only that one goes, not a newer one another instance got.
   */
  async invalidate(registration: Registration, scopes: readonly string[], accessToken?: string): Promise<void> {
    await this.tokens.drop(registration.id, scopeSetOf(scopes).join(' '), accessToken);
  }

  private async storedOrNew(registration: Registration, asked: string[]): Promise<AccessToken> {
    const scopeKey = asked.join(' ');
    const stored = await this.tokens.find(registration.id, scopeKey, Date.now() + TOKEN_REUSE_MARGIN_MS);
    if (stored) return { accessToken: stored.accessToken, scopes: stored.scopes };
    const requestedAt = Date.now();
    const granted = await this.request(registration, asked);
    await this.tokens.save(registration.id, scopeKey, { ...granted, expiresAt: requestedAt + granted.expiresInSeconds * 1000 });
    return { accessToken: granted.accessToken, scopes: granted.scopes };
  }

  private async request(registration: Registration, asked: string[]): Promise<AccessToken & { expiresInSeconds: number }> {
    const tokenUrl = registration.tokenEndpoint;
    if (!tokenUrl) {
      throw badGateway('registration_token_endpoint_missing', 'The LMS’s grades and rosters cannot be reached: its registration has no token endpoint. An administrator sets it in the gateway’s console.');
    }
    const form = tokenRequestForm(await this.clientAssertion(registration, tokenUrl), asked);
    let response: Response;
    let body: string;
    try {
      response = await this.services.fetch(tokenUrl, { method: 'POST', body: form, headers: { accept: 'application/json' } });
      body = await response.text();
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new LmsError('lms_unavailable', 'The LMS’s token endpoint could not be reached.', { status: null, error: null, errorDescription: null },
        `${tokenUrl}: ${(err as Error).message}${cause?.message ? ` (${cause.message})` : ''}`);
    }
    const answer = readTokenAnswer({ status: response.status, contentType: response.headers.get('content-type'), body }, asked);
    if (answer.kind === 'refused') {
      throw new LmsError('lms_token_refused', 'The LMS refused the gateway’s token request: see what it said.', {
        status: answer.status, error: answer.error, errorDescription: answer.errorDescription,
      }, `${tokenUrl} answered HTTP ${answer.status}`);
    }
    if (answer.kind === 'invalid') {
      throw new LmsError('lms_unavailable', 'The LMS’s token endpoint did not answer with an access token.', { status: answer.status, error: null, errorDescription: null },
        `${tokenUrl}: ${answer.reason}`);
    }
    return { accessToken: answer.accessToken, scopes: answer.scopes, expiresInSeconds: answer.expiresInSeconds };
  }

  /**
   * Security Framework §4.1.1: iss = sub = the client id, aud = the token URL (or the audience the
   * LMS asked for), iat and exp, and a fresh jti, signed with the gateway's current key (`kid`).
   */
  private clientAssertion(registration: Registration, tokenUrl: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.services.keys.sign({
      iss: registration.clientId,
      sub: registration.clientId,
      aud: registration.tokenAudience ?? tokenUrl,
      iat: now,
      exp: now + ASSERTION_LIFETIME_SECONDS,
      jti: randomUUID(),
    });
  }
}

/** The scopes asked, each once and sorted: the cache's key, and the `scope` parameter sent. */
export function scopeSetOf(scopes: readonly string[]): string[] {
  const set = [...new Set(scopes.map((s) => s.trim()).filter((s) => s !== ''))].sort();
  // A caller's mistake, not the LMS's: no app input reaches here unchecked.
  if (set.length === 0 || set.some((s) => /\s/.test(s))) throw new TypeError('tokenFor needs at least one scope, each without spaces');
  return set;
}

/**
 * The scopes to ask an LMS for: those the launch offered (the AGS claim's `scope` and NRPS when it
 * came), narrowed to the registration's `service_scopes` when it lists any.
 */
export function scopesToAsk(registration: Pick<Registration, 'serviceScopes'>, offered: readonly string[]): string[] {
  if (registration.serviceScopes.length === 0) return [...offered];
  return offered.filter((s) => (registration.serviceScopes as readonly string[]).includes(s));
}
