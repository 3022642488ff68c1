// The one bounded map (src/runtime/bounded-map.ts) behind every per-isolate cache a client can
// fill: it never holds more than its bound, forgets the entry written longest ago, and lets each
// cache choose insertion order (never set again) or least-recently-used order (set on use).
import fc from 'fast-check';
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

  it('forgets exactly what a list in insertion order would, through any churn: sets, sets again, deletes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(15) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(15) }),
      fc.record({ kind: fc.constant('fill' as const), key: fc.nat(40) }),
    );
    fc.assert(
      // size 'max': long sequences (fast-check's default size gives a handful of operations).
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 400, size: 'max' }), (maxEntries, ops) => {
        const map = new BoundedMap<number, number>({ maxEntries });
        // The reference: keys oldest first.
        let order: number[] = [];
        let step = 0;
        const set = (key: number) => {
          map.set(key, step);
          order = [...order.filter((k) => k !== key), key];
          while (order.length > maxEntries) order.shift();
        };
        for (const { kind, key } of ops) {
          step++;
          if (kind === 'set') set(key);
          else if (kind === 'delete') {
            expect(map.delete(key)).toBe(order.includes(key));
            order = order.filter((k) => k !== key);
          } else for (let i = 0; i < key; i++) set(1000 + step * 1000 + i);
          expect(map.size).toBe(order.length);
          for (const k of order) expect(map.has(k)).toBe(true);
        }
        for (let key = 0; key <= 15; key++) expect(map.has(key)).toBe(order.includes(key));
      }),
      { numRuns: 200, seed: 20261207 },
    );
  });

  it('keeps the most recently set after many times its bound of keys, hits among them, and long runs of hits alone', () => {
    const map = new BoundedMap<string, number>({ maxEntries: 64 });
    // One entry set again over and over, as a cache hit does: never forgotten, however many new ones pass.
    for (let i = 0; i < 64 * 50; i++) {
      map.set(`k${i}`, i);
      map.set('hot', i);
      // Runs of hits alone (more changes than the bound, no eviction), then new keys again.
      if (i % 500 === 0) for (let j = 0; j < 200; j++) map.set(`k${i - (j % 60)}`, i);
    }
    expect(map.size).toBe(64);
    expect(map.has('hot')).toBe(true);
    const last = 64 * 50 - 1;
    expect(map.has(`k${last}`)).toBe(true);
    expect(map.has(`k${last - 62}`)).toBe(true);
    expect(map.has(`k${last - 63}`)).toBe(false);
  });
});
