import { refuseNul } from '../../../lti/nulCheck.ts';
import { hashToken } from '../../hashToken.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/**
 * The verified claims hold no NUL (see refuseNul). They are known only once the code is exchanged,
 * which needs the state's row, taken first (single use) so that two instances never both exchange
 * one answer; a refusal gives the state back, so the refused answer does not use up the launch.
 */
export const checkIdpClaimsText: Step<CallbackContext> = {
  name: 'check_idp_claims_text',
  codes: ['text_has_nul'],
  async run(ctx) {
    try {
      refuseNul(ctx.claims!, 'The sign-in service sent your account details with a character no valid text contains (NUL), so you were not signed in. Tell the administrator.');
    } catch (err) {
      await ctx.launcher.pendingLaunches.release(hashToken(ctx.state!));
      throw err;
    }
  },
};
