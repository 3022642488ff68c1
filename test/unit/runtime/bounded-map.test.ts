// The one bounded map (src/runtime/bounded-map.ts) behind every per-isolate cache a client can
// fill: it never holds more than its bound, forgets the entry written longest ago, and lets each
// cache choose insertion order (never set again) or least-recently-used order (set on use).
import { describe, expect, it } from 'vitest';

import { BoundedMap } from '../../../src/runtime/bounded-map';

describe('BoundedMap', () => {
  it('keeps at most maxEntries, forgetting the entry written longest ago', () => {
    const map = new BoundedMap<string, number>({ maxEntries: 2 });
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect([map.has('a'), map.get('b'), map.get('c')]).toEqual([false, 2, 3]);
  });

  it('get does not reorder (insertion order); set again makes an entry the newest (LRU order)', () => {
    const read = new BoundedMap<string, number>({ maxEntries: 2 });
    read.set('a', 1);
    read.set('b', 2);
    expect(read.get('a')).toBe(1);
    read.set('c', 3);
    expect(read.has('a')).toBe(false);

    const touched = new BoundedMap<string, number>({ maxEntries: 2 });
    touched.set('a', 1);
    touched.set('b', 2);
    touched.set('a', 10);
    touched.set('c', 3);
    expect([touched.get('a'), touched.has('b'), touched.get('c')]).toEqual([10, false, 3]);
  });

  it('delete frees a place; a bound that is not a whole number of at least 1 throws, naming the fix', () => {
    const map = new BoundedMap<string, number>({ maxEntries: 1 });
    map.set('a', 1);
    expect(map.delete('a')).toBe(true);
    expect(map.size).toBe(0);
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedMap({ maxEntries })).toThrow(/whole number of at least 1/);
  });
});
