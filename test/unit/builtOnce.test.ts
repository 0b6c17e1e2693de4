import { describe, expect, it } from 'vitest';
import { BuiltOnce } from '../../src/keys/builtOnce.ts';

describe('built once', () => {
  it('builds a value once per key, drops the oldest past its size, and forgets a rejected promise', async () => {
    let builds = 0;
    const cache = new BuiltOnce<number>(2);
    const build = () => ++builds;
    expect([cache.get('a', build), cache.get('a', build), cache.get('b', build)]).toEqual([1, 1, 2]);
    cache.get('c', build); // drops "a"
    expect(cache.get('a', build)).toBe(4);

    const promises = new BuiltOnce<Promise<string>>();
    await expect(promises.get('k', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await Promise.resolve();
    await expect(promises.get('k', async () => 'imported')).resolves.toBe('imported');
  });
});
