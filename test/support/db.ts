import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createDb, type Db } from '../../src/store/db.ts';
import { migrateToLatest } from '../../src/store/migrations.ts';
import { loadConfig, type Config } from '../../src/config.ts';

/** Storage dialects the suite runs against: SQLite always, Postgres when TEST_DATABASE_URL is set. */
export const DIALECTS: Array<'sqlite' | 'postgres'> = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export function tempDir(prefix = 'lti-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A database of its own for one test: a temp SQLite file, or a fresh Postgres schema selected
 * through the connection's search_path, so test files never see each other's rows.
 */
export async function freshDatabaseUrl(dialect: 'sqlite' | 'postgres'): Promise<string | null> {
  if (dialect === 'sqlite') return null;
  const base = process.env.TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.href;
}

/** Dropping a test schema (best effort; CI machines are thrown away anyway). */
export async function dropDatabase(url: string | null): Promise<void> {
  if (!url) return;
  const schema = new URL(url).searchParams.get('options')?.split('=')[1];
  if (!schema) return;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL! });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  await client.end();
}

export function testConfig(overrides: Partial<Config> = {}, env: Record<string, string> = {}): Config {
  return loadConfig(
    { ADMIN_PASSWORD: 'test-admin-password', SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent', ...env },
    { dataDir: tempDir(), allowPrivateUrls: true, allowInsecureIdp: true, host: '127.0.0.1', port: 0, ...overrides },
  );
}

/**
 * A migrated database of its own for the tests of one describe block, made before them and dropped
 * after them: read `store.db` inside a test.
 */
export function useMigratedDb(dialect: 'sqlite' | 'postgres'): { readonly db: Db } {
  let db: Db | undefined;
  let url: string | null = null;
  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    db = createDb({ databaseUrl: url, dataDir: tempDir() });
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await dropDatabase(url);
  });
  return {
    get db(): Db {
      if (!db) throw new Error('useMigratedDb: the database is made in beforeAll');
      return db;
    },
  };
}
