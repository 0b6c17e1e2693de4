import * as authRequest from '../../../lti/authRequest.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/** The LTI profile of the OIDC authentication request: four fixed values, one step each. */
export const checkScope: Step<AuthContext> = {
  name: 'check_scope', spec: 'Security Framework §5.1.1.2 (scope=openid)', codes: ['auth_scope_invalid'], run: (ctx) => authRequest.checkScope(ctx.auth!),
};

export const checkResponseType: Step<AuthContext> = {
  name: 'check_response_type', spec: 'Security Framework §5.1.1.2 (response_type=id_token)', codes: ['auth_response_type_invalid'], run: (ctx) => authRequest.checkResponseType(ctx.auth!),
};

export const checkResponseMode: Step<AuthContext> = {
  name: 'check_response_mode', spec: 'Security Framework §5.1.1.2 (response_mode=form_post)', codes: ['auth_response_mode_invalid'], run: (ctx) => authRequest.checkResponseMode(ctx.auth!),
};

export const checkPrompt: Step<AuthContext> = {
  name: 'check_prompt', spec: 'Security Framework §5.1.1.2 (prompt=none)', codes: ['auth_prompt_invalid'], run: (ctx) => authRequest.checkPrompt(ctx.auth!),
};
