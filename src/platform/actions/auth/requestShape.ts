import { checkPrompt, checkResponseMode, checkResponseType, checkScope } from '../../../lti/authRequest.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/** The LTI profile of the OIDC authentication request: four fixed values, one step each. */
export const authScope: Step<AuthContext> = {
  name: 'check_scope', spec: 'Security Framework §5.1.1.2 (scope=openid)', codes: ['auth_scope_invalid'], run: (ctx) => checkScope(ctx.auth!),
};

export const authResponseType: Step<AuthContext> = {
  name: 'check_response_type', spec: 'Security Framework §5.1.1.2 (response_type=id_token)', codes: ['auth_response_type_invalid'], run: (ctx) => checkResponseType(ctx.auth!),
};

export const authResponseMode: Step<AuthContext> = {
  name: 'check_response_mode', spec: 'Security Framework §5.1.1.2 (response_mode=form_post)', codes: ['auth_response_mode_invalid'], run: (ctx) => checkResponseMode(ctx.auth!),
};

export const authPrompt: Step<AuthContext> = {
  name: 'check_prompt', spec: 'Security Framework §5.1.1.2 (prompt=none)', codes: ['auth_prompt_invalid'], run: (ctx) => checkPrompt(ctx.auth!),
};
