import type { PushedMember } from '../../model/members.ts';
import type { PortalContext } from '../portal.ts';

/** `PUT /api/v1/contexts/:context_id/members`: the portal's roster of one course context. */
export interface RosterContext extends PortalContext {
  contextId?: string;
  roster?: PushedMember[];
}
