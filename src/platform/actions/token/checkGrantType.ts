import { checkGrantType as check } from '../../../lti/services/tokenRequest.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** `grant_type=client_credentials`, the one grant of LTI's services. */
export const checkGrantType: Step<TokenContext> = {
  name: 'check_grant_type',
  spec: 'Security Framework §4.1.1; RFC 6749 §4.4.2',
  codes: ['token_grant_type_unsupported'],
  run(ctx) {
    check(ctx.tokenRequest!);
  },
};
