import { LtiError } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { RedeemContext } from './context.ts';

/** The code is this app's, not yet redeemed and not expired: used up now, once, for the launch it stands for. */
export const redeemHandoff: Step<RedeemContext> = {
  name: 'redeem_handoff',
  codes: ['handoff_used', 'handoff_expired', 'handoff_unknown'],
  async run(ctx) {
    const result = await ctx.gateway.handoffs.redeem(ctx.app!.id, ctx.code);
    if (!result.ok) {
      if (result.reason === 'used') throw new LtiError('handoff_used', 410, 'This launch code has already been redeemed.');
      if (result.reason === 'expired') throw new LtiError('handoff_expired', 410, 'This launch code has expired.');
      throw new LtiError('handoff_unknown', 404, 'There is no such launch code for this app.');
    }
    ctx.launchId = result.launchId;
    ctx.summary = result.summary;
  },
};
