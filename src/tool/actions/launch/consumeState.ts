import { unauthorized } from '../../../lti/errors.ts';
import { STATE_COOKIE_PATH, stateCookieName } from '../../model/loginStates.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** The state is used once, across every instance: a second launch with it is a replay. */
export const consumeState: Step<LaunchContext> = {
  name: 'consume_state',
  spec: 'Security Framework §5.1.1.2',
  codes: ['state_used'],
  async run(ctx) {
    const { state } = ctx.form!;
    if (!(await ctx.gateway.loginStates.consume(state))) {
      throw unauthorized('state_used', 'This launch has already been used. Open the link from your course again.');
    }
    ctx.reply.clearCookie(stateCookieName(state), { path: STATE_COOKIE_PATH, secure: true, sameSite: 'none', httpOnly: true });
  },
};
