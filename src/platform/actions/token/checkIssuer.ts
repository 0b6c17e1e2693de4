import { checkAssertionIssuer } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** `iss` is the tool’s client_id, as its `sub` is. */
export const checkIssuer: Step<TokenContext> = {
  name: 'check_issuer',
  spec: 'RFC 7523 §3 item 1',
  codes: ['client_assertion_iss'],
  run(ctx) {
    checkAssertionIssuer(ctx.claims!, ctx.expected!);
  },
};
