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
   * Why not, read back only on refusal, in this order: no row under the key within `scope` (a row
   * of another tool or app is unknown to this one); used already; expired; or not bound to this
   * request (another browser). `row` is given with every reason but unknown, so the caller can say
   * whose launch it was.
   */
  | { ok: false; reason: 'unknown' | 'used' | 'expired' | 'unbound'; row?: Database[T] };

/**
 * Uses a single-use row once, across every instance sharing the database: one UPDATE flips
 * `used_at` only when the row is unused, unexpired and bound as asked, so of two concurrent uses
 * exactly one succeeds. Only a refusal reads the row again, to say why. `scope` names whose row it
 * must be (a tool's, an app's); `bound` what it must be bound to (this browser). An empty list of
 * values (a browser without any id) matches nothing: the row is not used, the refusal is read back.
 * The pattern of oidc-provider's consumable models, for hints, states, codes and nonces alike.
 */
export async function consumeOnce<T extends SingleUseTable>(
  db: Db, table: T, key: string, options: { now?: number; scope?: Bound<T>; bound?: Bound<T> } = {},
): Promise<Consumed<T>> {
  const now = options.now ?? Date.now();
  const keyColumn = KEY_COLUMN[table];
  const scope = Object.entries(options.scope ?? {}) as Array<[string, ReadonlyArray<unknown>]>;
  const bound = [...scope, ...(Object.entries(options.bound ?? {}) as Array<[string, ReadonlyArray<unknown>]>)];
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
  const record = found as unknown as Record<string, unknown> | undefined;
  const matches = (columns: Array<[string, ReadonlyArray<unknown>]>) => columns.every(([column, values]) => values.includes(record![column]));
  if (!found || !matches(scope)) return { ok: false, reason: 'unknown' };
  if (record!.used_at !== null) return { ok: false, reason: 'used', row: found };
  if ((record!.expires_at as number) <= now) return { ok: false, reason: 'expired', row: found };
  if (!matches(bound)) return { ok: false, reason: 'unbound', row: found };
  // Unused, unexpired and bound, yet not updated: another request used it between the two reads.
  return { ok: false, reason: 'used', row: found };
}
