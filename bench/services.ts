import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { runLoad, type LoadOptions, type StepTimes } from './driver.ts';
import { freePort, resetPeakRss, sampleProcess, startNode, type Child } from './procStats.ts';

export type Dialect = 'sqlite' | 'postgres';
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ADMIN_PASSWORD = 'bench-admin-password';

/**
 * Where a role keeps its data for one run: a temp dir, and on Postgres a schema of its own in the
 * TEST_DATABASE_URL database (`bench_<random>`, selected by the connection's search_path), dropped
 * after the run, so two runs or a test run at the same time never share rows.
 */
export interface Storage {
  dialect: Dialect;
  dataDir: string;
  databaseUrl: string | null;
  schema: string | null;
}

export async function freshStorage(dialect: Dialect): Promise<Storage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lti-bench-'));
  if (dialect === 'sqlite') return { dialect, dataDir, databaseUrl: null, schema: null };
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('Postgres runs need TEST_DATABASE_URL');
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await onBase(base, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { dialect, dataDir, databaseUrl: url.href, schema };
}

export function schemaOf(storage: Storage): string | null {
  return storage.schema;
}

export async function dropStorage(storage: Storage): Promise<void> {
  rmSync(storage.dataDir, { recursive: true, force: true });
  if (storage.schema) await onBase(process.env.TEST_DATABASE_URL!, (client) => client.query(`DROP SCHEMA IF EXISTS ${storage.schema} CASCADE`));
}

async function onBase(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

export interface StorageStats {
  /** The whole database on disk: SQLite's files (with the WAL), or the schema's relations. */
  bytes: number;
  rows: Record<string, number>;
  /** Bytes in use by each of the given tables with its indexes (SQLite pages, or Postgres relation sizes). */
  tableBytes: Record<string, number>;
}

/** Size of the database, and rows and bytes of the given tables. */
export async function storageStats(storage: Storage, tables: string[]): Promise<StorageStats> {
  const rows: Record<string, number> = {};
  const tableBytes: Record<string, number> = {};
  const schema = schemaOf(storage);
  if (!schema) {
    let bytes = 0;
    for (const name of readdirSync(storage.dataDir)) if (name.includes('.sqlite')) bytes += statSync(join(storage.dataDir, name)).size;
    const file = readdirSync(storage.dataDir).find((n) => n.endsWith('.sqlite'));
    if (file) {
      const db = new Database(join(storage.dataDir, file), { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      try {
        for (const t of tables) rows[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
        // Pages in use per table and index (free pages, which later writes reuse, are in no table).
        const owner = new Map((db.prepare(`SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')`).all() as Array<{ name: string; tbl_name: string }>).map((r) => [r.name, r.tbl_name]));
        for (const { name, size } of db.prepare(`SELECT name, sum(pgsize) AS size FROM dbstat GROUP BY name`).all() as Array<{ name: string; size: number }>) {
          const table = owner.get(name) ?? name;
          if (tables.includes(table)) tableBytes[table] = (tableBytes[table] ?? 0) + size;
        }
      } finally {
        db.close();
      }
    }
    return { bytes, rows, tableBytes };
  }
  const client = new pg.Client({ connectionString: storage.databaseUrl! });
  await client.connect();
  try {
    const size = await client.query(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    for (const t of tables) {
      rows[t] = Number((await client.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
      const bytes = await client.query(`SELECT pg_total_relation_size(format('%I.%I', $1::text, $2::text)::regclass)::bigint AS bytes`, [schema, t]);
      tableBytes[t] = Number(bytes.rows[0].bytes);
    }
    return { bytes: Number(size.rows[0].bytes), rows, tableBytes };
  } finally {
    await client.end();
  }
}

export interface RunningRole {
  url: string;
  child: Child;
  storage: Storage;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `lti-launcher platform|tool` from the CLI in its own process, on a free port. */
export async function startRole(role: 'platform' | 'tool', storage: Storage, extraEnv: Record<string, string> = {}): Promise<RunningRole> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // `--cpu-prof DIR` on the bench: the role writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const { child } = await startNode([...profile, join(ROOT, 'bin/lti-launcher.js'), role], {
    cwd: ROOT,
    readyUrl: `${url}/readyz`,
    env: {
      PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: storage.dataDir, DATABASE_URL: storage.databaseUrl ?? '',
      ADMIN_PASSWORD, ALLOW_PRIVATE_URLS: 'true', ALLOW_INSECURE_IDP: 'true', LOG_LEVEL: 'warn',
      // `--role-node-options`: V8 flags for the measured service only (not the bench client or IdP).
      ...(process.env.BENCH_ROLE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_ROLE_NODE_OPTIONS } : {}),
      ...extraEnv,
    },
  });
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  return {
    url,
    child,
    storage,
    async admin(method, path, body) {
      const res = await fetch(`${url}/admin/api/v1${path}`, {
        method,
        headers: { authorization: auth, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`admin ${method} ${path}: HTTP ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    async stop() {
      await child.stop();
    },
  };
}

export interface StepSummary {
  p50: number;
  p99: number;
}

export interface LevelResult {
  label: string;
  concurrency: number;
  targetRate: number | null;
  launches: number;
  errors: number;
  firstErrors: string[];
  launchesPerSec: number;
  cpuMsPerLaunch: number;
  /** Launches per CPU-second of the measured process. */
  launchesPerCpuSec: number;
  /** CPU use of the measured process over the window, in cores (1.0 = one core busy). */
  cores: number;
  peakRssMb: number;
  steps: Record<string, StepSummary>;
}

/** Drives `iteration` and measures the server process `pid` (CPU time and peak RSS) over the measured window. */
export async function measure(label: string, pid: number, iteration: () => Promise<StepTimes>, options: LoadOptions): Promise<LevelResult> {
  let cpuStart = 0;
  let cpuEnd = 0;
  let wallStart = 0;
  let wallEnd = 0;
  const load = await runLoad(iteration, {
    ...options,
    onWindow(edge) {
      if (edge === 'start') {
        resetPeakRss(pid);
        cpuStart = sampleProcess(pid).cpuMs;
        wallStart = performance.now();
      } else {
        cpuEnd = sampleProcess(pid).cpuMs;
        wallEnd = performance.now();
      }
      options.onWindow?.(edge);
    },
  });
  const cpuMs = cpuEnd - cpuStart;
  const steps: Record<string, StepSummary> = {};
  for (const [name, h] of load.steps) steps[name] = { p50: h.percentile(50), p99: h.percentile(99) };
  return {
    label,
    concurrency: options.concurrency,
    targetRate: options.rate ?? null,
    launches: load.completed,
    errors: load.errors,
    firstErrors: load.firstErrors,
    launchesPerSec: load.rate,
    cpuMsPerLaunch: load.completed ? cpuMs / load.completed : NaN,
    launchesPerCpuSec: cpuMs ? (load.completed * 1000) / cpuMs : NaN,
    cores: cpuMs / (wallEnd - wallStart),
    peakRssMb: sampleProcess(pid).peakRssMb,
    steps,
  };
}
