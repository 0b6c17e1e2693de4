import type { Db } from './db.ts';
import type { Database } from './schema.ts';

/** The tables of single-use rows: each has a key column, `expires_at` and `used_at` (epoch ms). */
export type SingleUseTable = 'pending_launches' | 'login_hints' | 'login_states' | 'handoffs';

const KEY_COLUMN = {
  pending_launches: 'state',
  login_hints: 'hint',
  login_states: 'state',
  handoffs: 'code_hash',
} as const satisfies Record<SingleUseTable, string>;

/** A column of the table and the values the row must have in it for the use to count (`in`). */
export type Bound<T extends SingleUseTable> = { [C in keyof Database[T] & string]?: ReadonlyArray<Database[T][C]> };

export type Consumed<T extends SingleUseTable> =
  | { ok: true; row: Database[T] }
  /**
   * Why not, read back only on refusal: no row under the key; used already; expired; or a row
   * that is not bound to this request (another browser, tool or app) — `row` is then given so
   * the caller can say whose it was, and decide whether to tell (a code of another app is "unknown").
   */
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'unbound'; row?: Database[T] };

/**
 * Uses a single-use row once, across every instance sharing the database: one UPDATE flips
 * `used_at` only when the row is unused, unexpired and bound as asked, so of two concurrent uses
 * exactly one succeeds. Only a refusal reads the row again, to say why. An empty `bound` list
 * (a browser without any id) can match nothing: the row is not used, and the refusal is read back.
 * The pattern of oidc-provider's consumable models, for hints, states, codes and nonces alike.
 */
export async function consumeOnce<T extends SingleUseTable>(
  db: Db, table: T, key: string, options: { now?: number; bound?: Bound<T> } = {},
): Promise<Consumed<T>> {
  const now = options.now ?? Date.now();
  const keyColumn = KEY_COLUMN[table];
  const bound = Object.entries(options.bound ?? {}) as Array<[string, ReadonlyArray<unknown>]>;
  // Kysely cannot type a column chosen at run time across four tables; the names above are checked.
  const q = db as unknown as { updateTable(t: string): any; selectFrom(t: string): any };
  let row: Database[T] | undefined;
  if (bound.every(([, values]) => values.length > 0)) {
    let update = q.updateTable(table).set({ used_at: now }).where(keyColumn, '=', key).where('used_at', 'is', null).where('expires_at', '>', now);
    for (const [column, values] of bound) update = update.where(column, 'in', values);
    row = await update.returningAll().executeTakeFirst();
  }
  if (row) return { ok: true, row };
  const found = (await q.selectFrom(table).selectAll().where(keyColumn, '=', key).executeTakeFirst()) as Database[T] | undefined;
  if (!found) return { ok: false, reason: 'unknown' };
  const record = found as unknown as Record<string, unknown>;
  const isBound = bound.every(([column, values]) => values.includes(record[column]));
  if (!isBound) return { ok: false, reason: 'unbound', row: found };
  if (record.used_at !== null) return { ok: false, reason: 'used', row: found };
  if ((record.expires_at as number) <= now) return { ok: false, reason: 'expired', row: found };
  // Unused, unexpired and bound, yet not updated: another request used it between the two reads.
  return { ok: false, reason: 'used', row: found };
}
