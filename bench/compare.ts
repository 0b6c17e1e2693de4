/**
 * Before/after bench (issue 15's "no launch got slower"): `npm run bench -- --baseline <git ref>`.
 * The baseline is checked out into a temporary git worktree (sharing this checkout's
 * node_modules), then the two trees' own `bench/run.ts` run alternately, ABBA…, `--rounds` times
 * each (default 3), with the same options, in this one script run on this one machine. Each run's
 * tables are read back by their headings and the medians compared row by row. The machine's speed
 * drifts between runs, so the ltijs rows (the same code in both trees) are the control: a change
 * smaller than their spread is noise.
 *
 *   --baseline REF      the commit to compare against (required)
 *   --candidate REF     compare that commit instead of this tree (checked out the same way), to
 *                       measure one change on its own
 *   --rounds N          runs per tree (default 3); without --candidate the after side is this
 *                       tree as it is on disk at each run: leave it alone meanwhile
 *   --quick, --db D, --only a,b (default launcher,gateway)   passed on to both trees' bench
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One row of a bench table: where it ran (`DB`/`server` and `load` columns) and its figures. */
export interface BenchRow {
  key: string;
  launchesPerSec: number;
  cpuMsPerLaunch: number;
}

const RATE_COLUMNS = ['launches/s', 'tokens/s', 'scores/s'];
const CPU_COLUMNS = ['CPU-ms/launch', 'CPU-ms/token', 'CPU-ms/score'];

/**
 * Reads the rows of every markdown table that has a throughput and a CPU column. The open-loop
 * rows are left out: their target rate comes from the same run's maximum, so the two trees' rows
 * are not the same load.
 */
export function parseBenchTables(output: string): BenchRow[] {
  const rows: BenchRow[] = [];
  let header: string[] | null = null;
  for (const line of output.split('\n')) {
    if (!line.startsWith('|')) {
      header = null;
      continue;
    }
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim());
    if (header === null) {
      header = cells;
      continue;
    }
    if (cells.every((c) => /^-+$/.test(c))) continue;
    const rate = header.findIndex((h) => RATE_COLUMNS.includes(h));
    const cpu = header.findIndex((h) => CPU_COLUMNS.includes(h));
    if (rate < 0 || cpu < 0 || cells[1]?.startsWith('open loop') || (cells[1] ?? '').startsWith('@')) continue;
    rows.push({ key: `${header[rate]} · ${cells[0]} ${cells[1]}`, launchesPerSec: Number(cells[rate]), cpuMsPerLaunch: Number(cells[cpu]) });
  }
  return rows;
}

export function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The comparison table: per row, the medians of both trees and after ÷ before. */
export function compareRuns(before: BenchRow[][], after: BenchRow[][]): string[][] {
  const keys = [...new Set([...before.flat(), ...after.flat()].map((r) => r.key))];
  const of = (runs: BenchRow[][], key: string, pick: (r: BenchRow) => number) =>
    runs.flatMap((rows) => rows.filter((r) => r.key === key).map(pick));
  const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  return keys.map((key) => {
    const rateBefore = of(before, key, (r) => r.launchesPerSec);
    const rateAfter = of(after, key, (r) => r.launchesPerSec);
    const cpuBefore = of(before, key, (r) => r.cpuMsPerLaunch);
    const cpuAfter = of(after, key, (r) => r.cpuMsPerLaunch);
    return [
      key,
      `${f(median(rateBefore), 1)} (${rateBefore.map((v) => f(v, 0)).join(', ')})`,
      `${f(median(rateAfter), 1)} (${rateAfter.map((v) => f(v, 0)).join(', ')})`,
      f(median(rateAfter) / median(rateBefore), 2),
      `${f(median(cpuBefore), 2)} → ${f(median(cpuAfter), 2)}`,
      f(median(cpuAfter) / median(cpuBefore), 2),
    ];
  });
}

function run(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const build = spawnSync(process.execPath, ['bin/build.js'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) return reject(new Error(`build failed in ${cwd}`));
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bench exited with ${code} in ${cwd}`))));
  });
}

/** Runs the comparison; the markdown section it made. */
export async function compareWithBaseline(root: string, argv: string[], print: (line?: string) => void): Promise<void> {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const ref = option('--baseline')!;
  const candidate = option('--candidate');
  const rounds = Number(option('--rounds') ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
  const commitOf = (name: string, r: string) => {
    const resolved = spawnSync('git', ['rev-parse', '--verify', `${r}^{commit}`], { cwd: root, encoding: 'utf8' });
    if (resolved.status !== 0) throw new Error(`${name} ${r}: not a commit of this repository`);
    return resolved.stdout.trim();
  };
  const sha = commitOf('--baseline', ref);
  const candidateSha = candidate ? commitOf('--candidate', candidate) : null;
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty = !candidate && spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
  const passed = ['--no-record', '--only', option('--only') ?? 'launcher,gateway'];
  if (argv.includes('--quick')) passed.push('--quick');
  if (option('--db')) passed.push('--db', option('--db')!);

  const trees: string[] = [];
  /** A commit checked out beside this tree, sharing its node_modules. */
  const checkout = (commit: string, name: string) => {
    const tree = join(mkdtempSync(join(tmpdir(), `lti-bench-${name}-`)), 'tree');
    const added = spawnSync('git', ['worktree', 'add', '--detach', tree, commit], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (added.status !== 0) throw new Error(`could not check out ${commit} into a worktree`);
    trees.push(tree);
    if (!existsSync(join(tree, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
    return tree;
  };
  try {
    const tree = checkout(sha, 'baseline');
    const after = candidateSha ? checkout(candidateSha, 'candidate') : root;
    const before: BenchRow[][] = [];
    const afterRuns: BenchRow[][] = [];
    for (let round = 0; round < rounds; round++) {
      // ABBA: neither tree always runs first, so a drift in the machine's speed falls on both.
      const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const side of order) {
        process.stderr.write(`compare: round ${round + 1}/${rounds}, ${side === 'before' ? ref : candidate ?? 'this tree'}…\n`);
        const rows = parseBenchTables(await run(side === 'before' ? tree : after, passed));
        (side === 'before' ? before : afterRuns).push(rows);
      }
    }
    const afterName = candidateSha ? `${candidate} (${candidateSha.slice(0, 7)})` : `${head}${dirty ? ' with uncommitted changes' : ''}`;
    print(`### Before/after: ${ref} (${sha.slice(0, 7)}) vs ${afterName}, ${rounds} runs each, ABBA, \`${passed.join(' ')}\``);
    print();
    print('Medians of the runs (each run\'s figure in brackets). after ÷ before > 1 for throughput and < 1 for CPU is better. The ltijs rows run the same code in both trees: their ratios show the machine\'s drift.');
    print();
    const rows = compareRuns(before, afterRuns);
    print('| row | before /s | after /s | after ÷ before | CPU-ms per request, before → after | after ÷ before |');
    print('|---|---|---|---|---|---|');
    for (const row of rows) print(`| ${row.join(' | ')} |`);
    print();
  } finally {
    for (const tree of trees) {
      spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
      rmSync(join(tree, '..'), { recursive: true, force: true });
    }
  }
}
