import { badRequest } from './errors.ts';

/** How deep into nested claims the check looks (claims nest two or three levels). */
const MAX_DEPTH = 8;

/** Whether a value — a string, or a key or string anywhere inside an object or list — holds a NUL character. */
export function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return false;
  for (const [key, item] of Object.entries(value)) if (key.includes('\u0000') || hasNul(item, depth + 1)) return true;
  return false;
}

/**
 * Refuses text holding a NUL character (400 `text_has_nul`): no valid sub, name, email or LTI
 * claim contains one, and Postgres cannot keep it in a text column. A signed token's claims get
 * this check too: a signature says who wrote a claim, not that it is text. The endpoints run it
 * before the launch's state is used up, so the refusal is an answer, not a 500 after the fact.
 */
export function refuseNul(value: unknown, message: string): void {
  if (hasNul(value)) throw badRequest('text_has_nul', message);
}
