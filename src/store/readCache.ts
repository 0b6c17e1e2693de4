/**
 * Per-instance cache of the settings rows every launch reads (platforms and tools on the launcher,
 * registrations and apps on the gateway). They change only through the admin API or console, rarely,
 * while each launch reads them up to six times: caching them removes about half of a launch's
 * statements (bench/RESULTS.md).
 *
 * Consistency: a write on this instance clears the whole cache at once (`invalidate`), so the
 * instance that saved a change uses it for the very next request. Other instances sharing the
 * database see it within `ttlMs` (5 s, the key ring's cache too). Misses are not cached: a row
 * created on another instance is found at once. Values are frozen so no caller can change what the
 * next request will read.
 */
export const READ_CACHE_TTL_MS = 5_000;

interface Entry {
  expiresAt: number;
  value: Promise<unknown>;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every invalidation: a load that started before it never fills the cache. */
  private generation = 0;

  constructor(
    private readonly ttlMs = READ_CACHE_TTL_MS,
    private readonly maxEntries = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached value for `key`, or the result of `load` (shared by concurrent callers). A load that
   * fails or finds nothing (null or undefined) is not kept.
   */
  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value as Promise<T>;
    if (hit) this.entries.delete(key);
    if (this.ttlMs <= 0) return load();

    const generation = this.generation;
    const value = load().then(
      (result) => {
        if (result === null || result === undefined || generation !== this.generation) this.forget(key, value);
        return deepFreeze(result);
      },
      (err: unknown) => {
        this.forget(key, value);
        throw err;
      },
    );
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { expiresAt: now + this.ttlMs, value });
    return value;
  }

  /** Runs a write to a cached table, then drops everything, whether the write succeeded or not. */
  async writing<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.invalidate();
    }
  }

  /** Drops everything: called after any write to a cached table on this instance. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(key: string, value: Promise<unknown>): void {
    if (this.entries.get(key)?.value === value) this.entries.delete(key);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as object)) deepFreeze(inner);
  }
  return value;
}
