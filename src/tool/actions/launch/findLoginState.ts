import { unauthorized } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

/** The state names a login this gateway started, not yet used and not expired. */
export const findLoginState: Step<LaunchContext> = {
  name: 'find_login_state',
  spec: 'Security Framework §5.1.1.2',
  codes: ['state_unknown', 'registration_removed', 'state_used', 'state_expired'],
  async run(ctx) {
    const row = await ctx.gateway.loginStates.find(ctx.form!.state);
    if (!row) throw unauthorized('state_unknown', 'This launch was not started here, or it was started too long ago. Open the link from your course again.');
    ctx.loginState = row;
    const registration = await ctx.gateway.registrations.find(row.registration_id);
    if (!registration) throw unauthorized('registration_removed', 'The platform this launch was started for is no longer registered.');
    ctx.registration = registration;
    // A replay is an attempt of its own: it gets its own log entry and leaves the finished launch as it was.
    if (row.used_at !== null) throw unauthorized('state_used', 'This launch has already been used. Open the link from your course again.');
    ctx.launchId = row.launch_id;
    if (row.expires_at <= Date.now()) throw unauthorized('state_expired', 'This launch took too long. Open the link from your course again.');
  },
};
