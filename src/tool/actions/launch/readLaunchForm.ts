import { badRequest } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { LaunchContext } from './context.ts';

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

/** The platform's form post: an id_token and the state, or the platform's error answer. */
export const readLaunchForm: Step<LaunchContext> = {
  name: 'read_launch_form',
  spec: 'Security Framework §5.1.1.3, §5.1.1.5',
  codes: ['platform_error', 'id_token_missing', 'state_missing'],
  run(ctx) {
    const { body } = ctx;
    // Security Framework §5.1.1.5: a platform may answer the authentication request with an error.
    const error = text(body.error);
    if (error) {
      // The platform's words come through the browser, so anyone can write them: quoted apart, never our sentence.
      throw badRequest('platform_error', 'The platform refused the launch. Open the link from your course again; if it keeps failing, tell the course platform\'s administrator.')
        .saying({ error, error_description: text(body.error_description) });
    }
    const idToken = text(body.id_token);
    if (!idToken) throw badRequest('id_token_missing', 'The launch carries no id_token. Open the link from your course again.');
    const state = text(body.state);
    if (!state) throw badRequest('state_missing', 'The launch carries no state. Open the link from your course again.');
    ctx.form = { idToken, state, binding: text(body.lti_storage_binding), storageUnavailable: body.lti_storage_unavailable === '1' };
  },
};
