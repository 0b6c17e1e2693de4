import { grantScopes as grant } from '../../../lti/services/tokenRequest.ts';
import { NRPS_SCOPE } from '../../../lti/services/scopes.ts';
import type { Tool } from '../../model/tools.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** The scopes an administrator lets the tool have: its AGS scopes, and NRPS's when it may read rosters. */
export function allowedScopesOf(tool: Pick<Tool, 'agsScopes' | 'nrps'>): string[] {
  return tool.nrps ? [...tool.agsScopes, NRPS_SCOPE] : [...tool.agsScopes];
}

/** The scopes asked for that the tool is allowed; `invalid_scope` only when none is. */
export const grantScopes: Step<TokenContext> = {
  name: 'grant_scopes',
  spec: 'Security Framework §4.1.1; RFC 6749 §3.3',
  codes: ['token_scope_missing', 'token_scope_invalid'],
  run(ctx) {
    ctx.granted = grant(ctx.tokenRequest!.scope, allowedScopesOf(ctx.tool!));
  },
};
