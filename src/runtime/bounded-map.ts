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
  // The keys from the oldest one kept on: every key it has passed was forgotten, and a key set again
  // moves behind it, so its next key is always the oldest. A fresh `keys()` per eviction started at
  // the front of V8's table and stepped over every slot a deletion had left there until the table
  // was rebuilt (a `set` of a kept key deletes it first): 21 k instructions on every first-seen
  // token once the verified-token cache was full (bench/profile-functions, a full cache).
  private oldest: Iterator<K> | undefined;
  // A live iterator keeps every table V8 rebuilt since it last moved, with their keys and values
  // (a review measured +56 MB over a million hits on a full cache of 4,096). So it is let go once
  // `maxEntries` sets and deletes passed without an eviction: a rebuild may have happened. The next
  // eviction then walks the front once more: one walk per `maxEntries` changes.
  private changesSinceEviction = 0;

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
    this.changed();
    while (this.entries.size > this.maxEntries) this.entries.delete(this.oldestKey());
  }

  private changed(): void {
    if (++this.changesSinceEviction > this.maxEntries) this.oldest = undefined;
  }

  private oldestKey(): K {
    this.changesSinceEviction = 0;
    let next = this.oldest?.next();
    // Never done while there is an entry to forget (every key behind it is gone); but a Map iterator
    // that reached its end stays there, and `delete(undefined)` would make this loop endless.
    if (next === undefined || next.done === true) {
      this.oldest = this.entries.keys();
      next = this.oldest.next();
    }
    return next.value as K;
  }

  delete(key: K): boolean {
    this.changed();
    return this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
