import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/db.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'lti-launcher.js');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH!, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });

describe('lti-launcher command', () => {
  it('prints help', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('keys rotate');
    expect(r.stdout).toContain('platform');
  });

  it('refuses an unknown command with exit code 2', () => {
    const r = run(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command');
  });

  it('names every bad environment value and exits non-zero', () => {
    const r = run(['migrate'], { PORT: 'x', DATABASE_URL: 'mysql://nope', SECRET_KEY: 'short' });
    expect(r.status).toBe(1);
    for (const name of ['PORT', 'DATABASE_URL', 'SECRET_KEY']) expect(r.stderr).toContain(name);
  });

  it('migrates, then rotates keys; the generated master secret is private to its owner', () => {
    const dataDir = tempDir();
    expect(run(['migrate'], { DATA_DIR: dataDir }).status).toBe(0);
    const list = run(['keys', 'list'], { DATA_DIR: dataDir });
    expect(list.status).toBe(0);
    // keys list serves no admin, so the missing ADMIN_PASSWORD is no concern of it.
    expect(list.stdout + list.stderr).not.toContain('ADMIN_PASSWORD');
    const current = /current\s+(\S+)/.exec(list.stdout)![1];
    const rotated = run(['keys', 'rotate'], { DATA_DIR: dataDir });
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(new RegExp(`previous\\s+${current}`));
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('serves the launcher and shuts down cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, [BIN, 'platform'], {
      env: { PATH: process.env.PATH!, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ADMIN_PASSWORD: 'test-admin-password' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listen line: ${out}`)), 30_000);
      child.stdout.on('data', () => {
        const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).not.toContain('ADMIN_PASSWORD is not set');
  });
});
