import type { Db } from './db.ts';

/**
 * Deletes expired nonces, pending launches, login hints, login states and hand-off codes, and
 * launch-log entries older than the retention period; returns how many rows went.
 */
export async function deleteExpired(db: Db, options: { now?: number; launchLogRetentionDays?: number } = {}): Promise<number> {
  const now = options.now ?? Date.now();
  let total = 0;
  for (const table of ['nonces', 'pending_launches', 'login_hints', 'login_states', 'handoffs'] as const) {
    const result = await db.deleteFrom(table).where('expires_at', '<', now).executeTakeFirst();
    total += Number(result.numDeletedRows ?? 0);
  }
  if (options.launchLogRetentionDays !== undefined) {
    const cutoff = now - options.launchLogRetentionDays * 86_400_000;
    const result = await db.deleteFrom('launch_log').where('created_at', '<', cutoff).executeTakeFirst();
    total += Number(result.numDeletedRows ?? 0);
  }
  return total;
}
