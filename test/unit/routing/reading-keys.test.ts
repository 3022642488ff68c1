// Readings no rule can tell apart are matched once (src/routing/reading-keys.ts): fewer readings,
// never another decision. For generated paths of look-alike letters, escapes, white space and
// case, the rules met by the kept readings are exactly the rules met by all of them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../../src/config';
import { canonicalizePath } from '../../../src/request/canonicalize';
import { firstMatch } from '../../../src/routing/match';
import { readingsToMatch } from '../../../src/routing/reading-keys';
import { pathReadings } from '../../../src/request/readings';
import { testEnv } from '../../helpers';

const RUNS = Math.max(1, Number.parseInt(testEnv.FUZZ_RUNS ?? '200', 10) || 200);
const SEED = Number.parseInt(testEnv.FUZZ_SEED ?? '20261126', 10);

const plain = defineConfig({
  routes: [
    { match: '/admin(.*)', protect: { role: 'org:admin' } },
    { match: '/:tenant/settings(.*)', protect: true },
    { match: '/:slug-x(.*)', protect: true },
    { match: /^\/kelvin\/k(?:\/.*)?$/i, protect: true },
    { match: /^\/space\/\s/i, protect: true },
    { match: '/public(.*)', protect: false },
  ],
});
// A RegExp that names a non-ASCII letter: every reading is kept.
const naming = defineConfig({ routes: [...plain.routes.map((r) => ({ match: r.patterns as never, protect: r.protect })), { match: /^\/caf\u00e9/i, protect: true }] });

const PIECES = ['a', 'A', 'k', 'K', 's', 'ſ', 'K', 'ａ', 'Ａ', 'ｄ', 'ｍ', 'ｉ', 'ｎ', 'admin', 'ADMIN', 'ａｄｍｉｎ', 'settings', 'ｓｅｔｔｉｎｇｓ', '-x', '/', '/', '%3F', '%23', '%20', '\u00a0', '\u3000', 'é', 'É', 'ß', 'İ', 'space', 'kelvin'];
const paths = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((parts) => `/${parts.join('')}`);

function rulesMet(config: ReturnType<typeof defineConfig>, readings: readonly string[]) {
  return new Set(readings.map((reading) => firstMatch(config, reading, 'GET', 'gateway.test')?.name ?? null));
}

describe('readingsToMatch', () => {
  it('keeps one of the readings that differ only in which look-alike letter stands where', () => {
    const readings = pathReadings(new URL('https://g.test/ａｄｍｉｎ/x').pathname);
    expect(readings).toContain("/ＡＤＭＩＮ/X");
    // Decoded (fullwidth), NFKC (ASCII), percent-encoded: the upper- and lower-case variants go.
    expect(readingsToMatch(plain, readings)).toEqual([readings[0], '/admin/x', '/%EF%BD%81%EF%BD%84%EF%BD%8D%EF%BD%89%EF%BD%8E/x']);
    expect(readingsToMatch(naming, readings)).toEqual(readings);
  });

  it.each([
    ['a rule set that names non-ASCII', naming],
    ['plain rules', plain],
  ])('%s: the kept readings meet exactly the rules all readings meet', (_, config) => {
    fc.assert(
      fc.property(paths, (raw) => {
        const canonical = canonicalizePath(new URL(`https://g.test${raw}`).pathname);
        if (!canonical.ok) return;
        const readings = pathReadings(canonical.path);
        const kept = readingsToMatch(config, readings);
        expect(kept[0]).toBe(readings[0]);
        expect(rulesMet(config, kept)).toEqual(rulesMet(config, readings));
      }),
      { numRuns: RUNS * 2, seed: SEED },
    );
  });
});
