/**
 * Values built once per key and kept (imported keys, key sets), at most `max` of them, oldest
 * dropped first. A value that is a promise and rejects is dropped, so the next call builds again.
 */
export class BuiltOnce<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max = 1000) {}

  get(key: string, build: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      const built = build();
      if (built instanceof Promise) {
        built.catch(() => {
          if (this.entries.get(key) === built) this.entries.delete(key);
        });
      }
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, built);
      value = built;
    }
    return value;
  }
}
