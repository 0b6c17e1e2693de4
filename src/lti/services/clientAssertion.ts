import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { CLIENT_ASSERTION_ALGS } from '../algorithms.ts';
import { unauthorized } from '../errors.ts';
import { isNumericDate } from '../idTokenChecks.ts';

/**
 * The checks a platform's token endpoint makes on a tool's client assertion (Security Framework
 * §4.1.1, RFC 7523 §3), one small pure function each with its own failure code. The spec's order is
 * iss, sub, exp, aud, jti, then the signature; the signature itself is verified with jose by the
 * caller, and the jti is recorded as used only after it (a forged assertion must not burn a real one).
 */

/** An assertion may live at most this long from its iat to its exp (Security Framework §4.1.1: "typically five minutes"; we allow up to an hour). */
export const CLIENT_ASSERTION_MAX_LIFETIME_SECONDS = 3600;

/** A jti longer than this is refused: it is kept in the nonces table until the assertion expires. */
export const CLIENT_ASSERTION_MAX_JTI_LENGTH = 255;

export interface AssertionExpectations {
  /** The tool's client_id (the assertion's sub named it). */
  clientId: string;
  /** The URLs of this token endpoint the assertion's aud may name, each compared exactly. */
  audiences: readonly string[];
  nowSeconds: number;
  clockSkewSeconds: number;
}

/** RFC 7523 §3 item 1: `iss` is the client, the same as `sub`. */
export function checkAssertionIssuer(payload: JWTPayload, expected: AssertionExpectations): void {
  if (payload.iss !== expected.clientId) {
    throw unauthorized('client_assertion_iss', 'The client assertion’s iss must be the tool’s client_id, the same as its sub.').saying({ iss: said(payload.iss) });
  }
}

/** RFC 7523 §3 items 4–5: `exp` is a date in the future (with the clock leeway), `iat` a date. */
export function checkAssertionExpiry(payload: JWTPayload, expected: AssertionExpectations): void {
  if (!isNumericDate(payload.exp) || !isNumericDate(payload.iat)) {
    throw unauthorized('client_assertion_exp', 'The client assertion must carry exp and iat as NumericDates (seconds since 1970).');
  }
  if (payload.exp + expected.clockSkewSeconds <= expected.nowSeconds) {
    throw unauthorized('client_assertion_expired', 'The client assertion has expired: sign a new one for each token request.');
  }
}

/**
 * Security Framework §4.1.1: `iat` is not in the future beyond the clock leeway, and the assertion
 * lives at most an hour (CLIENT_ASSERTION_MAX_LIFETIME_SECONDS), which bounds how long its jti is kept.
 * Runs after checkAssertionExpiry (both times are dates).
 */
export function checkAssertionIssuedAt(payload: JWTPayload, expected: AssertionExpectations): void {
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  if (iat - expected.clockSkewSeconds > expected.nowSeconds) {
    throw unauthorized('client_assertion_iat_future', 'The client assertion was issued in the future: the tool’s clock or ours is wrong.');
  }
  if (exp - iat > CLIENT_ASSERTION_MAX_LIFETIME_SECONDS) {
    throw unauthorized('client_assertion_lifetime', `The client assertion lives too long: its exp must be at most ${CLIENT_ASSERTION_MAX_LIFETIME_SECONDS} seconds after its iat.`);
  }
}

/**
 * RFC 7523 §3 item 3: `aud` (a string or an array) contains this token endpoint's URL, compared
 * exactly — no trailing slash or port forgiven (canvas-lms#1925).
 */
export function checkAssertionAudience(payload: JWTPayload, expected: AssertionExpectations): void {
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!aud.some((a) => typeof a === 'string' && expected.audiences.includes(a))) {
    throw unauthorized('client_assertion_aud', `The client assertion’s aud must contain this token endpoint’s URL, exactly: ${expected.audiences[0]}.`).saying({ aud: said(payload.aud) });
  }
}

/** RFC 7523 §3 item 7: a `jti` to make the assertion single-use (its use is recorded by the caller). */
export function checkAssertionJti(payload: JWTPayload): string {
  const { jti } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > CLIENT_ASSERTION_MAX_JTI_LENGTH) {
    throw unauthorized('client_assertion_jti', `The client assertion must carry a jti: a unique string of 1 to ${CLIENT_ASSERTION_MAX_JTI_LENGTH} characters.`);
  }
  return jti;
}

/** Security Framework §5.1.3 step 1 applied to the assertion: an algorithm of CLIENT_ASSERTION_ALGS, never `none` or an HMAC. */
export function checkAssertionAlgorithm(header: ProtectedHeaderParameters): void {
  if (!header.alg || !CLIENT_ASSERTION_ALGS.includes(header.alg)) {
    throw unauthorized('client_assertion_alg', `The client assertion is signed with an algorithm this platform does not accept (it accepts ${CLIENT_ASSERTION_ALGS.join(', ')}).`).saying({ alg: said(header.alg) });
  }
}

/** How long a used jti is kept (ms since the epoch): until the assertion could no longer be accepted anyway. */
export function jtiRetentionUntil(payload: JWTPayload, clockSkewSeconds: number): number {
  return ((payload.exp as number) + clockSkewSeconds) * 1000;
}

const said = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
