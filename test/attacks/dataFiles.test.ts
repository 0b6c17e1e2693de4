/**
 * Issue 14 item 12: the data directory was 0755 and the SQLite files 0644, so any local user could
 * read names, emails and launch states; deleted rows stayed on disk. Now 0700 / 0600 and secure_delete.
 */
import { sql } from 'kysely';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { tempDir } from '../support/db.ts';

describe('issue 14 item 12: the SQLite files', () => {
  it('are created in a 0700 directory as 0600 files, with secure_delete on', async () => {
    const dir = join(tempDir(), 'data');
    const db = createDb({ databaseUrl: null, dataDir: dir });
    try {
      await migrateToLatest(db);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'lti-launcher.sqlite')).mode & 0o777).toBe(0o600);
      for (const extra of ['-wal', '-shm']) {
        const path = join(dir, `lti-launcher.sqlite${extra}`);
        if (existsSync(path)) expect(statSync(path).mode & 0o777, extra).toBe(0o600);
      }
      const { rows } = await sql<{ secure_delete: number }>`pragma secure_delete`.execute(db);
      expect(Number(rows[0].secure_delete)).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});
