import { forbidden, unauthorized } from '../../../lti/errors.ts';
import type { ServiceContext } from '../service.ts';
import type { Step } from '../context.ts';

/** `Authorization: Bearer <token>`, the scheme in any case (RFC 6750 §2.1, RFC 7235 §2.1); null when absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * The request carries an unexpired access token of this platform's token endpoint (Security
 * Framework §4.1.1, RFC 6750): the token names the tool, and a token of another platform is as
 * unknown here as a made-up one. Runs after the platform is resolved.
 */
export const authenticateAccessToken: Step<ServiceContext> = {
  name: 'authenticate_access_token',
  spec: 'Security Framework §4.1.1; RFC 6750 §2.1',
  codes: ['access_token_missing', 'access_token_invalid'],
  async run(ctx) {
    const token = bearerToken(ctx.request.headers.authorization);
    if (!token) throw unauthorized('access_token_missing', 'Send the access token of this platform’s token endpoint as Authorization: Bearer.');
    const found = await ctx.launcher.accessTokens.find(token);
    if (!found || found.platformId !== ctx.platform!.id) {
      throw unauthorized('access_token_invalid', 'The access token is unknown or expired: ask the token endpoint for a new one.');
    }
    const tool = await ctx.launcher.tools.findById(found.toolId);
    if (!tool) throw unauthorized('access_token_invalid', 'The access token is unknown or expired: ask the token endpoint for a new one.');
    ctx.accessToken = found;
    ctx.tool = tool;
  },
};

/**
 * The token was granted one of the scopes the endpoint accepts (AGS 2.0 §3.1, NRPS 2.0 §2.1):
 * reading line items takes `lineitem` or `lineitem.readonly`, say. A 403, not a 401: the token is
 * good, it is not enough.
 */
export function requireScope(...anyOf: string[]): Step<ServiceContext> {
  return {
    name: 'check_token_scope',
    spec: 'Security Framework §4.1.1; RFC 6750 §3.1',
    codes: ['access_token_scope_insufficient'],
    run(ctx) {
      ctx.neededScopes = anyOf;
      if (!ctx.accessToken!.scopes.some((s) => anyOf.includes(s))) {
        throw forbidden(
          'access_token_scope_insufficient',
          'The access token was not granted a scope this service needs.',
          `needs one of: ${anyOf.join(' ')}; granted: ${ctx.accessToken!.scopes.join(' ') || 'none'}`,
        );
      }
    },
  };
}
