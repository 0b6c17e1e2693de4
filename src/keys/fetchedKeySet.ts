import { keySetProblem } from './publicKeys.ts';

/** A fetched key set refused as a whole (its message says why: keySetProblem). */
export class KeySetRefused extends Error {}

/**
 * A fetched key set with two keys under one kid or with private key material is refused as a whole,
 * as on save (publicKeys.ts) and as the gateway refuses an LMS's: jose would otherwise use it.
 * Anything that is not a JSON key set is left to jose, which reports it. For jose's `customFetch`.
 */
export async function refuseBadKeySet(response: Response): Promise<Response> {
  if (!response.ok) return response;
  let body: unknown;
  try {
    body = JSON.parse(await response.clone().text());
  } catch {
    return response;
  }
  const keys = (body as { keys?: unknown } | null)?.keys;
  const problem = Array.isArray(keys) ? keySetProblem(keys) : null;
  if (problem) throw new KeySetRefused(problem);
  return response;
}
