import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ALLOWED_ALGS } from './claims.ts';
import { LtiError, badGateway, badRequest, unauthorized } from './errors.ts';
import { pickContextClaims, type ContextClaims } from './contextClaims.ts';

export interface ContextTokenOptions {
  /** Seconds of leeway for exp/nbf/iat. */
  clockTolerance: number;
  /** Accepted audiences; a context JWT that carries `aud` must name one of them. */
  audiences: string[];
  /**
   * A context JWT is a link on a page: it must expire, and not further ahead than this (default one
   * hour), so a leaked link stops working soon. A token without `exp` is refused.
   */
  maxLifetimeSeconds?: number;
  now?: number;
}

export const CONTEXT_MAX_LIFETIME_SECONDS = 3600;

/**
 * Verifies the context JWT a platform signs into its tool links and returns the context-type
 * claims it may contribute. Signature (algorithm allow-list, never `none` or HMAC), `exp` and
 * `nbf` are checked by jose; each failure maps to a stable code.
 */
export async function verifyContextToken(token: string, keys: JWTVerifyGetKey, options: ContextTokenOptions): Promise<{ payload: JWTPayload; claims: ContextClaims }> {
  if (token.length > 16_384) throw badRequest('context_malformed', 'The course context in this link is too large.');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ALLOWED_ALGS, clockTolerance: options.clockTolerance, requiredClaims: ['exp'],
      currentDate: options.now === undefined ? undefined : new Date(options.now),
    }));
  } catch (err) {
    throw contextError(err);
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (typeof payload.iat === 'number' && payload.iat > now + options.clockTolerance) {
    throw unauthorized('context_not_yet_valid', 'This link was issued in the future. Check that the clocks of the portal and the launcher agree.');
  }
  const maxLifetime = options.maxLifetimeSeconds ?? CONTEXT_MAX_LIFETIME_SECONDS;
  if (payload.exp! - now > maxLifetime + options.clockTolerance) {
    throw unauthorized(
      'context_lifetime_too_long',
      `The course context in this link is valid for too long (at most ${maxLifetime / 60} minutes ahead are accepted), so a copied link would keep working.`,
    );
  }
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((a) => options.audiences.includes(a))) {
      throw unauthorized('context_audience_invalid', 'The course context in this link was made for another launcher.', `aud ${JSON.stringify(payload.aud)}`);
    }
  }
  return { payload, claims: pickContextClaims(payload as Record<string, unknown>) };
}

function contextError(err: unknown): LtiError {
  if (err instanceof LtiError) return err;
  if (err instanceof errors.JWTExpired) return unauthorized('context_expired', 'This link has expired. Go back to the page with the link, reload it and try again.');
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') {
    return unauthorized('context_not_yet_valid', 'This link is not valid yet. Check that the clocks of the portal and the launcher agree.');
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return badRequest('context_alg_forbidden', `The course context is signed with an algorithm this launcher does not accept (allowed: ${ALLOWED_ALGS.join(', ')}).`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return unauthorized('context_signature_invalid', 'The course context in this link is not signed by this platform.');
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return unauthorized('context_key_unknown', 'The course context is signed with a key this platform has not published.');
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || (err as { name?: string }).name === 'TypeError') {
    return badGateway('context_keys_unavailable', 'The platform\'s signing keys could not be fetched, so the link cannot be checked right now.', String((err as Error).message));
  }
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'exp') {
    return unauthorized('context_exp_missing', 'The course context in this link has no expiry time (exp); the platform must set one.');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return unauthorized('context_claims_invalid', `The course context is not valid: ${err.message}.`);
  }
  if (err instanceof errors.JOSEError) {
    return badRequest('context_malformed', 'The course context in this link is not a valid signed token.', (err as Error).message);
  }
  return badRequest('context_malformed', 'The course context in this link is not a valid signed token.', String((err as Error)?.message ?? err));
}
