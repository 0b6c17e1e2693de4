import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** One keep-alive connection pool for every simulated browser (browsers share nothing else). */
const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP/1.1 request over node:http (cheaper per request than fetch, so the client steals less CPU). */
export function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers };
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const req = httpRequest(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A browser: its own cookies per host (name → value; paths and flags are not needed here). */
export class Session {
  private readonly jars = new Map<string, Map<string, string>>();

  async fetch(url: string, init: { method?: string; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<Reply> {
    const host = new URL(url).host;
    const jar = this.jars.get(host);
    const headers: Record<string, string> = { ...init.headers };
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const reply = await request(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
    for (const line of reply.headers['set-cookie'] ?? []) {
      const pair = line.slice(0, line.indexOf(';') >>> 0);
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const target = this.jars.get(host) ?? this.jars.set(host, new Map()).get(host)!;
      if (value === '' || /max-age=0\b/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) target.delete(name);
      else target.set(name, value);
    }
    return reply;
  }
}

export function expectStatus(reply: Reply, status: number, what: string): Reply {
  if (reply.status !== status) throw new Error(`${what}: HTTP ${reply.status} (expected ${status}): ${reply.body.slice(0, 300)}`);
  return reply;
}

export function location(reply: Reply): string {
  const value = reply.headers.location;
  if (!value) throw new Error(`HTTP ${reply.status} without a location`);
  return value;
}

/** Latencies of one step in ms; exact percentiles (runs are small enough to keep every sample). */
export class Histogram {
  private values: number[] = [];
  private sorted = true;

  add(ms: number): void {
    this.values.push(ms);
    this.sorted = false;
  }

  get count(): number {
    return this.values.length;
  }

  percentile(p: number): number {
    if (this.values.length === 0) return NaN;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return this.values[Math.min(this.values.length - 1, Math.ceil((p / 100) * this.values.length) - 1)];
  }
}

/** One iteration's timings: step name → ms. */
export type StepTimes = Record<string, number>;

/** Times an async step into a StepTimes record. */
export async function timed<T>(times: StepTimes, step: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    times[step] = performance.now() - start;
  }
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  /** Launches per second to aim at (open loop, at most `concurrency` in flight); unlimited when absent. */
  rate?: number;
  /** Called when the measured window opens and closes (CPU/RSS samples of the server). */
  onWindow?: (edge: 'start' | 'end') => void;
  /** Called every `tickMs` during the measured window (the soak's samples). */
  onTick?: (elapsedMs: number) => void | Promise<void>;
  tickMs?: number;
}

export interface LoadResult {
  completed: number;
  errors: number;
  firstErrors: string[];
  seconds: number;
  rate: number;
  steps: Map<string, Histogram>;
}

/**
 * Runs `iteration` from `concurrency` workers for warmup + duration; only iterations that start
 * inside the measured window count. Errors are counted (with the first few messages kept), not thrown.
 */
export async function runLoad(iteration: () => Promise<StepTimes>, options: LoadOptions): Promise<LoadResult> {
  const warmupMs = options.warmupMs ?? 0;
  const t0 = performance.now();
  const windowStart = t0 + warmupMs;
  const end = windowStart + options.durationMs;
  const steps = new Map<string, Histogram>();
  const result: LoadResult = { completed: 0, errors: 0, firstErrors: [], seconds: 0, rate: 0, steps };
  let slot = 0;
  let lastEnd = windowStart;
  let ticker: NodeJS.Timeout | undefined;
  const openWindow = setTimeout(() => {
    options.onWindow?.('start');
    if (options.onTick) {
      const tickStart = performance.now();
      ticker = setInterval(() => void options.onTick!(performance.now() - tickStart), options.tickMs ?? 10_000);
    }
  }, warmupMs);

  const worker = async () => {
    for (;;) {
      if (options.rate) {
        const due = t0 + (slot++ * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const now = performance.now();
      if (now >= end) return;
      const counted = now >= windowStart;
      try {
        const times = await iteration();
        if (counted) {
          result.completed += 1;
          for (const [step, ms] of Object.entries(times)) {
            (steps.get(step) ?? steps.set(step, new Histogram()).get(step)!).add(ms);
          }
        }
      } catch (err) {
        if (counted) {
          result.errors += 1;
          if (result.firstErrors.length < 5) result.firstErrors.push((err as Error).message);
        }
      }
      if (counted) lastEnd = performance.now();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearTimeout(openWindow);
  if (ticker) clearInterval(ticker);
  options.onWindow?.('end');
  // The window closes when the last counted iteration finishes (in-flight work ends after `end`).
  result.seconds = (Math.max(lastEnd, end) - windowStart) / 1000;
  result.rate = result.completed / result.seconds;
  return result;
}
