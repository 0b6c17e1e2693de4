import { unauthorized } from '../../../lti/errors.ts';
import { jtiRetentionUntil } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import { jtiScopeOf } from './checkJti.ts';
import type { TokenContext } from './context.ts';

/**
 * The verified assertion's `jti` is recorded as used until the assertion expires, on every
 * instance (the nonces table's key): of two requests racing with one assertion, one gets a token.
 */
export const useJti: Step<TokenContext> = {
  name: 'use_jti',
  spec: 'Security Framework §4.1.1; RFC 7523 §3 item 7',
  codes: ['client_assertion_replayed'],
  async run(ctx) {
    const until = jtiRetentionUntil(ctx.claims!, ctx.expected!.clockSkewSeconds);
    if (!(await ctx.launcher.nonces.use(jtiScopeOf(ctx.tool!.id), ctx.jti!, until))) {
      throw unauthorized('client_assertion_replayed', 'This client assertion was used already: sign a new one, with a new jti, for each token request.').saying({ jti: ctx.jti });
    }
  },
};
