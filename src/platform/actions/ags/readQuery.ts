import { badRequest } from '../../../lti/errors.ts';
import type { Step } from '../context.ts';
import type { AgsContext } from './context.ts';

/** A page holds this many entries unless the tool asks for fewer (`limit`), and never more than the maximum. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/**
 * The query string of a container (AGS 2.0 §3.2.4, §5.2): each parameter once, `limit` a whole
 * number of at least 1 (capped at MAX_PAGE_SIZE, the next page then linked). Unknown parameters
 * are kept, not refused: a tool may carry them on the URL it was given.
 */
export const readQuery: Step<AgsContext> = {
  name: 'read_query',
  spec: 'AGS 2.0 §3.2.4 (container filters and paging)',
  codes: ['ags_query_invalid'],
  run(ctx) {
    const query = (ctx.request.query ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(query)) {
      if (typeof value !== 'string') throw badRequest('ags_query_invalid', `Give the parameter "${name.slice(0, 64)}" once.`);
    }
    ctx.query = query as Record<string, string>;
    const limit = ctx.query.limit;
    if (limit === undefined) {
      ctx.limit = DEFAULT_PAGE_SIZE;
    } else {
      if (!/^[1-9]\d{0,8}$/.test(limit)) throw badRequest('ags_query_invalid', 'The parameter "limit" must be a whole number of at least 1.').saying({ limit });
      ctx.limit = Math.min(Number(limit), MAX_PAGE_SIZE);
    }
  },
};
