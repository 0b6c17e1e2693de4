import { badRequest, forbidden, unauthorized } from '../../../lti/errors.ts';
import { browserHashesOf } from '../../browser.ts';
import { hashToken } from '../../hashToken.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/**
 * The state names a pending launch, used once across every instance, unexpired, in the browser
 * that started it (OAuth 2.0 §10.12, OpenID Connect Core §3.1.2.7).
 */
export const consumeState: Step<CallbackContext> = {
  name: 'consume_state',
  spec: 'OpenID Connect Core §3.1.2.7 (state)',
  codes: ['state_missing', 'state_unknown', 'state_used', 'state_expired', 'callback_wrong_browser'],
  async run(ctx) {
    const { state } = ctx.query;
    if (typeof state !== 'string' || state === '') {
      throw badRequest('state_missing', 'The sign-in answer is missing its state. Start the launch again from the link.');
    }
    const { box } = ctx.launcher.services;
    const claimed = await ctx.launcher.pendingLaunches.claim(hashToken(state), browserHashesOf(ctx.request, box));
    if (!claimed.ok) {
      if (claimed.reason === 'unknown') throw badRequest('state_unknown', 'This sign-in answer does not belong to a launch in progress. Start the launch again from the link.');
      // A replayed, late or misdirected answer names a real launch: its refusal goes in the tool's log.
      ctx.toolId = claimed.toolId;
      if (claimed.reason === 'used') throw forbidden('state_used', 'This sign-in answer was used already. Start the launch again from the link.');
      if (claimed.reason === 'expired') throw unauthorized('state_expired', 'The sign-in took too long. Start the launch again from the link.');
      throw forbidden('callback_wrong_browser', 'This sign-in was started in another browser (or your browser blocked the launcher\'s cookie). Start the launch again from the link in this browser.');
    }
    const { launch } = claimed;
    ctx.state = state;
    ctx.pending = { ...launch, codeVerifier: await box.open(launch.codeVerifierSealed) };
    ctx.launchId = launch.launchId;
    ctx.toolId = launch.toolId;
  },
};
