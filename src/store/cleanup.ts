import type { Db } from './db.ts';

/** Score webhook deliveries that are done (delivered or failed) are kept this long for the console. */
export const DELIVERY_RETENTION_MS = 30 * 86_400_000;

/**
 * The gateway's last score timestamp per line item and user is needed only while a later score
 * could come within the same millisecond or less: after a day, "now" is later than it anyway
 * (unless the clock went back a day), so the row goes and the table stays bounded.
 */
export const SCORE_TIMESTAMP_RETENTION_MS = 86_400_000;

/**
 * Deletes expired nonces, pending launches, login hints, login states, hand-off codes and access tokens
 * (the launcher's and the gateway's), score webhook deliveries done for 30 days, the gateway's score
 * timestamps a day old, and launch-log entries older than the retention period or beyond the size
 * cap; returns how many rows went.
 */
export async function deleteExpired(
  db: Db,
  options: { now?: number; launchLogRetentionDays?: number; launchLogMaxMb?: number } = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  let total = 0;
  for (const table of ['nonces', 'pending_launches', 'login_hints', 'login_states', 'handoffs', 'access_tokens', 'gateway_access_tokens'] as const) {
    const result = await db.deleteFrom(table).where('expires_at', '<', now).executeTakeFirst();
    total += Number(result.numDeletedRows ?? 0);
  }
  const deliveries = await db
    .deleteFrom('webhook_deliveries')
    .where('status', '!=', 'pending')
    .where('created_at', '<', now - DELIVERY_RETENTION_MS)
    .executeTakeFirst();
  total += Number(deliveries.numDeletedRows ?? 0);
  const stamps = await db.deleteFrom('score_timestamps').where('last_ms', '<', now - SCORE_TIMESTAMP_RETENTION_MS).executeTakeFirst();
  total += Number(stamps.numDeletedRows ?? 0);
  if (options.launchLogRetentionDays !== undefined) {
    const cutoff = now - options.launchLogRetentionDays * 86_400_000;
    const result = await db.deleteFrom('launch_log').where('created_at', '<', cutoff).executeTakeFirst();
    total += Number(result.numDeletedRows ?? 0);
  }
  if (options.launchLogMaxMb !== undefined) total += await capLaunchLog(db, options.launchLogMaxMb * 1024 * 1024);
  return total;
}

/** Rows deleted per statement over the cap: short statements that never hold a lock for long. */
const CAP_BATCH = 500;

/**
 * LAUNCH_LOG_MAX_MB: deletes the oldest launch-log entries until the rows' sizes (`size_bytes`,
 * summed from the (created_at, size_bytes) index, not from the rows) add up to at most `maxBytes`,
 * so a flood of launches costs history, never the disk. Returns how many rows went.
 */
export async function capLaunchLog(db: Db, maxBytes: number): Promise<number> {
  const { bytes } = await db
    .selectFrom('launch_log')
    .select((eb) => eb.fn.sum<number | string | null>('size_bytes').as('bytes'))
    .executeTakeFirstOrThrow();
  let excess = Number(bytes ?? 0) - maxBytes;
  let deleted = 0;
  while (excess > 0) {
    const oldest = await db
      .selectFrom('launch_log')
      .select(['id', 'size_bytes'])
      .orderBy('created_at')
      .orderBy('id')
      .limit(CAP_BATCH)
      .execute();
    if (oldest.length === 0) break;
    const ids: string[] = [];
    for (const row of oldest) {
      if (excess <= 0) break;
      ids.push(row.id);
      excess -= Number(row.size_bytes);
    }
    const result = await db.deleteFrom('launch_log').where('id', 'in', ids).executeTakeFirst();
    deleted += Number(result.numDeletedRows ?? 0);
  }
  return deleted;
}
