import { sql } from 'kysely';
import type { Db } from './db.ts';
import type { LaunchRole, Outcome } from './launchLog.ts';

export const HOUR_MS = 3_600_000;

export interface HourCounts {
  /** Start of the hour, epoch ms. */
  hour: number;
  success: number;
  failure: number;
  pending: number;
}

/**
 * Launches of the last 24 hours by hour and outcome, counted by the database (a busy day has
 * more rows than a page could fetch). Test launches are left out: the chart shows real use.
 */
export async function launchesByHour(db: Db, role: LaunchRole, now = Date.now()): Promise<HourCounts[]> {
  const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  // created_at is a whole number of ms in both SQLite and Postgres, so the division is an integer division.
  const bucket = sql<number>`created_at / ${sql.lit(HOUR_MS)}`;
  const rows = await db
    .selectFrom('launch_log')
    .select([bucket.as('bucket'), 'outcome', db.fn.countAll<number>().as('n')])
    .where('role', '=', role)
    .where('test', '=', 0)
    .where('created_at', '>=', firstHour)
    .groupBy([bucket, 'outcome'])
    .execute();
  const hours: HourCounts[] = Array.from({ length: 24 }, (_, i) => ({ hour: firstHour + i * HOUR_MS, success: 0, failure: 0, pending: 0 }));
  for (const row of rows) {
    const index = Number(row.bucket) - firstHour / HOUR_MS;
    const outcome = row.outcome as Outcome;
    if (hours[index] && outcome in hours[index]) hours[index][outcome] += Number(row.n);
  }
  return hours;
}
