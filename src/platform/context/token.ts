import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { CONTEXT_JWT_ALGS } from '../../lti/algorithms.ts';
import type { ContextClaims } from '../../lti/claims.ts';
import { LtiError, badGateway, badRequest, unauthorized } from '../../lti/errors.ts';
import { pickContextClaims } from './claims.ts';

export interface ContextTokenOptions {
  /** Seconds of leeway for exp/nbf/iat. */
  clockTolerance: number;
  /** The audiences this launcher answers to (the platform's issuer and base URLs); `aud` must name one. */
  audiences: string[];
  /**
   * A context JWT is a link on a page: it must expire, and live no longer than this (default one
   * hour, CONTEXT_MAX_LIFETIME_SECONDS) from `iat`, and expire no further ahead than this from now.
   */
  maxLifetimeSeconds?: number;
  now?: number;
}

export const CONTEXT_MAX_LIFETIME_SECONDS = 3600;

/** A verified context JWT: what it contributes to the launch, and what it constrains. */
export interface VerifiedContext {
  claims: ContextClaims;
  /**
   * The user the portal made this link for (`sub`): a constraint, checked against the IdP's `sub`
   * once the user has signed in — it never sets who the user is. Null when the JWT names nobody.
   */
  forUser: string | null;
  /** `jti`, when the portal gave one: the link then works once (the caller records it). */
  jti: string | null;
  /** `exp` in epoch seconds: how long a recorded `jti` must be kept. */
  exp: number;
}

/**
 * Claims that change what the user may do in the tool. They are accepted only from a context JWT
 * that names its user (`sub`): a link without one is the same for everyone who gets hold of it, so
 * it must not carry privileges, and roles then come from the IdP mapping alone.
 */
const PRIVILEGE_CLAIMS = [
  'https://purl.imsglobal.org/spec/lti/claim/roles',
  'https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor',
  'https://purl.imsglobal.org/spec/lti/claim/lis',
] as const;

/**
 * Verifies the context JWT a platform signs into its tool links and returns the context-type
 * claims it may contribute. Signature (algorithm allow-list, never `none` or HMAC), `aud`, `exp`
 * and `nbf` are checked by jose; lifetime, `sub`/`jti` shapes and privilege binding here; each
 * failure maps to a stable code.
 */
export async function verifyContextToken(token: string, keys: JWTVerifyGetKey, options: ContextTokenOptions): Promise<VerifiedContext> {
  if (token.length > 16_384) throw badRequest('context_malformed', 'The course context in this link is too large.');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: CONTEXT_JWT_ALGS, clockTolerance: options.clockTolerance, requiredClaims: ['exp', 'aud'],
      audience: options.audiences,
      currentDate: options.now === undefined ? undefined : new Date(options.now),
    }));
  } catch (err) {
    throw contextError(err, options);
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (typeof payload.iat === 'number' && payload.iat > now + options.clockTolerance) {
    throw unauthorized('context_not_yet_valid', 'This link was issued in the future. Check that the clocks of the portal and the launcher agree.');
  }
  checkLifetime(payload, now, options);
  const forUser = optionalId(payload.sub, 'sub');
  const jti = optionalId(payload.jti, 'jti');
  const claims = pickContextClaims(payload as Record<string, unknown>);
  if (forUser === null) {
    const privileged = PRIVILEGE_CLAIMS.filter((name) => claims[name] !== undefined);
    if (privileged.length > 0) {
      throw badRequest(
        'context_privilege_unbound',
        'The course context in this link gives roles but does not name the user it was made for, so anyone with the link would get them. The portal must put the user\'s id (sub) in the link, or leave the roles to the sign-in service.',
        `${privileged.map((n) => n.split('/').pop()).join(', ')} without sub`,
      );
    }
  }
  return { claims, forUser, jti, exp: payload.exp! };
}

function checkLifetime(payload: JWTPayload, now: number, options: ContextTokenOptions): void {
  const maxLifetime = options.maxLifetimeSeconds ?? CONTEXT_MAX_LIFETIME_SECONDS;
  const exp = payload.exp!;
  const fromIat = typeof payload.iat === 'number' ? exp - payload.iat : 0;
  if (exp - now > maxLifetime + options.clockTolerance || fromIat > maxLifetime) {
    throw unauthorized(
      'context_lifetime_too_long',
      `The course context in this link is valid for too long (at most ${formatSeconds(maxLifetime)} are accepted), so a copied link would keep working.`,
      typeof payload.iat === 'number' ? `exp - iat = ${fromIat} s` : `exp - now = ${exp - now} s`,
    );
  }
}

function formatSeconds(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} minutes` : `${seconds} seconds`;
}

function optionalId(value: unknown, name: 'sub' | 'jti'): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw badRequest('context_claim_invalid', `The course context's "${name}" must be a string of 1 to 255 characters.`);
  }
  return value;
}

function contextError(err: unknown, options: ContextTokenOptions): LtiError {
  if (err instanceof LtiError) return err;
  if (err instanceof errors.JWTExpired) return unauthorized('context_expired', 'This link has expired. Go back to the page with the link, reload it and try again.');
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf') {
    return unauthorized('context_not_yet_valid', 'This link is not valid yet. Check that the clocks of the portal and the launcher agree.');
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return badRequest('context_alg_forbidden', `The course context is signed with an algorithm this launcher does not accept (allowed: ${CONTEXT_JWT_ALGS.join(', ')}).`);
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
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
    // Without an audience, a link made for one launcher would be accepted by every launcher that trusts the portal's key.
    if (err.reason === 'missing') {
      return unauthorized('context_audience_missing', 'The course context in this link does not say which launcher it is for (aud); the platform must set it to the launcher\'s issuer.', `expected one of ${options.audiences.join(', ')}`);
    }
    return unauthorized('context_audience_invalid', 'The course context in this link was made for another launcher.', `aud ${JSON.stringify(err.payload.aud)}, expected one of ${options.audiences.join(', ')}`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return unauthorized('context_claims_invalid', `The course context is not valid: ${err.message}.`);
  }
  if (err instanceof errors.JOSEError) {
    return badRequest('context_malformed', 'The course context in this link is not a valid signed token.', (err as Error).message);
  }
  return badRequest('context_malformed', 'The course context in this link is not a valid signed token.', String((err as Error)?.message ?? err));
}
