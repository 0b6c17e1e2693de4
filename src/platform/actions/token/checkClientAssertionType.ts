import { checkClientAssertionType as check } from '../../../lti/services/tokenRequest.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** The tool authenticates with a JWT client assertion (private_key_jwt), the endpoint's only method. */
export const checkClientAssertionType: Step<TokenContext> = {
  name: 'check_client_assertion_type',
  spec: 'Security Framework §4.1.1; RFC 7523 §2.2',
  codes: ['client_assertion_missing', 'client_assertion_type_unsupported'],
  run(ctx) {
    ctx.assertion = check(ctx.tokenRequest!);
  },
};
