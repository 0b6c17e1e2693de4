import { LtiError } from '../../../lti/errors.ts';
import { MEMBERSHIP_CONTAINER_MEDIA_TYPE } from '../../../lti/services/memberships.ts';
import { negotiate } from '../../../web/mediaTypes.ts';
import type { Step } from '../context.ts';
import type { MembershipsContext } from './context.ts';

/**
 * NRPS 2.0 §3.3: the tool asks for the membership container media type. A client that accepts only
 * plain JSON gets the same body as `application/json`; anything else is a 406.
 */
export const checkAccept: Step<MembershipsContext> = {
  name: 'check_accept',
  spec: 'NRPS 2.0 §3.3 (media type); RFC 9110 §12.5.1',
  codes: ['service_accept_unsupported'],
  run(ctx) {
    const accept = ctx.request.headers.accept;
    const type = negotiate(accept, [MEMBERSHIP_CONTAINER_MEDIA_TYPE, 'application/json']);
    if (!type) {
      throw new LtiError('service_accept_unsupported', 406, `The memberships service answers only as ${MEMBERSHIP_CONTAINER_MEDIA_TYPE}: send that in Accept.`)
        .saying({ accept });
    }
    ctx.mediaType = type;
  },
};
