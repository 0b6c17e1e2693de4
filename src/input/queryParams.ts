import { badRequest } from '../lti/errors.ts';

/**
 * The query string with each parameter given once. A repeated parameter (`?code=a&code=b`) is
 * parsed into a list, which no filter reads: refused with its name (400 `query_param_repeated`)
 * rather than passed on to a query that fails with a 500, or read as one of its values.
 */
export function refuseRepeatedParams(query: unknown): Record<string, string | undefined> {
  const params = (query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(params)) {
    if (Array.isArray(value)) {
      throw badRequest('query_param_repeated', `The parameter "${name.slice(0, 64)}" was given more than once; give it once.`);
    }
  }
  return params as Record<string, string | undefined>;
}
