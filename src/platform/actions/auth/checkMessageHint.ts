import { badRequest } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { AuthContext } from './context.ts';

/** The tool sent back the lti_message_hint of this launch unchanged. */
export const checkMessageHint: Step<AuthContext> = {
  name: 'check_message_hint',
  spec: 'Security Framework §5.1.1.2 (lti_message_hint)',
  codes: ['message_hint_mismatch'],
  run(ctx) {
    if (ctx.auth!.lti_message_hint !== ctx.hint!.launchId) {
      throw badRequest('message_hint_mismatch', 'The tool sent back a launch reference that does not match this launch.');
    }
  },
};
