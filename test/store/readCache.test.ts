import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src/store/readCache.ts';

function counter<T>(value: () => T) {
  const loader = async () => {
    loader.calls++;
    return value();
  };
  loader.calls = 0;
  return loader;
}

describe('ReadCache (per-instance settings cache)', () => {
  it('loads once within the TTL and again after it', async () => {
    let now = 1_000;
    const cache = new ReadCache(5_000, 100, () => now);
    const load = counter(() => ({ id: 'p1' }));
    expect(await cache.get('k', load)).toEqual({ id: 'p1' });
    now += 4_999;
    await cache.get('k', load);
    expect(load.calls).toBe(1);
    now += 1;
    await cache.get('k', load);
    expect(load.calls).toBe(2);
  });

  it('shares one load between concurrent callers', async () => {
    const cache = new ReadCache();
    const load = counter(() => 'row');
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
    expect(results).toEqual(Array(20).fill('row'));
    expect(load.calls).toBe(1);
  });

  it('never keeps a miss or a failure', async () => {
    const cache = new ReadCache();
    const missing = counter(() => null);
    await cache.get('none', missing);
    await cache.get('none', missing);
    expect(missing.calls).toBe(2);

    let fail = true;
    const flaky = counter(() => {
      if (fail) throw new Error('database down');
      return 'row';
    });
    await expect(cache.get('flaky', flaky)).rejects.toThrow('database down');
    fail = false;
    expect(await cache.get('flaky', flaky)).toBe('row');
    expect(cache.size).toBe(1);
  });

  it('forgets everything on invalidate, including a load that was under way', async () => {
    const cache = new ReadCache();
    let version = 1;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = async () => {
      const seen = version;
      await gate;
      return { version: seen };
    };
    const pending = cache.get('k', slow);
    version = 2;
    cache.invalidate();
    release();
    expect(await pending).toEqual({ version: 1 });
    expect(await cache.get('k', async () => ({ version }))).toEqual({ version: 2 });
  });

  it('hands out frozen values, so no request can change what the next one reads', async () => {
    const cache = new ReadCache();
    const row = await cache.get('k', async () => ({ name: 'Tool', custom: { a: '1' } }));
    expect(() => {
      (row as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (row.custom as { a: string }).a = '2';
    }).toThrow(TypeError);
  });

  it('stays bounded, and a TTL of 0 turns it off', async () => {
    const cache = new ReadCache(5_000, 3);
    for (let i = 0; i < 10; i++) await cache.get(`k${i}`, async () => i);
    expect(cache.size).toBe(3);
    const off = new ReadCache(0);
    const load = counter(() => 'x');
    await off.get('k', load);
    await off.get('k', load);
    expect(load.calls).toBe(2);
  });
});
