import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** User + system CPU time of the whole process (all threads), in ms. */
  cpuMs: number;
  /** Resident set size now and its peak (VmHWM), in MB. */
  rssMb: number;
  peakRssMb: number;
}

/** CPU time and memory of any process on this machine, from /proc (Linux). */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / CLK_TCK, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Resets a process's peak RSS (VmHWM) to its current RSS, so a phase reports its own peak; best effort. */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted (another user's process, or an old kernel): the peak then covers the process's lifetime.
  }
}

export interface Child {
  pid: number;
  /** The last lines the process printed (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A free TCP port on loopback (for services that must know their public URL before they start). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a Node process and waits until it is ready: until `readyUrl` answers 200, or until it
 * prints a JSON line (returned). Killed when the bench exits.
 */
export async function startNode(
  args: string[],
  options: { env?: Record<string, string>; readyUrl?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<{ child: Child; line: Record<string, unknown> | null }> {
  const proc = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let tail = '';
  let firstLine: Record<string, unknown> | null = null;
  let onLine: (() => void) | null = null;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  proc.stderr.on('data', keep);
  proc.stdout.on('data', (chunk: Buffer) => {
    keep(chunk);
    if (!firstLine) {
      for (const line of tail.split('\n').slice(0, -1)) {
        if (!line.startsWith('{"')) continue;
        try {
          firstLine = JSON.parse(line) as Record<string, unknown>;
          onLine?.();
          break;
        } catch {
          // not our line
        }
      }
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => {
    running.delete(proc);
    resolve();
  }));
  const child: Child = {
    pid: proc.pid!,
    output: () => tail,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const failed = () => proc.exitCode !== null || proc.signalCode !== null;
  if (options.readyUrl) {
    for (;;) {
      if (failed()) throw new Error(`process exited before it was ready: ${args.join(' ')}\n${tail}`);
      if (Date.now() > deadline) break;
      const ok = await fetch(options.readyUrl).then((r) => r.ok, () => false);
      if (ok) return { child, line: null };
      await new Promise((r) => setTimeout(r, 100));
    }
  } else {
    await Promise.race([
      new Promise<void>((resolve) => (firstLine ? resolve() : (onLine = resolve))),
      exited,
      new Promise((r) => setTimeout(r, options.timeoutMs ?? 30_000)),
    ]);
    if (firstLine) return { child, line: firstLine };
  }
  await child.stop();
  throw new Error(`process did not become ready: ${args.join(' ')}\n${tail}`);
}
