/**
 * A token endpoint's answer as the tool reads it (RFC 6749 §5.1 and §5.2, Security Framework
 * §4.1.1): a token with the scopes granted and its lifetime, a refusal with the platform's own
 * error, or something that is no valid answer at all. Lenient where LMSs differ (a lowercase
 * `token_type`, a granted subset, no `expires_in`), strict where the token goes into a header.
 */
import { cut, lmsErrorOf } from './lmsErrorAnswer.ts';
import { CLIENT_CREDENTIALS, JWT_BEARER_ASSERTION } from './tokenRequest.ts';

/** RFC 6749 §5.1 only recommends `expires_in`; without it we assume the hour Security Framework §4.1.1 recommends. */
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;

/** An access token goes into an Authorization header: visible ASCII only (RFC 6750 §2.1 b64token is narrower), and not huge. */
const ACCESS_TOKEN = /^[\x21-\x7e]{1,8192}$/;

export type TokenAnswer =
  | { kind: 'granted'; accessToken: string; scopes: string[]; expiresInSeconds: number }
  | { kind: 'refused'; status: number; error: string | null; errorDescription: string | null }
  | { kind: 'invalid'; status: number; reason: string };

/** The form of a client-credentials token request with a JWT client assertion (Security Framework §4.1.1). */
export function tokenRequestForm(clientAssertion: string, scopes: readonly string[]): URLSearchParams {
  return new URLSearchParams({
    grant_type: CLIENT_CREDENTIALS,
    client_assertion_type: JWT_BEARER_ASSERTION,
    client_assertion: clientAssertion,
    scope: scopes.join(' '),
  });
}

/** Reads the answer to a token request that asked for `asked`. */
export function readTokenAnswer(answer: { status: number; contentType: string | null; body: string }, asked: readonly string[]): TokenAnswer {
  const { status } = answer;
  if (status >= 400 && status < 500) return { kind: 'refused', status, ...lmsErrorOf(answer) };
  if (status < 200 || status >= 300) {
    return { kind: 'invalid', status, reason: `the token endpoint answered HTTP ${status}: ${cut(answer.body) ?? 'no body'}` };
  }
  const json = parseJson(answer.body);
  if (!isObject(json)) return { kind: 'invalid', status, reason: `the token endpoint's answer is not a JSON object: ${cut(answer.body) ?? 'no body'}` };
  if (typeof json.access_token !== 'string' || !ACCESS_TOKEN.test(json.access_token)) {
    return { kind: 'invalid', status, reason: 'the token endpoint\'s answer has no usable access_token (visible ASCII, at most 8192 characters)' };
  }
  // RFC 6749 §5.1: token_type is case-insensitive (Moodle and others send "bearer"). An absent
  // one is taken as Bearer, the only type the LTI services use; another type is not ours to use.
  if (json.token_type !== undefined && (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer')) {
    return { kind: 'invalid', status, reason: `the token endpoint gave a token of type ${cut(String(json.token_type))}, not Bearer` };
  }
  // Security Framework §4.1.1: the platform may grant a subset and says which in `scope`; RFC 6749
  // §5.1: an absent scope is the one asked for.
  const granted = typeof json.scope === 'string' ? [...new Set(json.scope.split(/\s+/).filter((s) => s !== ''))] : [];
  return { kind: 'granted', accessToken: json.access_token, scopes: granted.length > 0 ? granted : [...asked], expiresInSeconds: expiresInOf(json.expires_in) };
}

/** `expires_in` in seconds: a positive number (or numeric text, as some PHP servers send); absent or unusable: DEFAULT_EXPIRES_IN_SECONDS. */
function expiresInOf(value: unknown): number {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : DEFAULT_EXPIRES_IN_SECONDS;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
