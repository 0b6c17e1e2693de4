import { badRequest } from './errors.ts';

/**
 * The tool's authentication request to the platform (LTI Security Framework 1.0 §5.1.1.2, OIDC
 * Core §3.1.2.1 with the LTI profile), in its parameters' own names: the one type of both roles —
 * the launcher reads and checks it (each check its own function with its own failure code, run in
 * order by /auth), the gateway sends it (authRequestUrl).
 */
export interface AuthRequest {
  scope?: string;
  response_type?: string;
  response_mode?: string;
  prompt?: string;
  client_id?: string;
  redirect_uri?: string;
  login_hint?: string;
  lti_message_hint?: string;
  nonce?: string;
  state?: string;
}

/** The values the LTI profile fixes (Security Framework §5.1.1.2). */
export const LTI_AUTH_PROFILE = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none' } as const;

/** What a tool chooses in its authentication request; the profile's values are added by authRequestUrl. */
export type ToolAuthRequest = Required<Pick<AuthRequest, 'client_id' | 'redirect_uri' | 'login_hint' | 'state' | 'nonce'>> & Pick<AuthRequest, 'lti_message_hint'>;

/** The authentication request URL a tool sends the browser to: implicit flow, form_post, prompt=none. */
export function authRequestUrl(authorizationEndpoint: string, request: ToolAuthRequest): string {
  const url = new URL(authorizationEndpoint);
  const params: AuthRequest = { ...LTI_AUTH_PROFILE, ...request };
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') url.searchParams.set(name, value);
  return url.href;
}

const PARAMS = ['scope', 'response_type', 'response_mode', 'prompt', 'client_id', 'redirect_uri', 'login_hint', 'lti_message_hint', 'nonce', 'state'] as const;

/** Reads the parameters from a query or form body; a repeated parameter is an error (OAuth 2.0 §3.1). */
export function parseAuthRequest(input: unknown): AuthRequest {
  const source = (input ?? {}) as Record<string, unknown>;
  const out: AuthRequest = {};
  for (const name of PARAMS) {
    const value = source[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw badRequest('auth_request_invalid', `The parameter "${name}" was sent more than once.`);
    if (value.length > 4096) throw badRequest('auth_request_invalid', `The parameter "${name}" is too long.`);
    out[name] = value;
  }
  return out;
}

export function checkScope(req: AuthRequest): void {
  if (!req.scope?.split(' ').includes(LTI_AUTH_PROFILE.scope)) {
    throw badRequest('auth_scope_invalid', 'The tool\'s login request must ask for scope "openid".');
  }
}

export function checkResponseType(req: AuthRequest): void {
  if (req.response_type !== LTI_AUTH_PROFILE.response_type) {
    throw badRequest('auth_response_type_invalid', 'The tool\'s login request must use response_type "id_token".').saying({ response_type: req.response_type });
  }
}

export function checkResponseMode(req: AuthRequest): void {
  if (req.response_mode !== LTI_AUTH_PROFILE.response_mode) {
    throw badRequest('auth_response_mode_invalid', 'The tool\'s login request must use response_mode "form_post".').saying({ response_mode: req.response_mode });
  }
}

export function checkPrompt(req: AuthRequest): void {
  if (req.prompt !== LTI_AUTH_PROFILE.prompt) {
    throw badRequest('auth_prompt_invalid', 'The tool\'s login request must use prompt "none".').saying({ prompt: req.prompt });
  }
}

export function checkNoncePresent(req: AuthRequest): string {
  if (!req.nonce) throw badRequest('nonce_missing', 'The tool\'s login request has no nonce, which protects the launch against replay.');
  return req.nonce;
}

/** redirect_uri must be exactly one of the tool's registered URIs (no prefix or pattern matching). */
export function checkRedirectUri(req: AuthRequest, registered: string[]): string {
  if (!req.redirect_uri || !registered.includes(req.redirect_uri)) {
    throw badRequest('auth_redirect_uri_invalid', 'The tool asked to receive the launch at an address that is not registered for it.', `redirect_uri ${req.redirect_uri ?? '(none)'}`);
  }
  return req.redirect_uri;
}
