import { forbidden } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { LaunchContext } from './context.ts';

/**
 * A context JWT with a `jti` opens one launch: the id is recorded (per platform, on every instance
 * through the shared nonces table) until the JWT expires, and a second use is refused.
 */
export const useContextJti: Step<LaunchContext> = {
  name: 'use_context_jti',
  codes: ['context_replayed'],
  async run(ctx) {
    const context = ctx.context!;
    if (context.jti === null) return;
    const expiresAt = (context.exp + ctx.launcher.services.config.clockSkewSeconds) * 1000;
    if (!(await ctx.launcher.nonces.use(`context:${ctx.platform!.id}`, context.jti, expiresAt))) {
      throw forbidden('context_replayed', 'This link was used already. Go back to the page with the link, reload it and open the tool again.');
    }
  },
};
