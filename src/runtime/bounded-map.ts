/** Options for {@link BoundedMap}. */
export interface BoundedMapOptions {
  /** Most entries kept (a whole number, at least 1); past it the entry written longest ago goes first. */
  maxEntries: number;
}

/**
 * A `Map` that keeps at most `maxEntries`: the one home of the bound on every per-isolate cache a
 * client can fill (verified tokens, machine verdicts, forged signatures, hosts), so none can grow
 * without limit. `set` makes an entry the newest (an existing key moves to the end); `get` never
 * reorders. A cache that wants least-recently-used order sets again what it used; one that wants
 * insertion order does not.
 */
export class BoundedMap<K, V> {
  // Map iteration follows insertion order, so the first key is always the one written longest ago.
  private readonly entries = new Map<K, V>();
  readonly maxEntries: number;

  constructor(options: BoundedMapOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new Error(`BoundedMap: maxEntries must be a whole number of at least 1, got ${options.maxEntries}`);
    }
    this.maxEntries = options.maxEntries;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Stores `value` as the newest entry, then forgets the oldest beyond `maxEntries`. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
