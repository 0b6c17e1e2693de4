import { badRequest, unauthorized, type LtiError } from '../errors.ts';
import { parseScopes } from './scopes.ts';

/**
 * A token request of the client-credentials grant with a JWT client assertion (Security Framework
 * §4.1.1, RFC 6749 §4.4, RFC 7521 §4.2, RFC 7523 §2.2): its parameters, its checks, and the OAuth 2
 * error (RFC 6749 §5.2) each of our failure codes is answered with.
 */

export const CLIENT_CREDENTIALS = 'client_credentials';
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The parameters of a token request: each given at most once (RFC 6749 §3.2: "MUST NOT be included more than once"). */
export interface TokenRequest {
  grantType: string | null;
  clientAssertionType: string | null;
  clientAssertion: string | null;
  scope: string | null;
}

const PARAMETERS = { grant_type: 'grantType', client_assertion_type: 'clientAssertionType', client_assertion: 'clientAssertion', scope: 'scope' } as const;

/** The media type of a token request's body (RFC 6749 §4.4.2); parameters such as charset are allowed. */
export function isFormEncoded(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** Reads a form-encoded body; a parameter of the grant given twice is refused. Unknown parameters are ignored (RFC 6749 §3.2). */
export function readTokenRequest(body: string): TokenRequest {
  const form = new URLSearchParams(body);
  const request: TokenRequest = { grantType: null, clientAssertionType: null, clientAssertion: null, scope: null };
  for (const [name, field] of Object.entries(PARAMETERS)) {
    const values = form.getAll(name);
    if (values.length > 1) throw badRequest('token_request_invalid', 'A parameter of the token request is given more than once.').saying({ parameter: name });
    request[field] = values[0] ?? null;
  }
  return request;
}

/** RFC 6749 §4.4.2: grant_type is client_credentials. */
export function checkGrantType(request: TokenRequest): void {
  if (request.grantType !== CLIENT_CREDENTIALS) {
    throw badRequest('token_grant_type_unsupported', `This token endpoint answers the ${CLIENT_CREDENTIALS} grant only.`).saying({ grant_type: request.grantType });
  }
}

/** RFC 7521 §4.2, RFC 7523 §2.2: the client authenticates with a JWT assertion, the only method this endpoint has (private_key_jwt). */
export function checkClientAssertionType(request: TokenRequest): string {
  if (!request.clientAssertion || !request.clientAssertionType) {
    throw unauthorized('client_assertion_missing', `The token request must authenticate the tool with client_assertion and client_assertion_type=${JWT_BEARER_ASSERTION}.`);
  }
  if (request.clientAssertionType !== JWT_BEARER_ASSERTION) {
    throw unauthorized('client_assertion_type_unsupported', `The client_assertion_type must be ${JWT_BEARER_ASSERTION}.`).saying({ client_assertion_type: request.clientAssertionType });
  }
  return request.clientAssertion;
}

/**
 * The scopes granted: those asked for that the tool is allowed, in the order asked (Security
 * Framework §4.1.1: the platform may grant a subset, and says which in `scope`). Unknown scopes are
 * dropped, as Moodle does; `invalid_scope` only when nothing is left.
 */
export function grantScopes(scope: string | null, allowed: readonly string[]): string[] {
  const requested = parseScopes(scope ?? '');
  if (requested.length === 0) throw badRequest('token_scope_missing', 'The token request must ask for at least one scope (space-separated in scope).');
  const granted = requested.filter((s) => allowed.includes(s));
  if (granted.length === 0) {
    throw badRequest('token_scope_invalid', 'The tool is not allowed any of the scopes it asked for. An administrator sets which services a tool may use.').saying({ scope });
  }
  return granted;
}

export type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'server_error' | 'temporarily_unavailable';

/**
 * RFC 6749 §5.2: anything about the assertion or the client is `invalid_client` (401); the grant
 * type and the scopes have their own errors; anything else a request got wrong is `invalid_request`.
 * A failure on our side (a lost database) keeps its status with the nearest OAuth word.
 */
export function oauthErrorOf(err: Pick<LtiError, 'code' | 'status'>): OAuthError {
  if (err.status === 401) return 'invalid_client';
  if (err.code === 'token_grant_type_unsupported') return 'unsupported_grant_type';
  if (err.code === 'token_scope_missing' || err.code === 'token_scope_invalid') return 'invalid_scope';
  if (err.status === 503) return 'temporarily_unavailable';
  if (err.status >= 500) return 'server_error';
  return 'invalid_request';
}
