import { readLoginRequest as readLoginParams } from '../../../lti/loginInitiation.ts';
import type { Step } from '../pipeline.ts';
import type { LoginContext } from './context.ts';

/** The login's parameters: `iss`, `login_hint`, `target_link_uri` required, the optional ones well formed. */
export const readLoginRequest: Step<LoginContext> = {
  name: 'read_login_request',
  spec: 'Security Framework §5.1.1.1; LTI Core §4.1',
  codes: ['login_param_missing', 'login_param_invalid'],
  run(ctx) {
    ctx.login = readLoginParams(ctx.params);
  },
};
