import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'lti-launcher.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node bin/lti-launcher.js …` as a real child process, with only PATH and the given variables in
 * its environment (so nothing of the test runner's configuration leaks in). A command that
 * starts serving by mistake is stopped after 30 s and shows up as status null.
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH!, ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every entry under dir with its size and modification time, and dir's own: any change shows. */
export function listing(dir: string): string[] {
  const entries = [`. ${statSync(dir).mtimeMs}`];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, name));
    entries.push(`${name} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`);
  }
  return entries.sort();
}
