import { forbidden } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { MembershipsContext } from './context.ts';

/** The token's tool may still read memberships: an admin may have turned NRPS off since it was issued. */
export const checkNrpsEnabled: Step<MembershipsContext> = {
  name: 'check_nrps_enabled',
  codes: ['nrps_disabled'],
  run(ctx) {
    if (!ctx.tool!.nrps) throw forbidden('nrps_disabled', 'This tool may not read the members of its contexts: the platform’s admin has turned Names and Roles off for it.');
  },
};
