/**
 * Helpers of the interop, attack and fault tests: launchers in this process or spawned, and the
 * launcher world of test/platform/harness.ts with its knobs (an IdP variant, the launcher's config
 * and database, what the IdP has registered for the launcher's client).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Config } from '../../src/config.ts';
import { platformRoutes } from '../../src/apps/launcher.ts';
import { startLauncherWorld, type LauncherWorld, type WorldOptions } from '../platform/harness.ts';
import { tempDir } from '../support/db.ts';
import { startRole, type RunningRole } from '../support/servers.ts';

export { CLIENT_ID, CLIENT_SECRET } from '../platform/harness.ts';

export interface LauncherOptions {
  databaseUrl?: string | null;
  config?: Partial<Config>;
  /** Instances that share a database must share the master secret (64 hex chars). */
  secretKey?: string;
}

/** A launcher in this process; instances sharing a database pass the same `secretKey`. */
export function startLauncher(options: LauncherOptions = {}): Promise<RunningRole> {
  return startRole('platform', platformRoutes, {
    databaseUrl: options.databaseUrl, secretKey: options.secretKey, config: { dataDir: tempDir(), ...options.config },
  });
}

export interface SpawnedLauncher {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote (JSON log lines). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after 10 s. */
  close(): Promise<void>;
}

/** A free loopback port (listen on 0, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The launcher as it runs in production: `node bin/lti-launcher.js platform`, configured by its environment. */
export async function spawnLauncher(env: Record<string, string>): Promise<SpawnedLauncher> {
  const port = env.PORT ?? String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'lti-launcher.js'), 'platform'], {
    env: {
      PATH: process.env.PATH!, HOST: '127.0.0.1', PORT: port, PUBLIC_URL: url, DATA_DIR: tempDir(), LOG_LEVEL: 'warn',
      ADMIN_PASSWORD: 'test-admin-password', ALLOW_PRIVATE_URLS: 'true', ALLOW_INSECURE_IDP: 'true', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`launcher exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`launcher did not get ready: ${out}`);
    }
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => out,
    exited,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export type { WorldOptions } from '../platform/harness.ts';
export { adminClient } from '../platform/harness.ts';
export type World = LauncherWorld;

export function startWorld(options: WorldOptions = {}): Promise<World> {
  return startLauncherWorld(options.databaseUrl ?? null, options);
}

/** Latest launch-log entries (newest first) for a failure code. */
export async function launchLog(world: { admin: World['admin'] }, query: string): Promise<any[]> {
  const res = await world.admin(`/launches?${query}`);
  return ((await res.json()) as { launches: any[] }).launches;
}
