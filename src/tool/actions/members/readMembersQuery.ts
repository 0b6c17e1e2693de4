import type { Step } from '../pipeline.ts';
import { queryFields } from '../appApi/appInput.ts';
import type { MembersContext } from './context.ts';

/** `?role=` (NRPS 2.0 §2.4.1: a role URI or a short name such as `Learner`), nothing else. */
export const readMembersQuery: Step<MembersContext> = {
  name: 'read_members_query',
  codes: ['app_field_invalid'],
  run(ctx) {
    const { role } = queryFields(ctx.query, ['role']);
    ctx.membersQuery = role === undefined ? {} : { role };
  },
};
