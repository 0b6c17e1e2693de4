import pg from 'pg';
import { ConfigError } from '../config.ts';
import { createDb, type Db, type DbOptions } from './db.ts';
import { migrateToLatest } from './migrations.ts';
import { dataDirProblem, databaseUrlProblem, isDataDirError, isDatabaseUrlError } from './storageProblems.ts';

/**
 * The database of a command that serves or changes it: connected to at once and migrated, so a
 * wrong DATABASE_URL or DATA_DIR is named in one line before anything listens, instead of as a
 * driver's stack trace at the first query.
 */
export async function openDatabase(options: DbOptions): Promise<Db> {
  if (options.databaseUrl) await checkPostgres(options.databaseUrl);
  const db = createDb(options);
  try {
    await migrateToLatest(db);
    return db;
  } catch (err) {
    await db.destroy().catch(() => {});
    throw setupProblem(err, options);
  }
}

/** One connection of its own (not the pool's), to learn the server and the cause of a failure. */
async function checkPostgres(databaseUrl: string): Promise<void> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  } catch (err) {
    throw databaseUrlProblem(err, '', passwordOf(databaseUrl));
  }
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw databaseUrlProblem(err, `${client.host}:${client.port}`, passwordOf(databaseUrl));
  } finally {
    await client.end().catch(() => {});
  }
}

/** Migration errors that come from the setup (privileges, a read-only file), not from a bug. */
function setupProblem(err: unknown, options: DbOptions): unknown {
  if (err instanceof ConfigError) return err;
  if (options.databaseUrl && isDatabaseUrlError(err)) {
    const url = safeUrl(options.databaseUrl);
    return databaseUrlProblem(err, url ? `${url.hostname}:${url.port || 5432}` : 'the database server', passwordOf(options.databaseUrl));
  }
  if (!options.databaseUrl && isDataDirError(err)) return dataDirProblem(err, `update the SQLite database in ${options.dataDir}`);
  return err;
}

function safeUrl(databaseUrl: string): URL | null {
  try {
    return new URL(databaseUrl);
  } catch {
    return null;
  }
}

function passwordOf(databaseUrl: string): string {
  const password = safeUrl(databaseUrl)?.password ?? '';
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}
