import { checkAssertionIssuedAt } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** `iat` not in the future beyond the leeway; at most an hour from `iat` to `exp`. */
export const checkIssuedAt: Step<TokenContext> = {
  name: 'check_issued_at',
  spec: 'Security Framework §4.1.1; RFC 7523 §3 item 6',
  codes: ['client_assertion_iat_future', 'client_assertion_lifetime'],
  run(ctx) {
    checkAssertionIssuedAt(ctx.claims!, ctx.expected!);
  },
};
