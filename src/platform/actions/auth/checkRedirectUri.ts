import * as authRequest from '../../../lti/authRequest.ts';
import { redirectUrisOf } from '../../tools.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/** redirect_uri is exactly one of the tool's (its target_link_uri or a listed redirect URI). */
export const checkRedirectUri: Step<AuthContext> = {
  name: 'check_redirect_uri',
  spec: 'Security Framework §5.1.1.2 (redirect_uri)',
  codes: ['auth_redirect_uri_invalid'],
  run(ctx) {
    ctx.redirectUri = authRequest.checkRedirectUri(ctx.auth!, redirectUrisOf(ctx.tool!));
  },
};
