// The route index (src/routing/route-index.ts) never changes which rule wins: for generated route
// tables and generated paths, `firstMatch` through the index returns the very rule (or the
// fallback) that a scan of every rule in file order returns, for every method and host tried.
//
// Tables mix what users write (literal paths, `(.*)` suffixes glued to a word, `:param`, `:param?`,
// `/:param*`, `/:param+`, `{…}?` groups, escaped characters, custom groups with `|`, RegExps with
// the `i` flag), on words chosen to collide (`dash`/`dashboard`, `a`/`ab`, `tenant-1`/`tenant-10`),
// with methods and hosts on some rules, and, past the validator, what only the runtime or a
// careless RegExp could bring: `(.*)` without a leading slash, RegExps with `u`, `m`, without `i`,
// unanchored, with a top-level `|`, optional or quantified first characters. Paths are built from
// the same words in random case, with look-alikes (K U+212A, ſ U+017F, ı, İ), other non-ASCII,
// trailing and doubled slashes, `?`, `#`, `%2F`, and now and then no leading slash at all.
//
// Runs and seed as in the other property tests: FUZZ_RUNS (200 in CI) and FUZZ_SEED from the
// Worker's bindings; `npm run test:fuzz` runs 20 000 with a random seed.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { validateConfig } from '../../src/config/validate';
import type { CompiledConfig, CompiledRoute, RouteRule } from '../../src/config/types';
import { firstMatch, hostMatches } from '../../src/routing/match';
import { buildRouteIndex, candidateLists } from '../../src/routing/route-index';

const bindings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const FUZZ_RUNS = Math.max(1, Number.parseInt(bindings.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(bindings.FUZZ_SEED ?? '20261126', 10);

function fuzz(scale = 1): { numRuns: number; seed: number } {
  return { numRuns: Math.max(1, Math.round(FUZZ_RUNS * scale)), seed: FUZZ_SEED };
}

// ---------------------------------------------------------------------------------------------
// The oracle: every rule, in file order (firstMatch before the index).

function scanEveryRule(config: CompiledConfig, reading: string, method: string, host: string): CompiledRoute | undefined {
  for (const route of config.routes) {
    if (route.methods && !route.methods.has(method)) continue;
    if (!hostMatches(route.hosts, host)) continue;
    if (route.regexps.some((regexp) => regexp.test(reading))) return route;
  }
  return config.fallback;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Words that collide as prefixes of one another, plus non-ASCII ones and ones with K and s. */
const WORDS = ['api', 'dash', 'dashboard', 'a', 'ab', 'abc', 'orgs', 'tenant-1', 'tenant-10', 'x.y', 'straße', 'kelvin', 'sk', 'é', 'v1', 'ks'];
const METHODS = ['GET', 'POST', 'DELETE', '(other)'];
const HOSTS = ['a.example.com', 'b.example.com', 'example.com', 'other.test'];
const LOOKALIKES: Record<string, string> = { k: '\u212a', s: '\u017f', i: '\u0131' };

/** A word in random case (ASCII letters only: `toUpperCase` of `ß` is two letters). */
const casedWord = fc.tuple(fc.constantFrom(...WORDS), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 })).map(([word, flips]) =>
  [...word].map((ch, i) => (flips[i] && /[a-z]/.test(ch) ? ch.toUpperCase() : ch)).join(''),
);

/** One segment of a path-to-regexp pattern. */
const patternSegment = fc.oneof(
  { weight: 6, arbitrary: casedWord },
  { weight: 2, arbitrary: casedWord.map((w) => `${w}(.*)`) },
  { weight: 2, arbitrary: fc.constantFrom(':id', ':org', ':p?') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(':id', ':org'), casedWord, fc.constantFrom('-', '.', '\\(', '')).map(([p, w, glue]) => `${p}${glue}${w}`) },
  { weight: 1, arbitrary: casedWord.map((w) => `${w}{-:x}?`) },
  { weight: 1, arbitrary: casedWord.map((w) => `${w}\\(1\\)`) },
  { weight: 1, arbitrary: fc.constantFrom('(\\d+)', '(a|ab)', '(.*)', 'a\\:b', 'x\\.y') },
);

/** A path-to-regexp pattern, as in routes.config.ts. */
const stringPattern = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.array(patternSegment, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '', '/(.*)', '(.*)', '/:rest*', '/:rest+', '/')).map(([segments, tail]) => `/${segments.join('/')}${tail}`) },
  { weight: 1, arbitrary: fc.constantFrom('/', '/(.*)', '/:locale/dashboard', '/:locale/(.*)') },
);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A RegExp the validator accepts (the `i` flag, neither `g` nor `y`). */
const userRegExp = fc.tuple(casedWord, casedWord, fc.integer({ min: 0, max: 7 })).map(([w, v, kind]) => {
  const a = escapeRegExp(w);
  const b = escapeRegExp(v);
  const source = [
    `^\\/${a}(?:\\/.*)?$`,
    `^\\/${a}\\/${b}`,
    `^\\/(?:${a}|${b})(?:\\/.*)?$`,
    `^\\/${a}|^\\/${b}`,
    `^\\/${a}s?\\/`,
    `^(?:\\/${a})?\\/${b}`,
    `\\/${a}`,
    `^\\/(?<seg>${a})\\/${b}[/]?$`,
  ][kind] as string;
  return new RegExp(source, 'i');
});

/** RegExps only a careless hand or the runtime would bring: indexed or not, never a wrong answer. */
const oddRegExp = fc.tuple(casedWord, fc.constantFrom('', 's', 'u', 'iu', 'im', 'is', 'ius', 'iv'), fc.integer({ min: 0, max: 5 })).map(([w, flags, kind]) => {
  const a = escapeRegExp(w);
  const source = [`^\\/${a}(.*)$`, `(.*)`, `^\\/${a}{0,1}x`, `^\\/${a}+\\/`, `^\\/k${a}`, `^\\/s${a}(?:\\/|$)`][kind] as string;
  return new RegExp(source, flags);
});

const ruleArb: fc.Arbitrary<RouteRule> = fc.record(
  {
    match: fc.oneof(
      { weight: 6, arbitrary: stringPattern },
      { weight: 2, arbitrary: userRegExp },
      { weight: 2, arbitrary: fc.array(fc.oneof(stringPattern, userRegExp), { minLength: 1, maxLength: 3 }) },
    ),
    protect: fc.boolean(),
    methods: fc.constantFrom(['GET'], ['POST'], ['DELETE', 'PUT']),
    hosts: fc.constantFrom(['a.example.com'], ['*.example.com'], ['example.com', 'other.test']),
  },
  { requiredKeys: ['match', 'protect'] },
);

/** A table: validated rules, some of them given odd RegExps past the validator, as the runtime may. */
const configArb: fc.Arbitrary<CompiledConfig> = fc
  .tuple(
    fc.array(ruleArb, { minLength: 1, maxLength: 30 }),
    fc.array(fc.tuple(fc.nat(), fc.array(oddRegExp, { minLength: 1, maxLength: 2 })), { maxLength: 4 }),
    fc.constantFrom<'public' | 'protect'>('public', 'protect'),
  )
  .map(([generated, odd, defaultPolicy]) => {
    // Under deny by default a public rule may not list POST (validation refuses it): drop its methods.
    const routes = generated.map((rule) => (defaultPolicy === 'protect' && !rule.protect && rule.methods?.includes('POST') ? { ...rule, methods: undefined } : rule));
    const result = validateConfig({ routes, defaultPolicy });
    if (!result.ok) throw new Error(`generated an invalid table: ${result.problems.join('; ')}`);
    const compiled = [...result.config.routes];
    for (const [at, regexps] of odd) {
      const base = compiled[at % compiled.length] as CompiledRoute;
      compiled.splice(at % (compiled.length + 1), 0, { ...base, name: `odd ${regexps.join(' ')}`, regexps });
    }
    return { ...result.config, routes: compiled };
  });

/** A path segment: a pattern word in random case, with look-alikes, or other text. */
const pathSegment = fc.oneof(
  { weight: 6, arbitrary: casedWord },
  {
    weight: 2,
    arbitrary: fc.tuple(casedWord, fc.nat()).map(([w, n]) => {
      const letters = [...w];
      const at = letters.findIndex((ch, i) => i >= n % Math.max(1, letters.length) && LOOKALIKES[ch.toLowerCase()]);
      if (at >= 0) letters[at] = LOOKALIKES[(letters[at] as string).toLowerCase()] as string;
      return letters.join('');
    }),
  },
  { weight: 2, arbitrary: fc.tuple(casedWord, fc.constantFrom('xyz', '0', '-1', 'S', '(1)', '\u00e9', 'K', '\u212a')).map(([w, s]) => `${w}${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '1', '42', 'x', 'STRASSE', 'Stra\u00dfe', 'ß', '\u0130', '?', '#', '%2F', 'a?b', 'a#b', ':b', 'a:b', 'd', 'x.y', 'xzy') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
);

const pathArb = fc
  .tuple(fc.array(pathSegment, { minLength: 0, maxLength: 4 }), fc.constantFrom('', '', '/', '//'), fc.integer({ min: 0, max: 19 }))
  .map(([segments, tail, lead]) => `${lead === 0 ? '' : '/'}${segments.join('/')}${tail}`);

// ---------------------------------------------------------------------------------------------

describe(`the route index picks the rule a scan of every rule picks (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => {
  it('for generated tables, paths, methods and hosts', () => {
    fc.assert(
      fc.property(configArb, fc.array(pathArb, { minLength: 1, maxLength: 25 }), (config, paths) => {
        for (const path of paths) {
          for (const method of METHODS) {
            for (const host of HOSTS) {
              const indexed = firstMatch(config, path, method, host);
              const scanned = scanEveryRule(config, path, method, host);
              if (indexed !== scanned) {
                throw new Error(`${JSON.stringify(path)} ${method} ${host}: index chose ${indexed?.name ?? 'none'}, the scan ${scanned?.name ?? 'none'}`);
              }
            }
          }
        }
      }),
      fuzz(),
    );
  });

  it('every rule whose pattern matches a path is among its candidates', () => {
    // Stronger than the winner alone: the index drops no matching rule, whatever comes before it.
    fc.assert(
      fc.property(configArb, fc.array(pathArb, { minLength: 1, maxLength: 25 }), (config, paths) => {
        const index = buildRouteIndex(config.routes);
        for (const path of paths) {
          const candidates = new Set(candidateLists(index, path).flat());
          config.routes.forEach((route, position) => {
            if (route.regexps.some((regexp) => regexp.test(path)) && !candidates.has(position)) {
              throw new Error(`${JSON.stringify(path)}: rule ${position} (${route.name}) matches but is no candidate`);
            }
          });
        }
      }),
      fuzz(),
    );
  });

  it('look-alikes of k and s: Unicode RegExps fold them, others never', () => {
    // With `u` (or `v`) and `i`, K (U+212A) matches k and ſ (U+017F) s; without `u` they match nothing ASCII.
    const words = ['k', 'sk', 'kelvin', 'ask', 'ks', 'tsk'];
    const wordOf = fc.constantFrom(...words);
    const lookalike = fc.tuple(wordOf, fc.array(fc.nat({ max: 2 }), { minLength: 6, maxLength: 6 })).map(([w, picks]) =>
      [...w].map((ch, i) => (picks[i] === 1 && LOOKALIKES[ch] ? LOOKALIKES[ch] : picks[i] === 2 ? ch.toUpperCase() : ch)).join(''),
    );
    const tableArb = fc.array(
      fc.tuple(wordOf, fc.constantFrom('i', 'iu', 'iv', 'ius', 'is'), fc.constantFrom('(?:\\/.*)?$', '', '\\/', '(.*)$')).map(([w, flags, tail]) => new RegExp(`^\\/${w}${tail}`, flags)),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(tableArb, fc.array(fc.tuple(lookalike, fc.constantFrom('', '/', '/x', 'x')), { minLength: 1, maxLength: 10 }), (regexps, paths) => {
        const result = validateConfig({ routes: regexps.map((match, i) => ({ match, protect: i % 2 === 0, name: `${i} ${match}` })) });
        if (!result.ok) throw new Error(result.problems.join('; '));
        for (const [word, tail] of paths) {
          const path = `/${word}${tail}`;
          expect(firstMatch(result.config, path, 'GET', 'a.example.com')?.name).toBe(scanEveryRule(result.config, path, 'GET', 'a.example.com')?.name);
        }
      }),
      fuzz(),
    );
  });

  it('paths built from a table\'s own patterns', () => {
    // The pattern text itself, with parameters filled in and case flipped, hits the buckets dead on.
    fc.assert(
      fc.property(configArb, fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.constantFrom('', '/', 'x', '/x', '/x/y')), { minLength: 1, maxLength: 20 }), (config, picks) => {
        const patterns = config.routes.flatMap((route) => route.patterns).filter((p): p is string => typeof p === 'string');
        fc.pre(patterns.length > 0);
        for (const [at, upper, tail] of picks) {
          const pattern = patterns[at % patterns.length] as string;
          const filled = pattern
            .replace(/\{-:x\}\?/g, '-v')
            .replace(/\\(.)/g, '$1')
            .replace(/:[A-Za-z_]+[?*+]?/g, 'p1')
            .replace(/\([^)]*\)/g, 'z')
            .replace(/\/\^|\$\/i?$/g, '');
          const path = `${upper ? filled.toUpperCase() : filled}${tail}`;
          for (const method of METHODS) {
            expect(firstMatch(config, path, method, 'a.example.com')).toBe(scanEveryRule(config, path, method, 'a.example.com'));
          }
        }
      }),
      fuzz(),
    );
  });
});
