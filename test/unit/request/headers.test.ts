// RequestHeaders (src/request/headers.ts): the request's headers read once, then looked up in
// JavaScript. It must answer every lookup as the platform's Headers does.
import { describe, expect, it } from 'vitest';

import { RequestHeaders, type HeaderReader } from '../../../src/request/headers';

describe('RequestHeaders', () => {
  const init: [string, string][] = [
    ['Accept', 'text/html'],
    ['X-Custom', 'a'],
    ['x-custom', 'b'],
    ['Cookie', '__session=t'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
    ['X_Under', 'u'],
  ];
  const raw = new Headers(init);
  const read = new RequestHeaders(raw);

  it('answers get and has as Headers does for lower-case names, repeated names combined', () => {
    for (const name of ['accept', 'x-custom', 'cookie', 'set-cookie', 'x_under', 'missing', ''] as const) {
      expect(read.get(name), name).toBe(raw.get(name));
      expect(read.has(name), name).toBe(raw.has(name));
    }
    expect(read.get('x-custom')).toBe('a, b');
  });

  it('is asked in lower case only: another spelling does not compile (typecheck), since it is not folded', () => {
    // @ts-expect-error `get` takes `Lowercase<string>`: `npm run typecheck` fails if this compiles.
    expect(read.get('Accept')).toBeNull();
    const asked: string = 'ACCEPT';
    // @ts-expect-error A name of type `string` must be lowered first.
    expect(read.has(asked)).toBe(false);
    expect(read.get(asked.toLowerCase() as Lowercase<string>)).toBe('text/html');
    // The interface every caller in src/ reads through says the same.
    const reader: HeaderReader = read;
    // @ts-expect-error `HeaderReader.get` takes `Lowercase<string>` too.
    expect(reader.get('Accept')).toBeNull();
  });

  it('names every header once, lower case, as the platform holds them', () => {
    const names = [...read.names()];
    expect(names).toEqual([...new Set([...raw.keys()])]);
    expect(names.every((n) => n === n.toLowerCase())).toBe(true);
  });

  it("answers as Headers does with thousands of names (each read once, in the platform's order)", () => {
    const many = new Headers(Array.from({ length: 3000 }, (_, i) => [`x-h${(i * 7919) % 3000}`, String(i)] as [string, string]));
    const reader = new RequestHeaders(many);
    expect([...reader.names()]).toEqual([...many.keys()]);
    for (const name of ['x-h0', 'x-h1499', 'x-h2999', 'x-h3000'] as const) expect(reader.get(name), name).toBe(many.get(name));
  });

  // A lookup skips the search when no name has its length (modulo 30): names 30 apart in length,
  // and every length up to 70, present and absent, answer as Headers does.
  it('answers as Headers does for names of every length, present or not', () => {
    const present = [1, 5, 6, 13, 29, 30, 31, 32, 33, 37, 60, 64, 69].map((n) => 'x'.repeat(n - 1) + 'k');
    const platform = new Headers(present.map((name) => [name, `v${name.length}`] as [string, string]));
    const reader = new RequestHeaders(platform);
    for (let n = 1; n <= 70; n++) {
      for (const name of ['x'.repeat(n - 1) + 'k', 'y'.repeat(n)] as Lowercase<string>[]) {
        expect(reader.get(name), name).toBe(platform.get(name));
        expect(reader.has(name), name).toBe(platform.has(name));
      }
    }
    const empty = new RequestHeaders(new Headers());
    expect(empty.get('accept')).toBeNull();
    expect(empty.has('accept')).toBe(false);
  });

  it('keeps the platform headers as raw', () => {
    expect(read.raw).toBe(raw);
  });
});
