import { unauthorized } from '../../../lti/errors.ts';
import { checkAssertionJti } from '../../../lti/services/clientAssertion.ts';
import type { Step } from '../context.ts';
import type { TokenContext } from './context.ts';

/** The nonces scope of a tool's client-assertion ids. */
export const jtiScopeOf = (toolId: string) => `client_assertion:${toolId}`;

/**
 * `jti` is present and not used before, in the spec's order (before the signature). Only read here:
 * it is recorded as used by use_jti, after the signature, so a forged assertion cannot burn the jti
 * of a real one; use_jti's insert is the atomic check that two instances cannot both pass.
 */
export const checkJti: Step<TokenContext> = {
  name: 'check_jti',
  spec: 'Security Framework §4.1.1; RFC 7523 §3 item 7',
  codes: ['client_assertion_jti', 'client_assertion_replayed'],
  async run(ctx) {
    const jti = checkAssertionJti(ctx.claims!);
    if (await ctx.launcher.nonces.seen(jtiScopeOf(ctx.tool!.id), jti)) {
      throw unauthorized('client_assertion_replayed', 'This client assertion was used already: sign a new one, with a new jti, for each token request.').saying({ jti });
    }
    ctx.jti = jti;
  },
};
