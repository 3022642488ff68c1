// canonicalizePath's shortcut for plain paths (src/request/canonicalize.ts) against the whole
// canonicalization (canonicalizeWhole): for any path, both give the same answer. The paths are
// drawn mostly from the characters where the two could part (dots, slashes, escapes, `;`, `\`,
// white space, the shortcut's own characters), so both plain paths and near misses are common.
// Runs and seed as test/property/paths.test.ts (FUZZ_RUNS, FUZZ_SEED; `npm run test:fuzz`).
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { canonicalizePath, canonicalizeWhole } from '../../src/request/canonicalize';

const bindings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const FUZZ_RUNS = Math.max(1, Number.parseInt(bindings.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(bindings.FUZZ_SEED ?? '20261126', 10);

const PLAIN = fc.constantFrom(...'aZ09-_~');
const NEAR = fc.constantFrom('.', '..', '/', '//', '%2e', '%2E', '%41', '%2f', '%', ';', '\\', ' ', '\t', '%20', '\u00a0', 'ｆ', '\u212a', '?', '#', '+', '@', '\u0000');
const path = fc
  .array(fc.oneof({ weight: 4, arbitrary: PLAIN }, { weight: 1, arbitrary: NEAR }, { weight: 2, arbitrary: fc.constant('/') }), { maxLength: 24 })
  .map((parts) => `/${parts.join('')}`);

describe(`canonicalizePath's plain-path shortcut (seed ${FUZZ_SEED})`, () => {
  it('answers every path as the whole canonicalization does', () => {
    fc.assert(
      fc.property(path, (raw) => {
        expect(canonicalizePath(raw)).toEqual(canonicalizeWhole(raw));
      }),
      { numRuns: FUZZ_RUNS * 50, seed: FUZZ_SEED },
    );
  });

  it('takes the shortcut for the common spellings, each already canonical', () => {
    for (const raw of ['/', '/dashboard', '/api/v1/users/', '/.well-known/openid-configuration', '/assets/app.min.js', '/a-b_c~d']) {
      expect(canonicalizeWhole(raw)).toEqual({ ok: true, path: raw, matchPath: raw });
      expect(canonicalizePath(raw)).toEqual({ ok: true, path: raw, matchPath: raw });
    }
  });

  it('leaves to the whole canonicalization what it changes or refuses', () => {
    const cases: [string, unknown][] = [
      ['//', { ok: true, path: '/', matchPath: '/' }],
      ['/a//b', { ok: true, path: '/a/b', matchPath: '/a/b' }],
      ['/a/./b', { ok: true, path: '/a/b', matchPath: '/a/b' }],
      ['/a/../b', { ok: true, path: '/b', matchPath: '/b' }],
      ['/a.', { ok: false, code: 'ERR_PATH_AMBIGUOUS_SEGMENT' }],
      ['/a..b', { ok: true, path: '/a..b', matchPath: '/a..b' }],
      ['/a/.', { ok: true, path: '/a/', matchPath: '/a/' }],
      ['/a;b', { ok: false, code: 'ERR_PATH_PARAMETER' }],
    ];
    for (const [raw, expected] of cases) expect(canonicalizePath(raw)).toEqual(expected);
  });
});
