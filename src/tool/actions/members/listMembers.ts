import { listMembers as listLmsMembers } from '../../clients/memberships.ts';
import type { Step } from '../pipeline.ts';
import { lmsClientOf } from '../appApi/lmsClientOf.ts';
import type { MembersContext } from './context.ts';

/**
 * The context's members from the LMS, every `rel="next"` page followed up to the clients' bounds
 * (MAX_PAGES pages, MAX_MEMBERS members; `truncated` says one was hit).
 */
export const listMembers: Step<MembersContext> = {
  name: 'list_members',
  spec: 'NRPS 2.0 §2.4',
  codes: ['lms_refused', 'lms_unavailable', 'lms_token_refused'],
  async run(ctx) {
    const roster = await listLmsMembers(lmsClientOf(ctx), ctx.endpoint!.membersUrl!, ctx.membersQuery);
    ctx.answer = (reply) => reply.send(roster);
  },
};
