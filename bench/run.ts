/**
 * Performance bench (issue 7): `npm run bench [-- options]`. Not part of `npm test`.
 *
 *   (default)           full run: RS256 floor, launcher at concurrency 1/16/64 and at 70% of its
 *                       maximum, gateway vs ltijs; SQLite, and Postgres when TEST_DATABASE_URL is set
 *   --quick             short runs to check the harness (figures are rough)
 *   --soak              5 minutes at 50% of the measured maximum, launcher then gateway: RSS,
 *                       database size and rows sampled every 10 s (--soak-seconds N, --soak-rate N)
 *   --only a,b          launcher, floor, token, gateway, scores (the launcher's and, through the
 *                       gateway, an app's), gateway-scores (default: all)
 *   --db sqlite|postgres
 *   --no-record         print only; do not append to bench/RESULTS.md
 *   --cpu-prof DIR      the launcher and gateway processes write V8 CPU profiles into DIR
 *   --role-node-options "FLAGS"
 *                       NODE_OPTIONS for the launcher and gateway processes only, e.g. heap limits
 *   --baseline REF [--rounds N]
 *                       before/after: this tree's bench and REF's, alternately, N runs each (bench/compare.ts)
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { compareWithBaseline } from './compare.ts';
import { measureFloor, measureVerifyFloor, type FloorResult } from './floor.ts';
import type { StepTimes } from './driver.ts';
import { GATEWAY_STEPS, GATEWAY_TABLES, startGatewayWorld, startLtijsWorld, type ToolWorld } from './gatewayBench.ts';
import { LAUNCHER_STEPS, LAUNCHER_TABLES, startLauncherWorld } from './launcherBench.ts';
import { sampleProcess } from './procStats.ts';
import { TOKEN_STEPS, startTokenWorld } from './tokenBench.ts';
import { SCORE_STEPS, startScoresWorld } from './scoresBench.ts';
import { GATEWAY_SCORE_STEPS, startGatewayScoresWorld } from './gatewayScoresBench.ts';
import { ROOT, measure, storageStats, type Dialect, type LevelResult, type Storage } from './services.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const option = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
if (option('--cpu-prof')) process.env.BENCH_CPU_PROF = option('--cpu-prof');
if (option('--role-node-options')) process.env.BENCH_ROLE_NODE_OPTIONS = option('--role-node-options');
const only = (option('--only') ?? 'floor,launcher,token,gateway,scores').split(',');
const dialects: Dialect[] = option('--db') ? [option('--db') as Dialect] : process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const T = quick ? { warmupMs: 1000, durationMs: 3000, floorCpuMs: 1000 } : { warmupMs: 3000, durationMs: 15_000, floorCpuMs: 5000 };
const LEVELS = [1, 16, 64];
const out: string[] = [];

function print(line = ''): void {
  out.push(line);
  process.stdout.write(`${line}\n`);
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const pp = (r: LevelResult, step: string) => (r.steps[step] ? `${f(r.steps[step].p50)} / ${f(r.steps[step].p99)}` : '–');

function table(headers: string[], rows: string[][]): void {
  print(`| ${headers.join(' | ')} |`);
  print(`|${headers.map(() => '---').join('|')}|`);
  for (const row of rows) print(`| ${row.join(' | ')} |`);
  print();
}

function errorsOf(results: LevelResult[]): void {
  for (const r of results) if (r.errors) print(`- ${r.label}: ${r.errors} errors, first: ${r.firstErrors.join(' · ')}`);
}

/** Runs a closed-loop level per concurrency, then an open-loop run at `rateFraction` of the best rate. */
async function levels(label: string, pid: number, iteration: () => Promise<StepTimes>, rateFraction?: number): Promise<LevelResult[]> {
  const results: LevelResult[] = [];
  for (const c of LEVELS) {
    process.stderr.write(`  ${label}: concurrency ${c}…\n`);
    results.push(await measure(`${label} c=${c}`, pid, iteration, { concurrency: c, ...T }));
  }
  if (rateFraction) {
    const rate = Math.max(...results.map((r) => r.launchesPerSec)) * rateFraction;
    process.stderr.write(`  ${label}: ${f(rate)} launches/s (${rateFraction * 100}% of max)…\n`);
    results.push(await measure(`${label} @${rateFraction * 100}%`, pid, iteration, { concurrency: 64, rate, ...T }));
  }
  return results;
}

async function floorSection(): Promise<FloorResult> {
  process.stderr.write('floor: RS256 signatures…\n');
  const floor = await measureFloor(T.floorCpuMs);
  print('### Floor: RS256 signatures (jose SignJWT, RSA-2048, one at a time)');
  print();
  print(`${f(floor.signsPerCpuSec, 0)} signatures per CPU-second (${f(floor.cpuMsPerSign, 3)} CPU-ms each, ${floor.signatures} signed).`);
  print();
  return floor;
}

async function launcherSection(floor: FloorResult | null): Promise<void> {
  print('### Launcher: complete launches (launch → IdP → callback → tool login → /auth form)');
  print();
  print('Latencies in ms, p50 / p99 (`idp` is the bench IdP, in its own process and not counted in CPU). CPU and peak RSS are the launcher process\'s.');
  print();
  const rows: string[][] = [];
  const all: LevelResult[] = [];
  for (const dialect of dialects) {
    process.stderr.write(`launcher (${dialect})…\n`);
    const world = await startLauncherWorld(dialect);
    try {
      await world.iteration(true); // one launch checked end to end, id_token verified like a tool
      const results = await levels(`launcher ${dialect}`, world.role.child.pid, () => world.iteration(), 0.7);
      all.push(...results);
      for (const r of results) {
        rows.push([
          dialect, r.targetRate ? `open loop ${f(r.targetRate, 0)}/s` : `c=${r.concurrency}`, f(r.launchesPerSec), String(r.errors),
          ...LAUNCHER_STEPS.map((s) => pp(r, s)), f(r.cpuMsPerLaunch, 2), f(r.launchesPerCpuSec, 0),
          floor ? `${f((100 * r.launchesPerCpuSec) / floor.signsPerCpuSec, 0)}%` : '–', f(r.cores, 2), f(r.peakRssMb, 0),
        ]);
      }
    } finally {
      await world.close();
    }
  }
  table(['DB', 'load', 'launches/s', 'errors', ...LAUNCHER_STEPS, 'CPU-ms/launch', 'launches/CPU-s', 'of RS256 floor', 'cores used', 'peak RSS MB'], rows);
  errorsOf(all);
  print('Targets: launches per CPU-second ≥ 50% of RS256 signatures per CPU-second; p99 per step < 10 ms at 70% of the maximum rate; RSS < 150 MB.');
  print();
}

/**
 * The token endpoint (issue 16): client-credentials token requests, each with a new RS256 client
 * assertion, against the floor of its work — one RS256 verification — measured in the same run.
 */
async function tokenSection(): Promise<void> {
  process.stderr.write('token floor: RS256 verifications…\n');
  const floor = await measureVerifyFloor(T.floorCpuMs);
  print('### Token endpoint: access tokens (POST /token, a new RS256 client assertion each)');
  print();
  print(`Floor: ${f(floor.verifiesPerCpuSec, 0)} RS256 verifications per CPU-second (jose compactVerify, RSA-2048, one at a time, ${floor.verifications} verified).`);
  print();
  print('Latencies in ms, p50 / p99. The bench client signs the assertions (not counted); CPU and peak RSS are the launcher process\'s.');
  print();
  const rows: string[][] = [];
  const all: LevelResult[] = [];
  for (const dialect of dialects) {
    process.stderr.write(`token (${dialect})…\n`);
    const world = await startTokenWorld(dialect);
    try {
      await world.iteration(true); // one token checked: Bearer, the scopes asked
      const results = await levels(`token ${dialect}`, world.role.child.pid, () => world.iteration());
      all.push(...results);
      for (const r of results) {
        rows.push([
          dialect, `c=${r.concurrency}`, f(r.launchesPerSec), String(r.errors), ...TOKEN_STEPS.map((s) => pp(r, s)),
          f(r.cpuMsPerLaunch, 2), f(r.launchesPerCpuSec, 0), f(r.launchesPerCpuSec / floor.verifiesPerCpuSec, 2), f(r.cores, 2), f(r.peakRssMb, 0),
        ]);
      }
    } finally {
      await world.close();
    }
  }
  table(['DB', 'load', 'tokens/s', 'errors', ...TOKEN_STEPS, 'CPU-ms/token', 'tokens/CPU-s', 'tokens/CPU-s ÷ RS256 verifications/CPU-s', 'cores used', 'peak RSS MB'], rows);
  errorsOf(all);
}

/** AGS score posts (issue 16): scores per CPU-second at concurrency 16, each accepted and written with its result. */
async function scoresSection(): Promise<void> {
  print('### AGS: score posts (POST …/lineitems/:id/scores, each a later timestamp, FullyGraded, one transaction)');
  print();
  print('Latencies in ms, p50 / p99. CPU and peak RSS are the launcher process\'s.');
  print();
  const rows: string[][] = [];
  const all: LevelResult[] = [];
  for (const dialect of dialects) {
    process.stderr.write(`scores (${dialect})…\n`);
    const world = await startScoresWorld(dialect);
    try {
      await world.iteration(true);
      for (const concurrency of [1, 16]) {
        process.stderr.write(`  scores ${dialect}: concurrency ${concurrency}…\n`);
        const r = await measure(`scores ${dialect} c=${concurrency}`, world.role.child.pid, () => world.iteration(), { concurrency, ...T });
        all.push(r);
        rows.push([
          dialect, `c=${concurrency}`, f(r.launchesPerSec), String(r.errors), ...SCORE_STEPS.map((s) => pp(r, s)),
          f(r.cpuMsPerLaunch, 2), f(r.launchesPerCpuSec, 0), f(r.cores, 2), f(r.peakRssMb, 0),
        ]);
      }
    } finally {
      await world.close();
    }
  }
  table(['DB', 'load', 'scores/s', 'errors', ...SCORE_STEPS, 'CPU-ms/score', 'scores/CPU-s', 'cores used', 'peak RSS MB'], rows);
  errorsOf(all);
}

/** Score posts through the gateway (issue 17): an app's POST …/line_items/:id/scores, passed on to an LMS stand-in that answers at once. */
async function gatewayScoresSection(): Promise<void> {
  print('### Gateway: score posts of an app (POST <line_item_url>/scores, API key, the gateway\'s timestamp, the cached LMS token, the LMS stand-in answering at once)');
  print();
  print('Latencies in ms, p50 / p99. CPU and peak RSS are the gateway process\'s (the stand-in runs in the bench client).');
  print();
  const rows: string[][] = [];
  const all: LevelResult[] = [];
  for (const dialect of dialects) {
    process.stderr.write(`gateway scores (${dialect})…\n`);
    const world = await startGatewayScoresWorld(dialect);
    try {
      await world.iteration(true);
      for (const concurrency of [1, 16]) {
        process.stderr.write(`  gateway scores ${dialect}: concurrency ${concurrency}…\n`);
        const r = await measure(`gateway scores ${dialect} c=${concurrency}`, world.role.child.pid, () => world.iteration(), { concurrency, ...T });
        all.push(r);
        rows.push([
          dialect, `c=${concurrency}`, f(r.launchesPerSec), String(r.errors), ...GATEWAY_SCORE_STEPS.map((s) => pp(r, s)),
          f(r.cpuMsPerLaunch, 2), f(r.launchesPerCpuSec, 0), f(r.cores, 2), f(r.peakRssMb, 0),
        ]);
      }
      print(`The LMS stand-in received ${world.received()} score posts in all (warm-ups included), each passed on by the gateway.`);
      print();
    } finally {
      await world.close();
    }
  }
  table(['DB', 'load', 'scores/s', 'errors', ...GATEWAY_SCORE_STEPS, 'CPU-ms/score', 'scores/CPU-s', 'cores used', 'peak RSS MB'], rows);
  errorsOf(all);
}

async function gatewaySection(): Promise<void> {
  print('### Gateway vs ltijs: tool-side launches (login → launch validation → hand-off redeem)');
  print();
  print('Latencies in ms, p50 / p99 (`lms` is the bench client signing the id_token, RS256, in the client process). CPU and peak RSS are the server process\'s.');
  print();
  const rows: string[][] = [];
  const byName = new Map<string, LevelResult[]>();
  const run = async (start: () => Promise<ToolWorld>) => {
    const world = await start();
    process.stderr.write(`${world.name}…\n`);
    try {
      await world.iteration();
      const results = await levels(world.name, world.child.pid, () => world.iteration());
      byName.set(world.name, results);
      for (const r of results) {
        rows.push([world.name, `c=${r.concurrency}`, f(r.launchesPerSec), String(r.errors), ...GATEWAY_STEPS.map((s) => pp(r, s)), f(r.cpuMsPerLaunch, 2), f(r.launchesPerCpuSec, 0), f(r.cores, 2), f(r.peakRssMb, 0)]);
      }
    } finally {
      await world.close();
    }
  };
  for (const dialect of dialects) await run(() => startGatewayWorld(dialect));
  let ltijsProblem: string | null = null;
  try {
    await run(startLtijsWorld);
  } catch (err) {
    ltijsProblem = (err as Error).message.split('\n').slice(0, 3).join(' ');
  }
  table(['server', 'load', 'launches/s', 'errors', ...GATEWAY_STEPS, 'CPU-ms/launch', 'launches/CPU-s', 'cores used', 'peak RSS MB'], rows);
  errorsOf([...byName.values()].flat());
  if (ltijsProblem) {
    print(`ltijs could not run: ${ltijsProblem}`);
  } else {
    const ltijs = [...byName].find(([name]) => name.startsWith('ltijs'))!;
    const dialect = /\((\w+)\)/.exec(ltijs[0])![1];
    const gateway = byName.get(`gateway (${dialect})`);
    if (gateway) {
      const best = (rs: LevelResult[]) => Math.max(...rs.map((r) => r.launchesPerSec));
      print(`Gateway / ltijs on ${dialect}, same launches, same run: throughput at its best level ${f(best(gateway) / best(ltijs[1]), 1)}× ` +
        `(${f(best(gateway))} vs ${f(best(ltijs[1]))} launches/s); per level ${LEVELS.map((c, i) => `c=${c} ${f(gateway[i].launchesPerSec / ltijs[1][i].launchesPerSec, 1)}×`).join(', ')}; ` +
        `CPU per launch ${LEVELS.map((c, i) => `c=${c} ${f(ltijs[1][i].cpuMsPerLaunch / gateway[i].cpuMsPerLaunch, 1)}×`).join(', ')} less. Target ≥ 5×.`);
    }
  }
  print();
}

/** The soak: `seconds` at `fraction` of the maximum rate, sampling RSS, database size and rows every 10 s. */
async function soakOne(name: string, pid: number, storage: Storage, tables: string[], iteration: () => Promise<StepTimes>, seconds: number): Promise<void> {
  let rate = Number(option('--soak-rate') ?? 0);
  if (!rate) {
    process.stderr.write(`${name}: measuring the maximum rate…\n`);
    const max = await measure(`${name} max`, pid, iteration, { concurrency: 16, warmupMs: 1000, durationMs: 5000 });
    rate = max.launchesPerSec * 0.5;
    print(`${name}: maximum ${f(max.launchesPerSec)} launches/s at concurrency 16; soak at 50%: ${f(rate)} launches/s for ${seconds} s.`);
  } else {
    print(`${name}: soak at ${f(rate)} launches/s (given) for ${seconds} s.`);
  }
  print();
  let ok = 0;
  let failed = 0;
  const counted = async () => {
    try {
      const t = await iteration();
      ok += 1;
      return t;
    } catch (err) {
      failed += 1;
      throw err;
    }
  };
  // `state`: the tables that expire (everything but the launch log), with their indexes.
  const stateTables = tables.filter((t) => t !== 'launch_log');
  type Sample = { t: number; rss: number; bytes: number; state: number; log: number; rows: Record<string, number>; ok: number; failed: number };
  const samples: Sample[] = [];
  const sample = async (t: number) => {
    const stats = await storageStats(storage, tables);
    const state = stateTables.reduce((sum, name) => sum + (stats.tableBytes[name] ?? 0), 0);
    const s: Sample = { t, rss: sampleProcess(pid).rssMb, bytes: stats.bytes, state, log: stats.tableBytes.launch_log ?? 0, rows: stats.rows, ok, failed };
    samples.push(s);
    process.stderr.write(`  t=${Math.round(t / 1000)}s rss=${f(s.rss)}MB db=${f(s.bytes / 1e6, 2)}MB state=${f(state / 1e6, 2)}MB ${JSON.stringify(stats.rows)} ok=${ok} errors=${failed}\n`);
  };
  await sample(0);
  const result = await measure(`${name} soak`, pid, counted, { concurrency: 64, rate, warmupMs: 0, durationMs: seconds * 1000, tickMs: 10_000, onTick: (t) => sample(t) });
  await sample(seconds * 1000);
  table(['t (s)', 'launches', 'errors', 'RSS MB', 'DB file MB', 'expiring state MB', 'launch_log MB', ...tables.map((t) => `${t} rows`)], samples.map((s) => [
    String(Math.round(s.t / 1000)), String(s.ok), String(s.failed), f(s.rss), f(s.bytes / 1e6, 2), f(s.state / 1e6, 2), f(s.log / 1e6, 2),
    ...tables.map((t) => String(s.rows[t] ?? '–')),
  ]));
  // Level-off: the highest value in the last third against the highest in the middle third (a
  // sawtooth between housekeeping runs has the same peak in both once it has levelled off).
  const third = Math.max(1, Math.floor(samples.length / 3));
  const judge = (pick: (s: Sample) => number) => {
    const mid = Math.max(...samples.slice(third, 2 * third).map(pick));
    const last = Math.max(...samples.slice(2 * third).map(pick));
    const verdict = samples.length < 9 ? 'too short to judge' : last <= mid * 1.05 ? 'levels off' : 'still growing';
    return { mid, last, verdict };
  };
  const rss = judge((s) => s.rss);
  print(`${name}: ${result.launches} launches, ${result.errors} errors; ${f(result.launchesPerSec)} launches/s; p99 ${Object.entries(result.steps).map(([k, v]) => `${k} ${f(v.p99)}`).join(', ')} ms; ` +
    `RSS peak ${f(result.peakRssMb, 0)} MB, max ${f(rss.mid)} MB in the middle third vs ${f(rss.last)} MB in the last (${rss.verdict}).`);
  const state = judge((s) => s.state);
  const rows = stateTables.map((t) => ({ t, ...judge((s) => s.rows[t] ?? 0) }));
  print(`${name}: expiring state (${stateTables.join(', ')}) max ${f(state.mid / 1e6, 2)} MB in the middle third vs ${f(state.last / 1e6, 2)} MB in the last (${state.verdict}); ` +
    `rows ${rows.map((r) => `${r.t} ${r.mid} → ${r.last} (${r.verdict})`).join(', ')}.`);
  const last = samples.at(-1)!;
  const launches = Math.max(1, last.ok);
  print(`${name}: the launch log grows ${f((last.log - samples[0].log) / launches, 0)} bytes per launch (kept LAUNCH_LOG_RETENTION_DAYS); the database file ${f(samples[0].bytes / 1e6, 2)} → ${f(last.bytes / 1e6, 2)} MB, ${f((last.bytes - samples[0].bytes) / launches, 0)} bytes per launch overall.`);
  print();
}

async function soakSection(): Promise<void> {
  const seconds = Number(option('--soak-seconds') ?? 300);
  const dialect = dialects[0];
  // Short lifetimes, so that every kind of expiring row expires (and is deleted) well inside the soak.
  const env = { LOGIN_STATE_TTL_SECONDS: '60', ID_TOKEN_LIFETIME_SECONDS: '60' };
  print(`### Soak (${dialect}, ${seconds} s each, LOGIN_STATE_TTL_SECONDS=60, ID_TOKEN_LIFETIME_SECONDS=60, LMS id_tokens valid 60 s; housekeeping every 60 s)`);
  print();
  if (only.includes('launcher')) {
    const world = await startLauncherWorld(dialect, env);
    try {
      await soakOne('launcher', world.role.child.pid, world.role.storage, LAUNCHER_TABLES, () => world.iteration(), seconds);
    } finally {
      await world.close();
    }
  }
  if (only.includes('gateway')) {
    const world = await startGatewayWorld(dialect, env, { tokenLifetimeSeconds: 60 });
    try {
      await soakOne('gateway', world.child.pid, world.storage!, GATEWAY_TABLES, () => world.iteration(), seconds);
    } finally {
      await world.close();
    }
  }
  print('Expiry in this soak: launcher pending launches and login hints 60 s, nonces 120 s (2 × id_token lifetime); gateway login states and hand-off codes 60 s, nonces until the id_token\'s exp + 10 s skew. Housekeeping deletes expired rows every 60 s, so each table levels off between rate × expiry and rate × (expiry + 60 s). With the defaults (600 s login states, 300 s login hints and id_tokens, 600 s nonces) the same holds at about five times the rows. `launch_log` entries are kept LAUNCH_LOG_RETENTION_DAYS (30 days by default), so that table, and the file, grow through any soak; the expiring state and RSS must level off.');
  print();
}

async function main(): Promise<void> {
  const started = new Date();
  const command = `npm run bench${argv.length ? ` -- ${argv.map((a) => (a.includes(' ') ? `"${a}"` : a)).join(' ')}` : ''}`;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  print(`## ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC — \`${command}\`${quick ? ' (quick: short, rough figures)' : ''}`);
  print();
  print(`Machine: ${availableParallelism()} cores, ${cpu}, ${f(totalmem() / 2 ** 30, 0)} GiB; Node ${process.version}; databases: ${dialects.join(', ')}${process.env.TEST_DATABASE_URL ? '' : ' (Postgres skipped: TEST_DATABASE_URL is not set)'}` +
    `${process.env.BENCH_ROLE_NODE_OPTIONS ? `; the measured services run with NODE_OPTIONS="${process.env.BENCH_ROLE_NODE_OPTIONS}"` : ''}.`);
  print();
  if (option('--baseline')) {
    await compareWithBaseline(ROOT, argv, print);
  } else if (flag('--soak')) {
    await soakSection();
  } else {
    const floor = only.includes('floor') || only.includes('launcher') ? await floorSection() : null;
    if (only.includes('launcher')) await launcherSection(floor);
    if (only.includes('token')) await tokenSection();
    if (only.includes('gateway')) await gatewaySection();
    if (only.includes('scores')) await scoresSection();
    if (only.includes('scores') || only.includes('gateway-scores')) await gatewayScoresSection();
  }
  print(`Finished in ${f((Date.now() - started.getTime()) / 1000, 0)} s.`);
  print();
  if (!flag('--no-record')) {
    const file = join(ROOT, 'bench/RESULTS.md');
    if (!existsSync(file)) writeFileSync(file, '# Bench results\n\nAppended by `npm run bench` (see bench/run.ts); newest last.\n\n');
    appendFileSync(file, `${out.join('\n')}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
