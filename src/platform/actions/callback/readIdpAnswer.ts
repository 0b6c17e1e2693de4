import { badRequest, unauthorized } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { CallbackContext } from './context.ts';

/** The IdP answered with a code, not an error (OpenID Connect Core §3.1.2.6). */
export const readIdpAnswer: Step<CallbackContext> = {
  name: 'read_idp_answer',
  spec: 'OpenID Connect Core §3.1.2.5–3.1.2.6',
  codes: ['idp_denied', 'idp_code_missing'],
  run(ctx) {
    const { query } = ctx;
    if (typeof query.error === 'string') {
      // The IdP's words come through the browser, so anyone can write them: quoted apart, never our sentence.
      throw unauthorized('idp_denied', 'The sign-in service did not let you in, so the launch cannot go on. Start the launch again; if it keeps failing, tell your IT support.')
        .saying({ error: query.error, error_description: typeof query.error_description === 'string' ? query.error_description : undefined });
    }
    if (typeof query.code !== 'string' || query.code === '') throw badRequest('idp_code_missing', 'The sign-in service answered without a code. Start the launch again.');
  },
};
