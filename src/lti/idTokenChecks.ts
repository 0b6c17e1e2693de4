import { createHash, timingSafeEqual } from 'node:crypto';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { LTI_ID_TOKEN_ALGS } from './algorithms.ts';
import { CLAIM, LTI_VERSION } from './claims.ts';
import { LtiError, badRequest, forbidden, unauthorized } from './errors.ts';
import type { FailureCode } from './failureCodes.ts';
import { HANDLED_MESSAGE_TYPES, NOT_YET_HANDLED_CODES, messageType } from './messageTypes.ts';

/**
 * The checks a tool makes on a platform's id_token (Security Framework 1.0 §5.1.3, and the
 * message claims of LTI Core 1.3 §5.3), one small pure function each, with its own stable failure
 * codes. The signature itself is verified with jose by the caller; these run on the verified
 * header and payload.
 */

/**
 * A platform's id_token issued longer ago than this is refused even before its `exp` (bounds replay
 * of long-lived tokens, and how long a used nonce is kept). The launcher's bound on its IdP's
 * id_token is another rule: src/platform/actions/callback/verifyIdpToken.ts IDP_ID_TOKEN_MAX_AGE_SECONDS.
 */
export const LTI_ID_TOKEN_MAX_AGE_SECONDS = 3600;

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** Allowed deployment ids; empty = any. */
  deploymentIds: string[];
  /** SHA-256 (hex) of the nonce sent to the platform at login initiation: only the hash is kept. */
  nonceHash: string;
  nowSeconds: number;
  clockSkewSeconds: number;
}

/** A claim or header value as the error page quotes it (see LtiError `said`): text as sent, anything else as JSON. */
const saidText = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);

/** Step 6: the algorithm is one this tool accepts (LTI_ID_TOKEN_ALGS), never `none` or an HMAC. */
export function checkAlgorithm(header: ProtectedHeaderParameters): void {
  if (!header.alg || !LTI_ID_TOKEN_ALGS.includes(header.alg)) {
    throw unauthorized('alg_not_allowed', `The launch was signed with an algorithm this tool does not accept (it accepts ${LTI_ID_TOKEN_ALGS.join(', ')}).`).saying({ alg: saidText(header.alg) });
  }
}

/** Step 2: iss equals the registered issuer exactly. */
export function checkIssuer(payload: JWTPayload, expected: IdTokenExpectations): void {
  if (payload.iss !== expected.issuer) {
    throw unauthorized('iss_mismatch', 'The launch comes from a different issuer than the platform this login was started for.');
  }
}

/** Steps 3–5: aud contains our client_id; with several audiences, azp is present; azp, when present, names us. */
export function checkAudience(payload: JWTPayload, expected: IdTokenExpectations): void {
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!aud.includes(expected.clientId)) {
    throw unauthorized('aud_mismatch', 'The launch is addressed to a different client id than this tool’s registration.');
  }
  if (aud.length > 1 && payload.azp === undefined) {
    throw unauthorized('azp_missing', 'The launch names several audiences but no authorized party (azp).');
  }
  if (payload.azp !== undefined && payload.azp !== expected.clientId) {
    throw unauthorized('azp_mismatch', 'The launch’s authorized party (azp) is not this tool’s client id.');
  }
}

/** Largest NumericDate (seconds) a date can hold: ±8.64e15 ms, the range of an ECMAScript Date. */
const MAX_NUMERIC_DATE = 8.64e12;

/** A JWT NumericDate (RFC 7519 §2) that names a real date: a finite number within a Date's range. */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_NUMERIC_DATE;
}

/**
 * How long a used nonce must be remembered (ms since the epoch): until the token could no longer
 * be accepted anyway — its exp or its maximum age, whichever comes first, plus the clock skew.
 */
export function nonceRetentionUntil(payload: JWTPayload, clockSkewSeconds: number, nowMs: number): number {
  const acceptableUntil = Math.min(payload.exp as number, (payload.iat as number) + LTI_ID_TOKEN_MAX_AGE_SECONDS);
  return Math.max(Math.ceil((acceptableUntil + clockSkewSeconds) * 1000), nowMs + 60_000);
}

/** Steps 7–8: exp in the future, iat not in the future and not too old, with a clock-skew leeway. */
export function checkTimes(payload: JWTPayload, expected: IdTokenExpectations): void {
  const { nowSeconds: now, clockSkewSeconds: skew } = expected;
  if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
    throw badRequest('claim_missing', 'The launch has no valid "exp" or "iat" time.');
  }
  for (const name of ['exp', 'iat', 'nbf'] as const) {
    const value = payload[name];
    if (value !== undefined && !isNumericDate(value)) {
      throw badRequest('claim_invalid', `The launch\u2019s "${name}" time is not a date.`);
    }
  }
  if (payload.exp + skew <= now) throw unauthorized('token_expired', 'The launch has expired. Open the link in your course again.');
  if (payload.iat - skew > now) {
    throw unauthorized('iat_in_future', 'The launch was issued in the future: the platform’s clock or ours is wrong.');
  }
  if (payload.nbf !== undefined) {
    if (typeof payload.nbf !== 'number') throw badRequest('claim_invalid', 'The launch\u2019s "nbf" time is not a number.');
    if (payload.nbf - skew > now) throw unauthorized('token_not_yet_valid', 'The launch is not valid yet: the platform\u2019s clock or ours is wrong.');
  }
  if (now - payload.iat > LTI_ID_TOKEN_MAX_AGE_SECONDS + skew) {
    throw unauthorized('token_too_old', 'The launch was issued too long ago. Open the link in your course again.');
  }
}

/**
 * Step 9 (first half): the nonce is the one sent at login, compared as SHA-256 digests in constant
 * time (the login keeps only the hash). Single use is checked against the store (the `use_nonce` step).
 */
export function checkNonce(payload: JWTPayload, expected: IdTokenExpectations): void {
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0) {
    throw badRequest('nonce_missing', 'The launch carries no nonce.');
  }
  const given = createHash('sha256').update(payload.nonce).digest();
  const wanted = Buffer.from(expected.nonceHash, 'hex');
  if (wanted.length !== given.length || !timingSafeEqual(given, wanted)) {
    throw unauthorized('nonce_mismatch', 'The launch’s nonce is not the one this login asked for.');
  }
}

/** LTI Core §5.3.2: the LTI version is the one this tool speaks. */
export function checkVersion(payload: JWTPayload): void {
  if (payload[CLAIM.version] !== LTI_VERSION) {
    throw badRequest('version_unsupported', `The launch uses an LTI version this tool does not support; it supports ${LTI_VERSION}.`).saying({ version: saidText(payload[CLAIM.version]) });
  }
}

/** LTI Core §5.3.1: the message type is one this service knows (src/lti/messageTypes.ts) and handles. */
export function checkMessageType(payload: JWTPayload): void {
  const type = payload[CLAIM.messageType];
  const known = messageType(type);
  if (!known) {
    throw badRequest('message_type_unsupported', `The launch is a kind of message this tool does not support; it supports ${HANDLED_MESSAGE_TYPES.join(', ')}.`).saying({ message_type: saidText(type) });
  }
  if (known.notYetHandled) throw new LtiError(known.notYetHandled.code, 501, known.notYetHandled.message);
}

/** LTI Core §5.3.3: the deployment is one this registration allows. */
export function checkDeploymentId(payload: JWTPayload, expected: IdTokenExpectations): void {
  const id = payload[CLAIM.deploymentId];
  if (typeof id !== 'string' || id.length === 0 || id.length > 255) {
    throw badRequest('claim_missing', 'The launch has no valid deployment_id claim.');
  }
  if (expected.deploymentIds.length > 0 && !expected.deploymentIds.includes(id)) {
    throw forbidden('deployment_unknown', 'The launch comes from a deployment that is not registered with this tool. Ask the administrator to add it.').saying({ deployment_id: id });
  }
}

/** Required claims of an LtiResourceLinkRequest are present, and optional ones well typed (LTI Core 1.3 §5.3, §5.4). */
export function checkResourceLinkClaims(payload: JWTPayload): void {
  const missing = (name: string) => badRequest('claim_missing', `The launch has no "${name}" claim.`);
  const badType = (name: string, what: string) => badRequest('claim_invalid', `The launch's "${name}" claim must be ${what}.`);
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) throw missing('sub');
  if (typeof payload[CLAIM.targetLinkUri] !== 'string') throw missing(CLAIM.targetLinkUri);
  const link = payload[CLAIM.resourceLink];
  if (link === undefined) throw missing(CLAIM.resourceLink);
  if (!isObject(link) || typeof link.id !== 'string' || link.id.length === 0 || link.id.length > 255) {
    throw badType(CLAIM.resourceLink, 'an object with an "id" of 1 to 255 characters');
  }
  const roles = payload[CLAIM.roles];
  if (roles === undefined) throw missing(CLAIM.roles);
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw badType(CLAIM.roles, 'an array of role URIs');
  const context = payload[CLAIM.context];
  if (context !== undefined && (!isObject(context) || typeof context.id !== 'string' || context.id.length > 255)) {
    throw badType(CLAIM.context, 'an object with an "id"');
  }
  const custom = payload[CLAIM.custom];
  if (custom !== undefined && !isObject(custom)) throw badType(CLAIM.custom, 'an object');
  for (const name of [CLAIM.launchPresentation, CLAIM.toolPlatform, CLAIM.lis, CLAIM.ags, CLAIM.nrps]) {
    if (payload[name] !== undefined && !isObject(payload[name])) throw badType(name, 'an object');
  }
}

/** One claim check, as a step of the gateway's launch names it (see Step in src/pipeline/pipeline.ts). */
export interface IdTokenCheck {
  /** The launch log's and the metrics' name of the check. */
  name: string;
  /** The failure codes the check throws. */
  codes: readonly FailureCode[];
  /** The rule of the standard it checks. */
  spec: string;
  check: (payload: JWTPayload, expected: IdTokenExpectations) => void;
}

/** The claim checks, in the order the Security Framework lists them, then the LTI message's claims. */
export const ID_TOKEN_CHECKS: ReadonlyArray<IdTokenCheck> = [
  { name: 'check_issuer', codes: ['iss_mismatch'], spec: 'Security Framework §5.1.3 step 2', check: checkIssuer },
  { name: 'check_audience', codes: ['aud_mismatch', 'azp_missing', 'azp_mismatch'], spec: 'Security Framework §5.1.3 steps 3–5', check: checkAudience },
  {
    name: 'check_times',
    codes: ['claim_missing', 'claim_invalid', 'token_expired', 'iat_in_future', 'token_not_yet_valid', 'token_too_old'],
    spec: 'Security Framework §5.1.3 steps 7–8',
    check: checkTimes,
  },
  { name: 'check_nonce', codes: ['nonce_missing', 'nonce_mismatch'], spec: 'Security Framework §5.1.3 step 9', check: checkNonce },
  { name: 'check_version', codes: ['version_unsupported'], spec: 'LTI Core §5.3.2', check: checkVersion },
  { name: 'check_message_type', codes: ['message_type_unsupported', ...NOT_YET_HANDLED_CODES], spec: 'LTI Core §5.3.1', check: checkMessageType },
  { name: 'check_deployment_id', codes: ['claim_missing', 'deployment_unknown'], spec: 'LTI Core §5.3.3', check: checkDeploymentId },
  { name: 'check_resource_link_claims', codes: ['claim_missing', 'claim_invalid'], spec: 'LTI Core §5.3, §5.4', check: checkResourceLinkClaims },
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
