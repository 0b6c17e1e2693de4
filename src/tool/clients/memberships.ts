import { roleNames, roleUri } from '../../lti/roles.ts';
import { MEMBERSHIP_CONTAINER_MEDIA_TYPE } from '../../lti/services/memberships.ts';
import { NRPS_SCOPE } from '../../lti/services/scopes.ts';
import { eachPage, lmsUnavailable, MAX_PAGES, type LmsClient } from './lmsClient.ts';

/**
 * The members of a context from the LMS (NRPS 2.0): every page, as the app API answers them. Canvas
 * answers at most 50 per page (Learn-LTI#146), so a class of 120 is three pages; Moodle's pages can
 * come back short. A page limit and a member cap keep one call bounded; `truncated` says one was hit.
 */
export interface AppMember {
  user_id: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  picture: string | null;
  /** Full role URIs (short names from the LMS expanded). */
  roles: string[];
  /** Short names: Learner, Instructor, TeachingAssistant… context roles first. */
  role_names: string[];
  /** NRPS 2.0 §3.5: absent means Active. */
  status: string;
}

export interface AppMembers {
  context: { id: string; label: string | null; title: string | null } | null;
  members: AppMember[];
  /** The page limit or the member cap was hit: more members exist than are listed. */
  truncated: boolean;
}

export const MAX_MEMBERS = 10_000;

export interface MembersQuery {
  /** NRPS 2.0 §2.4.1: a role URI or a short name such as `Learner`. */
  role?: string;
  maxPages?: number;
  maxMembers?: number;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function toMember(raw: unknown): AppMember | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  // A member without its id cannot be graded or told apart: left out rather than guessed at.
  if (typeof m.user_id !== 'string' || m.user_id === '') return null;
  const roles = Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string').map(roleUri) : [];
  return {
    user_id: m.user_id,
    name: text(m.name),
    given_name: text(m.given_name),
    family_name: text(m.family_name),
    email: text(m.email),
    picture: text(m.picture),
    roles,
    role_names: roleNames(roles),
    status: text(m.status) ?? 'Active',
  };
}

export async function listMembers(client: LmsClient, membersUrl: string, query: MembersQuery = {}): Promise<AppMembers> {
  const maxMembers = query.maxMembers ?? MAX_MEMBERS;
  const url = new URL(membersUrl);
  if (query.role) url.searchParams.set('role', query.role);
  const members: AppMember[] = [];
  let context: AppMembers['context'] = null;
  let cut = false;
  const paging = await eachPage(
    client,
    { url: url.href, scopes: [NRPS_SCOPE], accept: MEMBERSHIP_CONTAINER_MEDIA_TYPE },
    (body, call) => {
      if (!body || typeof body !== 'object' || !Array.isArray((body as { members?: unknown }).members)) {
        throw lmsUnavailable(call, 'the answer is not a membership container (no members list)');
      }
      const page = body as { context?: Record<string, unknown>; members: unknown[] };
      if (context === null && page.context && typeof page.context.id === 'string') {
        context = { id: page.context.id, label: text(page.context.label), title: text(page.context.title) };
      }
      for (const raw of page.members) {
        const member = toMember(raw);
        if (!member) continue;
        if (members.length >= maxMembers) {
          cut = true;
          return false;
        }
        members.push(member);
      }
      return members.length < maxMembers;
    },
    query.maxPages ?? MAX_PAGES,
  );
  return { context, members, truncated: cut || paging.truncated };
}
