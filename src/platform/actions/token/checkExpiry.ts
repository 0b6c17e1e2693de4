import { checkAssertionExpiry } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** `exp` (and `iat`) are dates, `exp` in the future with the clock leeway. */
export const checkExpiry: Step<TokenContext> = {
  name: 'check_expiry',
  spec: 'RFC 7523 §3 item 4',
  codes: ['client_assertion_exp', 'client_assertion_expired'],
  run(ctx) {
    checkAssertionExpiry(ctx.claims!, ctx.expected!);
  },
};
