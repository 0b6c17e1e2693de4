import { parseAuthRequest } from '../../../lti/authRequest.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

export const readAuthRequest: Step<AuthContext> = {
  name: 'read_auth_request',
  spec: 'OAuth 2.0 §3.1 (no repeated parameter)',
  codes: ['auth_request_invalid'],
  run(ctx) {
    ctx.auth = parseAuthRequest(ctx.params);
  },
};
