// TokenMap (src/runtime/token-map.ts): a bounded map of whole tokens, filed under their tails.
// A token that shares another's tail must never read that other's value.
import { describe, expect, it } from 'vitest';

import { TokenMap } from '../../../src/runtime/token-map';

const tail = 'S'.repeat(32);

describe('TokenMap', () => {
  it('answers only for the very token stored, whatever tail it shares', () => {
    const map = new TokenMap<string>({ maxEntries: 8 });
    map.set(`header.payload-a.${tail}`, 'a');
    expect(map.get(`header.payload-a.${tail}`)).toBe('a');
    expect(map.has(`header.payload-a.${tail}`)).toBe(true);
    // Same last 32 characters, another token: nothing.
    expect(map.get(`header.payload-b.${tail}`)).toBeUndefined();
    expect(map.has(`header.payload-b.${tail}`)).toBe(false);
    map.delete(`header.payload-b.${tail}`);
    expect(map.get(`header.payload-a.${tail}`)).toBe('a');
    // Set, it takes the entry's place: the first is then a miss, never the second's value.
    map.set(`header.payload-b.${tail}`, 'b');
    expect(map.get(`header.payload-a.${tail}`)).toBeUndefined();
    expect(map.get(`header.payload-b.${tail}`)).toBe('b');
    expect(map.size).toBe(1);
    map.delete(`header.payload-b.${tail}`);
    expect(map.size).toBe(0);
  });

  it('keeps tokens shorter than a tail whole, and keeps at most maxEntries', () => {
    const map = new TokenMap<number>({ maxEntries: 2 });
    map.set('ak_1', 1);
    map.set('ak_2', 2);
    map.set('ak_3', 3);
    expect([map.get('ak_1'), map.get('ak_2'), map.get('ak_3')]).toEqual([undefined, 2, 3]);
    expect(map.has('ak_')).toBe(false);
  });
});
