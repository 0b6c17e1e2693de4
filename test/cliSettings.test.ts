import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listing, runCli, type CliResult } from './support/cli.ts';
import { tempDir } from './support/db.ts';

/**
 * A bad setting stops a command at start with one line per problem, each naming its variable,
 * exit code 1, and never a stack trace.
 */
function expectProblems(r: CliResult, variables: string[]): void {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).not.toContain('    at ');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(variables.length);
  const named = lines.map((line) => /^lti-launcher: ([A-Z_]+): \S/.exec(line)?.[1] ?? line);
  expect(named.sort()).toEqual([...variables].sort());
}

/** A port nothing listens on: taken from the system, then given back. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const SERVE = { PORT: '0', HOST: '127.0.0.1' };

describe('bad settings at start', () => {
  it('KEY_ROTATION_DAYS out of range names the allowed range', () => {
    const r = runCli(['platform'], { env: { ...SERVE, DATA_DIR: tempDir(), KEY_ROTATION_DAYS: '-1' } });
    expectProblems(r, ['KEY_ROTATION_DAYS']);
    expect(r.stderr).toContain('KEY_ROTATION_DAYS: must be a whole number from 1 to 3650, got -1');
  });

  it('TRUST_PROXY that is not true, false or addresses', () => {
    const r = runCli(['platform'], { env: { ...SERVE, DATA_DIR: tempDir(), TRUST_PROXY: 'banana' } });
    expectProblems(r, ['TRUST_PROXY']);
    expect(r.stderr).toContain('got "banana"');
  });

  it('several bad values: one line each', () => {
    const r = runCli(['tool'], { env: { PORT: 'x', DATA_DIR: tempDir(), TRUST_PROXY: '10.0.0.1/99', LOG_LEVEL: 'loud' } });
    expectProblems(r, ['PORT', 'TRUST_PROXY', 'LOG_LEVEL']);
    expect(r.stderr).toContain('PORT: must be a whole number from 0 to 65535, got "x"');
  });

  it('PORT already in use', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const r = runCli(['tool'], { env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: tempDir() } });
      expectProblems(r, ['PORT']);
      expect(r.stderr).toContain(`${port} is already in use`);
    } finally {
      server.close();
    }
  });

  it('HOST that is not an address of this machine', () => {
    // 192.0.2.0/24 is reserved for documentation: no machine has it, and no name lookup is needed.
    const r = runCli(['platform'], { env: { PORT: '0', HOST: '192.0.2.1', DATA_DIR: tempDir() } });
    expectProblems(r, ['HOST']);
  });

  it('DATA_DIR that is a file', () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, '');
    expectProblems(runCli(['migrate'], { env: { DATA_DIR: file } }), ['DATA_DIR']);
    expectProblems(runCli(['platform'], { env: { ...SERVE, DATA_DIR: join(file, 'data') } }), ['DATA_DIR']);
  });

  it('DATA_DIR holding a file that is not a SQLite database', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lti-launcher.sqlite'), randomBytes(4096));
    const r = runCli(['keys', 'list'], { env: { DATA_DIR: dir } });
    expectProblems(r, ['DATA_DIR']);
    expect(r.stderr).toContain('not a SQLite database');
  });

  it('DATA_DIR holding a master secret that is not one', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.key'), 'not hex\n');
    expectProblems(runCli(['keys', 'list'], { env: { DATA_DIR: dir } }), ['DATA_DIR']);
  });

  it('SECRET_KEY other than the one the stored keys were encrypted with', () => {
    const dir = tempDir();
    expect(runCli(['keys', 'list'], { env: { DATA_DIR: dir, SECRET_KEY: randomBytes(32).toString('hex') } }).status).toBe(0);
    const r = runCli(['platform'], { env: { ...SERVE, DATA_DIR: dir, SECRET_KEY: randomBytes(32).toString('hex') } });
    expectProblems(r, ['SECRET_KEY']);
    expect(r.stderr).toContain('does not decrypt the signing keys');
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('bad DATABASE_URL at start', () => {
  const PASSWORD = 'pw-never-shown-7f3a';
  let base: URL;
  beforeAll(() => {
    base = new URL(process.env.TEST_DATABASE_URL!);
  });

  /** TEST_DATABASE_URL with some parts replaced, and a password that must never be printed. */
  const variant = (change: (url: URL) => void) => {
    const url = new URL(base.href);
    url.password = PASSWORD;
    change(url);
    return url.href;
  };

  /** A serving command, migrate and keys list all fail with the same line, and create nothing. */
  const expectDatabaseProblem = (databaseUrl: string, expected: RegExp) => {
    for (const args of [['platform'], ['migrate'], ['keys', 'list']]) {
      const dataDir = tempDir();
      const before = listing(dataDir);
      const r = runCli(args, { env: { ...SERVE, DATA_DIR: dataDir, DATABASE_URL: databaseUrl } });
      expectProblems(r, ['DATABASE_URL']);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
      // The connection is checked before the master secret is generated into DATA_DIR.
      expect(listing(dataDir), args.join(' ')).toEqual(before);
    }
  };

  it('a port nothing listens on', async () => {
    const port = await freePort();
    const url = variant((u) => {
      u.hostname = '127.0.0.1';
      u.port = String(port);
    });
    expectDatabaseProblem(url, new RegExp(`DATABASE_URL: cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)$`, 'm'));
  });

  it('a role that does not exist', () => {
    const url = variant((u) => {
      u.username = 'nosuchrole';
    });
    expectDatabaseProblem(url, /DATABASE_URL: .*"nosuchrole"/);
  });

  it('a database that does not exist', () => {
    const url = variant((u) => {
      u.pathname = '/no_such_db_xyz';
    });
    expectDatabaseProblem(url, /DATABASE_URL: database "no_such_db_xyz" does not exist/);
  });

  it('a URL that does not parse', () => {
    expectDatabaseProblem(`postgres://user:${PASSWORD}@host:port/db`, /DATABASE_URL: is not a valid URL/);
  });
});
