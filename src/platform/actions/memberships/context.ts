import type { ServiceContext } from '../service.ts';

/** What a memberships request asks for, read and checked (see readMembershipQuery). */
export interface MembershipQuery {
  /** A full role URI (a short name such as `Learner` is made one). */
  role?: string;
  rlid?: string;
  limit: number;
  /** Differences: members changed at or after this time (epoch ms). */
  since?: number;
  /** The cursor: the user id the previous page ended with. */
  after?: string;
}

/** `GET …/api/lti/contexts/:context_id/memberships` (NRPS 2.0). */
export interface MembershipsContext extends ServiceContext {
  /** The media type the answer is sent as (Accept negotiated). */
  mediaType?: string;
  contextId?: string;
  query?: MembershipQuery;
  context?: { id: string; label?: string; title?: string };
}
