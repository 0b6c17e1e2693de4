import { badRequest } from '../../../lti/errors.ts';
import { roleUri } from '../../../lti/roles.ts';
import type { Step } from '../context.ts';
import type { MembershipsContext } from './context.ts';

/** Members per page when the tool gives no `limit`, and the most one page holds whatever it asks. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

const PARAMS = ['role', 'rlid', 'limit', 'since', 'after'] as const;

/**
 * NRPS 2.0 §3.4–3.6: the filters and paging of the request. `role` is a full URI or a context
 * role's short name (`Learner`); `limit` is a wish, capped at MAX_PAGE_SIZE; `since` and `after`
 * come from our own differences and next links. Unknown parameters are ignored.
 */
export const readMembershipQuery: Step<MembershipsContext> = {
  name: 'read_membership_query',
  spec: 'NRPS 2.0 §3.4–3.6 (role, rlid, limit, paging, differences)',
  codes: ['memberships_query_invalid'],
  run(ctx) {
    ctx.contextId = (ctx.request.params as { context_id: string }).context_id;
    const query = (ctx.request.query ?? {}) as Record<string, unknown>;
    const text: Partial<Record<(typeof PARAMS)[number], string>> = {};
    for (const name of PARAMS) {
      const value = query[name];
      if (value === undefined) continue;
      if (typeof value !== 'string') throw invalid(name, 'give it once');
      if (value.length === 0 || value.length > 1000) throw invalid(name, 'give 1 to 1000 characters').saying({ [name]: value });
      text[name] = value;
    }
    let limit = DEFAULT_PAGE_SIZE;
    if (text.limit !== undefined) {
      if (!/^[0-9]{1,9}$/.test(text.limit) || Number(text.limit) < 1) throw invalid('limit', 'give a whole number of members, 1 or more').saying({ limit: text.limit });
      limit = Math.min(Number(text.limit), MAX_PAGE_SIZE);
    }
    let since: number | undefined;
    if (text.since !== undefined) {
      if (!/^[0-9]{1,15}$/.test(text.since)) throw invalid('since', 'use the differences link as it was given').saying({ since: text.since });
      since = Number(text.since);
    }
    ctx.query = {
      role: text.role === undefined ? undefined : roleUri(text.role),
      rlid: text.rlid,
      limit,
      since,
      after: text.after,
    };
  },
};

function invalid(name: string, hint: string) {
  return badRequest('memberships_query_invalid', `The memberships parameter "${name}" is not valid: ${hint}.`);
}
