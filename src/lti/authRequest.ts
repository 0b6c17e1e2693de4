import { badRequest } from './errors.ts';

/**
 * The tool's authentication request to the platform (LTI Security Framework 1.0 §5.1.1.2, OIDC
 * Core §3.1.2.1 with the LTI profile). Each check is its own function with its own failure code;
 * the endpoint runs them in order, like oidc-provider's authorization pipeline.
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
  if (!req.scope?.split(' ').includes('openid')) {
    throw badRequest('auth_scope_invalid', 'The tool\'s login request must ask for scope "openid".');
  }
}

export function checkResponseType(req: AuthRequest): void {
  if (req.response_type !== 'id_token') {
    throw badRequest('auth_response_type_invalid', 'The tool\'s login request must use response_type "id_token".').saying({ response_type: req.response_type });
  }
}

export function checkResponseMode(req: AuthRequest): void {
  if (req.response_mode !== 'form_post') {
    throw badRequest('auth_response_mode_invalid', 'The tool\'s login request must use response_mode "form_post".').saying({ response_mode: req.response_mode });
  }
}

export function checkPrompt(req: AuthRequest): void {
  if (req.prompt !== 'none') {
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
