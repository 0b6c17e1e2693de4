import { unauthorized } from '../../../lti/errors.ts';
import { nonceRetentionUntil } from '../../../lti/idTokenChecks.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** A nonce is accepted once, across every instance, and remembered until its token could no longer be accepted. */
export const useNonce: Step<LaunchContext> = {
  name: 'use_nonce',
  spec: 'Security Framework §5.1.3 step 9',
  codes: ['nonce_replayed'],
  async run(ctx) {
    const { config } = ctx.gateway.services;
    const expiresAt = nonceRetentionUntil(ctx.payload!, config.clockSkewSeconds, Date.now());
    if (!(await ctx.gateway.nonces.use(`tool:${ctx.registration!.id}`, ctx.payload!.nonce as string, expiresAt))) {
      throw unauthorized('nonce_replayed', 'This launch has already been used. Open the link from your course again.');
    }
  },
};
