import type { MembersQuery } from '../../clients/memberships.ts';
import type { AppApiContext } from '../appApi/context.ts';

/** What the steps of `GET /api/v1/contexts/<context>/members` read and fill in. */
export interface MembersContext extends AppApiContext {
  membersQuery?: MembersQuery;
}
