import { badRequest, forbidden, unauthorized } from '../../../lti/errors.ts';
import { browserHashesOf } from '../../browser.ts';
import { hashToken } from '../../hashToken.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/**
 * The login hint is valid, unexpired, unused, for this tool and from this browser — and is used up
 * by the same statement, so two requests (on any instances) can never both pass.
 */
export const consumeLoginHint: Step<AuthContext> = {
  name: 'consume_login_hint',
  spec: 'Security Framework §5.1.1.2 (login_hint)',
  codes: ['login_hint_invalid', 'login_hint_used', 'login_hint_expired', 'login_hint_wrong_browser'],
  async run(ctx) {
    const given = ctx.auth!.login_hint;
    if (!given) throw badRequest('login_hint_invalid', 'This launch is not known to the launcher. Open the tool again from its link.');
    const used = await ctx.launcher.loginHints.use(hashToken(given), ctx.tool!.id, browserHashesOf(ctx.request, ctx.launcher.services.box));
    if (!used.ok) {
      if (used.reason === 'unknown') throw badRequest('login_hint_invalid', 'This launch is not known to the launcher. Open the tool again from its link.');
      if (used.reason === 'used') throw forbidden('login_hint_used', 'This launch was completed already. Open the tool again from its link.');
      if (used.reason === 'expired') throw unauthorized('login_hint_expired', 'This launch took too long and expired. Open the tool again from its link.');
      throw forbidden('login_hint_wrong_browser', 'This launch was started in another browser (or your browser blocked the launcher\'s cookie). Open the tool again from its link in this browser.');
    }
    ctx.hint = used.hint;
    ctx.launchId = used.hint.launchId;
  },
};
