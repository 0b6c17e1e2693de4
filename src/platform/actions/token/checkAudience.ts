import { checkAssertionAudience } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** `aud` contains this token endpoint’s URL, exactly. */
export const checkAudience: Step<TokenContext> = {
  name: 'check_audience',
  spec: 'RFC 7523 §3 item 3',
  codes: ['client_assertion_aud'],
  run(ctx) {
    checkAssertionAudience(ctx.claims!, ctx.expected!);
  },
};
