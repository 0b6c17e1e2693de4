import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, launchesByHour } from '../../src/store/launchCounts.ts';
import { createDb, type Db } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { DIALECTS, dropDatabase, freshDatabaseUrl, tempDir } from '../support/db.ts';

describe.each(DIALECTS)('launches by hour on %s', (dialect) => {
  let db: Db;
  let url: string | null;
  // 10:30 on some day: the window is 11:00 the day before … 10:59 today.
  const now = Date.UTC(2030, 0, 15, 10, 30);
  const thisHour = Date.UTC(2030, 0, 15, 10);

  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb({ databaseUrl: url, dataDir: tempDir() });
    await migrateToLatest(db);
    const row = (id: string, at: number, outcome: string, extra: { role?: string; test?: number } = {}) => ({
      id, role: extra.role ?? 'platform', platform_id: null, tool_id: null, outcome, failure_code: null, failure_message: null,
      steps: '[]', request_id: null, user_sub: null, storage: null, test: extra.test ?? 0, created_at: at, updated_at: at,
    });
    await db.insertInto('launch_log').values([
      row('a', thisHour + 5 * 60_000, 'success'),
      row('b', thisHour + 29 * 60_000, 'success'),
      row('c', thisHour - 1, 'failure'), // 09:59:59.999 belongs to the 09:00 bar
      row('d', thisHour - 23 * HOUR_MS, 'pending'), // the first bar
      row('e', thisHour - 24 * HOUR_MS, 'success'), // just outside the window
      row('f', thisHour, 'success', { test: 1 }), // test launches are not counted
      row('g', thisHour, 'failure', { role: 'tool' }), // the other role
    ]).execute();
  });
  afterAll(async () => {
    await db.destroy();
    await dropDatabase(url);
  });

  it('counts each launch in its hour, by outcome, leaving out tests, the other role and older launches', async () => {
    const hours = await launchesByHour(db, 'platform', now);
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({ hour: thisHour - 23 * HOUR_MS, success: 0, failure: 0, pending: 1 });
    expect(hours[22]).toEqual({ hour: thisHour - HOUR_MS, success: 0, failure: 1, pending: 0 });
    expect(hours[23]).toEqual({ hour: thisHour, success: 2, failure: 0, pending: 0 });
    expect(hours.slice(1, 22).every((h) => h.success + h.failure + h.pending === 0)).toBe(true);
    expect((await launchesByHour(db, 'tool', now))[23]).toMatchObject({ failure: 1 });
  });
});
