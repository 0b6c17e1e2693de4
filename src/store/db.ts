import { LtiError } from '../lti/errors.ts';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { dataDirProblem } from './storageProblems.ts';

export type Db = Kysely<Database>;

export interface DbOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** SQLite file name under dataDir (the demo keeps each role in its own file). */
  sqliteFile?: string;
}

// int8 (bigint) columns hold epoch milliseconds, well inside Number's safe range.
const pgTypes = {
  getTypeParser(oid: number, format?: any) {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export function createDb(options: DbOptions): Db {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 3000,
      types: pgTypes as any,
    });
    // A dropped connection must not crash the process: pg-pool listens for errors only on idle
    // clients, so a connection lost during a query needs its own listener. The query itself fails
    // (503 database_unavailable) and the pool reconnects for the next one.
    pool.on('error', () => {});
    pool.on('connect', (connection) => connection.on('error', () => {}));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  const file = options.sqliteFile === ':memory:' ? ':memory:' : join(options.dataDir, options.sqliteFile ?? 'lti-launcher.sqlite');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(openSqlite(options.dataDir, file)) }) });
}

/** Opens (creating when needed) the SQLite file; a data directory that cannot hold it is named as DATA_DIR. */
function openSqlite(dataDir: string, file: string): SQLite.Database {
  // The database holds names, emails and launch state: a new data directory is the service's
  // alone (0700) and a new SQLite file (its -wal and -shm files take the same mode) is 0600.
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw dataDirProblem(err, `create the directory ${dataDir}`);
  }
  let sqlite: SQLite.Database | undefined;
  try {
    if (file !== ':memory:' && !existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    sqlite = new SQLite(file);
    // The first statements read the file: a file that is not a database fails here, not at a query.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    // Deleted rows (used states, expired hints, old launch-log entries) are overwritten, not left in free pages.
    sqlite.pragma('secure_delete = ON');
    return sqlite;
  } catch (err) {
    sqlite?.close();
    throw dataDirProblem(err, `open the SQLite database ${file}`);
  }
}

/**
 * Kysely prepares every query anew; the service runs a few dozen distinct statements, so keeping
 * them prepared saves SQLite's parse and plan on every launch step (see bench/RESULTS.md).
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare: (query: string) => {
      let statement = statements.get(query);
      if (!statement) {
        statement = sqlite.prepare(query);
        if (statements.size >= 500) statements.delete(statements.keys().next().value!);
        statements.set(query, statement);
      }
      return statement as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', 'ETIMEDOUT', '08006', '08001'].includes(e?.code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(e?.message ?? '')
  );
}

/** The database cannot be reached: a fast 503 the person may retry (Retry-After is set). */
export const databaseUnavailable = () =>
  new LtiError('database_unavailable', 503, 'The service cannot reach its database right now. Please try again in a moment.');
