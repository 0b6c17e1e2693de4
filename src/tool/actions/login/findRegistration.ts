import { LtiError, badRequest } from '../../../lti/errors.ts';
import type { Step } from '../pipeline.ts';
import type { LoginContext } from './context.ts';

/** iss (and client_id when given) name one registration. */
export const findRegistration: Step<LoginContext> = {
  name: 'find_registration',
  spec: 'LTI Core §4.1',
  codes: ['registration_unknown', 'client_id_required'],
  async run(ctx) {
    const { iss, clientId } = ctx.login!;
    const found = await ctx.gateway.registrations.findByIssuer(iss, clientId ?? undefined);
    if (found.length === 0) {
      throw new LtiError('registration_unknown', 404, 'This tool has no registration for the platform this login comes from. Ask the administrator to register it.')
        .saying({ iss, client_id: clientId });
    }
    if (found.length > 1) {
      throw badRequest('client_id_required', 'The platform this login comes from has several registrations here; its login request must name the client_id.').saying({ iss });
    }
    ctx.registration = found[0];
  },
};
