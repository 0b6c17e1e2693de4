import { ConfigError } from '../config.ts';

/**
 * Storage errors a person can fix by changing a setting, turned into one line naming DATA_DIR or
 * DATABASE_URL: at start these are configuration mistakes, and a driver's stack trace explains
 * none of them.
 */

const FILE_CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file of that name is in the way',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
  SQLITE_CANTOPEN: 'the file cannot be opened: is it a directory, or is its directory not writable?',
  SQLITE_NOTADB: 'the file is not a SQLite database',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_READONLY: 'the file or its directory is read-only',
  SQLITE_PERM: 'permission denied',
  SQLITE_FULL: 'no space left on the device',
};

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  return String((err as { message?: unknown } | null)?.message ?? err);
}

/** A file-system or SQLite error that comes from the data directory, not from a bug. */
export function isDataDirError(err: unknown): boolean {
  const code = codeOf(err);
  return code in FILE_CAUSES || code.startsWith('SQLITE_IOERR');
}

/** `DATA_DIR: cannot <what> (<cause>)`. */
export function dataDirProblem(err: unknown, what: string): ConfigError {
  const code = codeOf(err);
  const cause = FILE_CAUSES[code] ?? (code.startsWith('SQLITE_IOERR') ? 'input/output error' : messageOf(err));
  return new ConfigError('DATA_DIR', `cannot ${what} (${cause})`);
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'no answer',
  ECONNRESET: 'the server closed the connection',
  ENOENT: 'no server socket at that path',
  EACCES: 'permission denied',
};

/**
 * SQLSTATE classes that mean the server, the role or the database named in DATABASE_URL is
 * wrong or unusable (connection, authorization, database, privileges, resources, shutdown),
 * as opposed to a query that is wrong.
 */
const SETUP_STATES = /^(08|28|3D|3F|42501|53|57P0)/;

/** A Postgres error that says DATABASE_URL points at something unusable. */
export function isDatabaseUrlError(err: unknown): boolean {
  return SETUP_STATES.test(codeOf(err));
}

/**
 * `DATABASE_URL: …` for an error connecting to (or setting up) Postgres at `server` (host:port).
 * Neither Postgres nor the driver puts the password into a message; should one ever contain it,
 * only the error code is shown.
 */
export function databaseUrlProblem(err: unknown, server: string, password: string): ConfigError {
  const code = codeOf(err);
  const given = messageOf(err);
  const message = password && given.includes(password) ? code || 'unknown error' : given;
  if (code === 'ERR_INVALID_URL') {
    return new ConfigError('DATABASE_URL', 'is not a valid URL: write it as postgres://user:password@host:5432/database, with special characters percent-encoded');
  }
  if (code in NETWORK_CAUSES) return new ConfigError('DATABASE_URL', `cannot connect to ${server} (${NETWORK_CAUSES[code]})`);
  if (/timeout/i.test(given)) return new ConfigError('DATABASE_URL', `cannot connect to ${server} (no answer within 3 s)`);
  if (/terminated unexpectedly/i.test(given)) return new ConfigError('DATABASE_URL', `cannot connect to ${server} (the server closed the connection)`);
  // Server errors (wrong role, password or database name; too many clients) explain themselves.
  if (/^[0-9A-Z]{5}$/.test(code)) return new ConfigError('DATABASE_URL', `${message} (at ${server})`);
  return new ConfigError('DATABASE_URL', `cannot connect to ${server} (${message})`);
}
