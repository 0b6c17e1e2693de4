import { errors, jwtVerify, type JWTPayload } from 'jose';
import { CONTEXT_JWT_ALGS } from '../../../lti/algorithms.ts';
import { LtiError, unauthorized } from '../../../lti/errors.ts';
import { platformIssuer } from '../../tenancy.ts';
import { bearerToken } from './accessToken.ts';
import type { LauncherContext, Step } from '../context.ts';

/** How long a portal API token may live, from `iat` to `exp`: it is made for one call. */
export const PORTAL_TOKEN_MAX_LIFETIME_SECONDS = 300;

/** What the steps of a portal API endpoint (roster push, grades read) read and fill in. */
export interface PortalContext extends LauncherContext {
  /** Set once the portal's token is verified: from then on a refusal is the platform's launch-log entry. */
  portalAuthenticated?: true;
}

const PORTAL_AUTH_HINT = 'Send a JWT signed with the platform’s course-context key, with aud = the platform’s issuer, iat, jti and an exp at most 5 minutes after iat, as Authorization: Bearer.';

/**
 * The portal calls its API with a JWT signed by the key it already signs course context with — no
 * new secret to manage: `aud` is the platform's issuer, `iat`, `exp` and `jti` are required,
 * `exp - iat` is at most 300 s, and the `jti` works once on every instance. `iss` is not read
 * (the key says who signed). Runs after the platform is resolved.
 */
export const authenticatePortal: Step<PortalContext> = {
  name: 'authenticate_portal',
  spec: 'RFC 7519 §4.1; RFC 6750 §2.1',
  codes: [
    'portal_token_missing', 'portal_token_invalid', 'portal_token_expired', 'portal_token_lifetime_too_long',
    'portal_token_audience_invalid', 'portal_token_replayed', 'portal_keys_missing', 'context_keys_unavailable', 'context_jwks_invalid',
  ],
  async run(ctx) {
    const { config } = ctx.launcher.services;
    const platform = ctx.platform!;
    const token = bearerToken(ctx.request.headers.authorization);
    if (!token) throw unauthorized('portal_token_missing', `The portal API needs a token. ${PORTAL_AUTH_HINT}`);
    if (!platform.contextJwksUrl && !platform.contextPublicJwk && !platform.contextPublicKey) {
      throw unauthorized('portal_keys_missing', 'This platform has no course-context key, so its portal API cannot check who calls it. Give the platform its context key in the admin console.');
    }
    const issuer = platformIssuer(config, platform.slug);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, ctx.launcher.contextKeys.of(platform), {
        algorithms: CONTEXT_JWT_ALGS,
        audience: issuer,
        requiredClaims: ['exp', 'iat', 'jti', 'aud'],
        clockTolerance: config.clockSkewSeconds,
      }));
    } catch (err) {
      throw portalTokenError(err, issuer);
    }
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, jti } = payload as { iat: number; exp: number; jti: unknown };
    if (iat > now + config.clockSkewSeconds) throw unauthorized('portal_token_invalid', `The portal API token was issued in the future: check the portal’s clock. ${PORTAL_AUTH_HINT}`);
    if (exp - iat > PORTAL_TOKEN_MAX_LIFETIME_SECONDS) {
      throw unauthorized('portal_token_lifetime_too_long', `The portal API token lives longer than ${PORTAL_TOKEN_MAX_LIFETIME_SECONDS} seconds.`, `exp - iat = ${exp - iat} s`);
    }
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 255) {
      throw unauthorized('portal_token_invalid', `The portal API token’s jti must be a string of 1 to 255 characters. ${PORTAL_AUTH_HINT}`);
    }
    // Kept until the token could no longer be accepted anyway (its exp, plus the clock leeway).
    const unused = await ctx.launcher.nonces.use(`portal:${platform.id}`, jti, (exp + config.clockSkewSeconds) * 1000);
    if (!unused) throw unauthorized('portal_token_replayed', 'This portal API token was used already: make a new one (a new jti) for every call.').saying({ jti });
    ctx.portalAuthenticated = true;
  },
};

function portalTokenError(err: unknown, issuer: string): LtiError {
  if (err instanceof LtiError) return err;
  if (err instanceof errors.JWTExpired) return unauthorized('portal_token_expired', 'The portal API token has expired: make a new one for every call.');
  if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'aud') {
    return unauthorized('portal_token_audience_invalid', `The portal API token is not made for this platform: its aud must be the platform’s issuer, ${issuer}.`)
      .saying({ aud: JSON.stringify(err.payload.aud ?? null) });
  }
  const reason = err instanceof errors.JWTClaimValidationFailed ? `the ${err.claim} claim: ${err.reason}` : (err as Error)?.message ?? String(err);
  return unauthorized('portal_token_invalid', `The portal API token could not be verified. ${PORTAL_AUTH_HINT}`, reason);
}
