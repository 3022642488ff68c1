// Property tests for the principle "decide on the strictest reading any origin could make": for
// generated paths (Unicode, look-alike letters, separators, escapes, case), if SOME plausible
// reading of the path matches a protected rule, the request is never forwarded unauthenticated.
//
// The oracle is independent of the gateway's own matcher and canonicalizer: it compiles each
// protected pattern itself (Clerk's path-to-regexp v6, case-insensitive, optional trailing slash)
// with the `s` flag so `(.*)` matches every character (U+2028/U+2029 too), and computes the
// readings itself from the path the Worker sees (`new URL(request.url).pathname`, which resolves
// dot segments and backslashes, with repeated slashes collapsed as the gateway does):
//   (a) fully decoded (decodeURIComponent), (b) Clerk's reading (decodeURI: keeps %3F %23 %2F…),
//   (c) the raw percent-encoded form; each as is, lower-cased and upper-cased, and NFKC-normalized
//   then as is, lower-cased and upper-cased.
// Requests go through handleRequest with no credentials: a path the oracle calls protected must get
// 400, 401 or 307 (never 200) and must not reach the recording origin (originCount(probe) === 0).
// The converse (clearly public ASCII paths are forwarded) keeps the property falsifiable.
//
// Runs and seed come from the Worker's bindings, as in paths.test.ts: FUZZ_RUNS (200 in CI) and the
// fixed FUZZ_SEED; `npm run test:fuzz` runs 20 000 with a random seed, printed in every title.
//
// Not covered by the oracle: readings that resolve dot segments or collapse slashes AFTER decoding
// or NFKC (`／` U+FF0F → `/`, `．` U+FF0E → `.`); the generator does produce `／`, so such paths are
// only judged by the readings above.
import { pathToRegexp } from '@clerk/shared/pathToRegexp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { GATEWAY, newProbe, originCount, send, testEnv, type CallOptions } from '../helpers';

const env = testEnv;
const FUZZ_RUNS = Math.max(1, Number.parseInt(env.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(env.FUZZ_SEED ?? '20261126', 10);

/** fast-check parameters for one property; `scale` shrinks the run count of the slower ones. */
function fuzz(scale = 1): { numRuns: number; seed: number } {
  return { numRuns: Math.max(1, Math.round(FUZZ_RUNS * scale)), seed: FUZZ_SEED };
}

// ---------------------------------------------------------------------------------------------
// Config and oracle

/** Every rule protects: "some reading matches a protected rule" is then "some reading matches". */
const PROTECTED_PATTERNS = [
  '/dashboard(.*)',
  '/app/:path*',
  '/item/:id?',
  '/api/keys(.*)',
  '/admin/:section',
  // Non-ASCII in a pattern: accepted by the validator (checked by defineConfig below).
  '/Straße(.*)',
  // Targets for the ligatures ﬁ (U+FB01) and ﬀ (U+FB00).
  '/profile(.*)',
  '/staff/:id',
] as const;

const config = defineConfig({ routes: PROTECTED_PATTERNS.map((match) => ({ match, protect: true })) });

/** The patterns compiled as Clerk's createRouteMatcher does, plus `s` so `.` matches every character. */
const ORACLE = PROTECTED_PATTERNS.map((pattern) => {
  const re = pathToRegexp(pattern) as RegExp;
  return { pattern, re: new RegExp(re.source, re.flags.includes('s') ? re.flags : `${re.flags}s`) };
});

/** The path the Worker sees: URL parsing resolves dot segments and `\`; repeated slashes collapsed. */
function workerPath(path: string): string {
  return new URL(`${GATEWAY}${path}`).pathname.replace(/\/{2,}/g, '/');
}

/** Every reading of the path, computed independently of src/routing. */
function readingsOf(path: string): string[] {
  const raw = workerPath(path);
  const bases = [raw];
  for (const decode of [decodeURIComponent, decodeURI]) {
    try {
      bases.push(decode(raw));
    } catch {
      // Malformed escapes: no such reading (the gateway must refuse such a path anyway).
    }
  }
  const out = new Set<string>();
  for (const base of bases) {
    for (const form of [base, base.normalize('NFKC')]) {
      out.add(form);
      out.add(form.toLowerCase());
      out.add(form.toUpperCase());
    }
  }
  return [...out];
}

/** The first reading that matches a protected pattern, or undefined (public under every reading). */
function oracle(path: string): { reading: string; pattern: string } | undefined {
  for (const reading of readingsOf(path)) {
    for (const { pattern, re } of ORACLE) if (re.test(reading)) return { reading, pattern };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Generators

const hex2 = (byte: number, lower: boolean) => {
  const h = byte.toString(16).padStart(2, '0');
  return `%${lower ? h.toLowerCase() : h.toUpperCase()}`;
};
const utf8 = new TextEncoder();
/** Percent-encodes every UTF-8 byte of `s`, hex digits in the given case. */
const pctUtf8 = (s: string, lower: boolean) => [...utf8.encode(s)].map((b) => hex2(b, lower)).join('');

/** Words of the protected routes, and the route's other spelling `strasse`. */
const WORDS = ['dashboard', 'app', 'item', 'api', 'keys', 'admin', 'strasse', 'straße', 'profile', 'staff'];

/** Look-alikes that fold or normalize to the letter: Kelvin sign, long s, dotless/dotted I, capital sharp s. */
const LOOKALIKES: Record<string, string[]> = { k: ['\u212A'], s: ['\u017F'], i: ['\u0131', '\u0130'], ß: ['\u1E9E'] };
/** Ligatures NFKC (and toUpperCase) expand into two letters. */
const LIGATURES: Record<string, string> = { st: '\uFB06', fi: '\uFB01', ff: '\uFB00' };

/** Fullwidth (U+FF21/U+FF41…) or mathematical bold (U+1D400/U+1D41A…, astral) form of an ASCII letter. */
function wideForm(ch: string, bold: boolean): string | undefined {
  const code = ch.charCodeAt(0);
  const upper = code >= 0x41 && code <= 0x5a;
  const lower = code >= 0x61 && code <= 0x7a;
  if (!upper && !lower) return undefined;
  const index = code - (upper ? 0x41 : 0x61);
  if (bold) return String.fromCodePoint((upper ? 0x1d400 : 0x1d41a) + index);
  return String.fromCodePoint((upper ? 0xff21 : 0xff41) + index);
}

interface CharSpelling {
  /** 0: as is, 1: flipped case, 2: look-alike, 3: fullwidth, 4: mathematical bold. */
  form: number;
  ligature: boolean;
  encode: boolean;
  lowerHex: boolean;
}

const charSpellingArb: fc.Arbitrary<CharSpelling> = fc.record({
  form: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.constant(1) },
    { weight: 3, arbitrary: fc.constant(2) },
    { weight: 1, arbitrary: fc.constant(3) },
    { weight: 1, arbitrary: fc.constant(4) },
  ),
  ligature: fc.boolean(),
  encode: fc.integer({ min: 0, max: 2 }).map((n) => n === 0),
  lowerHex: fc.boolean(),
});

/** Spells a word: random case, look-alikes, ligatures, each unit raw or percent-encoded as UTF-8. */
function spellWord(word: string, spellings: CharSpelling[]): string {
  let out = '';
  let k = 0;
  for (let i = 0; i < word.length; i++) {
    const s = spellings[k++ % spellings.length]!;
    let unit = word[i]!;
    const pair = word.slice(i, i + 2);
    if (s.ligature && LIGATURES[pair]) {
      unit = LIGATURES[pair]!;
      i++;
    } else if (s.form === 1) {
      unit = unit === unit.toLowerCase() ? unit.toUpperCase() : unit.toLowerCase();
      if (unit.length !== 1) unit = word[i]!; // ß → SS is not one letter
    } else if (s.form === 2) {
      const options = LOOKALIKES[unit.toLowerCase()];
      if (options) unit = options[(k + i) % options.length]!;
    } else if (s.form === 3 || s.form === 4) {
      unit = wideForm(unit, s.form === 4) ?? unit;
    }
    out += s.encode ? pctUtf8(unit, s.lowerHex) : unit;
  }
  return out;
}

const wordArb = (words: readonly string[]) =>
  fc.tuple(fc.constantFrom(...words), fc.array(charSpellingArb, { minLength: 1, maxLength: 8 })).map(([w, s]) => spellWord(w, s));

/** Pieces that escape, end or bend a segment, in the raw and encoded forms. */
const PIECES = [
  '%3F', '%3f', '%23', '%E2%80%A8', '%e2%80%a9', '\u2028', '\u2029', '%20', '%25', '%2F', '%2f',
  '%C3%9F', '\uFF0F', '%EF%BC%8F', '%E2%84%AA', '%C5%BF', '-', '_', '~', '.', '1',
];

const pieceArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 3 }) },
);

/** A segment: an optional piece, a core (mostly a route word), then up to two pieces. */
const segmentArb = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: pieceArb }),
    fc.oneof(
      { weight: 4, arbitrary: wordArb(WORDS) },
      { weight: 1, arbitrary: fc.constantFrom('x', '1', 'abc', 'a.b') },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }) },
    ),
    fc.array(pieceArb, { maxLength: 2 }),
  )
  .map(([prefix, core, suffix]) => `${prefix}${core}${suffix.join('')}`);

/** First segments shaped after the rules (so most paths hit one), each word spelled anew. */
const HEADS: string[][] = [['dashboard'], ['app'], ['item'], ['api', 'keys'], ['admin'], ['strasse'], ['straße'], ['profile'], ['staff'], []];

/** Ways to write `/` that resolve to one separator (URL parsing and slash collapsing). */
const SEPARATORS = ['/', '/', '/', '//', '/./', '/x/../', '\\', '/%2e/'];
const TRAILERS = ['', '', '/', '//', '/.'];

const pathArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...HEADS).chain((head) =>
      fc.tuple(...head.map((w) => wordArb([w])), ...head.map(() => fc.array(pieceArb, { maxLength: 1 }))).map((parts) => {
        const words = parts.slice(0, head.length) as string[];
        const suffixes = parts.slice(head.length) as string[][];
        return words.map((w, i) => w + suffixes[i]!.join(''));
      }),
    ),
    fc.array(segmentArb, { maxLength: 3 }),
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: 6, maxLength: 6 }),
    fc.constantFrom(...TRAILERS),
  )
  .map(([head, rest, seps, trailer]) => {
    const segments = [...head, ...rest];
    let path = '';
    segments.forEach((seg, i) => (path += (i === 0 ? '/' : seps[i % seps.length]!) + seg));
    return (path || '/') + trailer;
  });

/** Paths some reading of which matches a protected rule. */
const protectedPathArb = pathArb.filter((p) => oracle(p) !== undefined);

/** Plain ASCII paths, near misses included (`/admin`, `/api/x`, `/apps`, `/items`, `/dashboar`). */
const PUBLIC_WORDS = ['about', 'x', 'team', 'docs', 'blog', 'help', 'public', 'dash', 'apps', 'items', 'keysx', 'api', 'admin', 'dashboar', 'staffs', 'profil', 'strase', '1'];
const publicPathArb = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...PUBLIC_WORDS), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
  )
  .map(([segs, trailing]) => {
    const spelled = segs.map(([w, flips]) => [...w].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c)).join(''));
    return `/${spelled.join('/')}${trailing ? '/' : ''}`;
  })
  .filter((p) => oracle(p) === undefined);

// ---------------------------------------------------------------------------------------------
// Calls

/** One request through handleRequest with NO credentials; the body is read so nothing dangles. */
async function sendUnauthenticated(path: string, options: CallOptions): Promise<{ status: number; body: string }> {
  const res = await send(path, { ...options, env, config });
  return { status: res.status, body: await res.text() };
}

const REFUSALS = [400, 401, 307];

async function expectNotForwarded(path: string, navigate: boolean): Promise<void> {
  const hit = oracle(path);
  const probe = newProbe(navigate ? 'readings-nav' : 'readings-api');
  const { status, body } = await sendUnauthenticated(path, { probe, navigate });
  const label =
    `${JSON.stringify(path)} (worker sees ${JSON.stringify(workerPath(path))}; ` +
    `reading ${JSON.stringify(hit?.reading)} matches ${hit?.pattern}; nav=${navigate}) → ${status} ${body.slice(0, 120)}`;
  expect(status, label).not.toBe(200);
  expect(REFUSALS, label).toContain(status);
  expect(await originCount(probe), label).toBe(0);
}

// =============================================================================================

describe('readings oracle (independent of src/routing)', () => {
  it('sees the readings the principle names', () => {
    const readings = readingsOf('/a%3Fb/%E2%84%AA');
    expect(readings).toContain('/a?b/\u212A'); // fully decoded
    expect(readings).toContain('/a%3Fb/\u212A'); // decodeURI (Clerk)
    expect(readings).toContain('/a%3Fb/%E2%84%AA'); // raw
    expect(readings).toContain('/a?b/k'); // lower-cased
    expect(readings).toContain('/A?B/\u212A'); // upper-cased
    expect(oracle('/dashboard\u2028')).toBeDefined(); // (.*) with the s flag
    expect(oracle('/about/x')).toBeUndefined();
  });
});

describe('fixed examples: protected under some reading, never forwarded unauthenticated', () => {
  // Each is protected by the oracle (checked first); included only because it is. Not
  // `/da%EF%AC%86hboard`: ﬆ reads as "st" ("dasthboard"), public under every reading.
  it.each([
    '/dashboard/%E2%80%A8',
    '/dashboard%E2%80%A9x',
    '/dashboard\u2028',
    '/app/a%3Fb',
    '/app/%23',
    '/item/%3F',
    '/admin/x%23y',
    '/api/%E2%84%AAeys',
    '/%C5%BFtra%C3%9Fe',
    '/stra%E1%BA%9Ee',
    '/\uFF24\uFF21\uFF33\uFF28\uFF22\uFF2F\uFF21\uFF32\uFF24',
    '/%F0%9D%90%9Dashboard',
    '/adm%C4%B1n/x',
    '/pro%EF%AC%81le',
    '/%EF%AC%86aff/1',
  ].map((path) => [JSON.stringify(path).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`), path]))('%s', async (_title, path) => {
    expect(oracle(path), `oracle: ${path}`).toBeDefined();
    await expectNotForwarded(path, false);
    await expectNotForwarded(path, true);
  });
});

describe(`some reading protected ⇒ never forwarded unauthenticated (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => {
  it('API request (no navigation): 400/401/307, never 200; origin not called', async () => {
    await fc.assert(
      fc.asyncProperty(protectedPathArb, (path) => expectNotForwarded(path, false)),
      fuzz(0.5),
    );
  });

  it('navigation (sec-fetch-dest: document, accept: text/html): 400/401/307, never 200; origin not called', async () => {
    await fc.assert(
      fc.asyncProperty(protectedPathArb, (path) => expectNotForwarded(path, true)),
      fuzz(0.5),
    );
  });
});

describe(`converse: public under every reading ⇒ forwarded (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => {
  it('clearly public ASCII paths (near misses included) reach the origin once, with 200', async () => {
    await fc.assert(
      fc.asyncProperty(publicPathArb, fc.boolean(), async (path, navigate) => {
        const probe = newProbe('readings-public');
        const { status, body } = await sendUnauthenticated(path, { probe, navigate });
        const label = `${path} nav=${navigate} → ${status} ${body.slice(0, 120)}`;
        expect(status, label).toBe(200);
        expect(await originCount(probe), label).toBe(1);
      }),
      fuzz(0.25),
    );
  });
});

describe(`decision level, no origin (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => {
  // The pure matcher's calling convention (src/routing) is internal and changing; this level uses
  // only handleRequest's public options: an injected fetch stands in for the origin, so any call
  // to it is a forward. Cheap, so more runs and navigation chosen at random.
  it('some reading protected ⇒ the origin fetch is never called, and the answer is 400/401/307', async () => {
    let forwarded: string[] = [];
    const stub = (async (input: RequestInfo | URL) => {
      forwarded.push(String(input instanceof Request ? input.url : input));
      return new Response('origin', { status: 200 });
    }) as typeof fetch;
    await fc.assert(
      fc.asyncProperty(protectedPathArb, fc.boolean(), async (path, navigate) => {
        forwarded = [];
        const res = await send(path, { navigate, env, config, fetch: stub });
        await res.text();
        const hit = oracle(path);
        const label = `${JSON.stringify(path)} (reading ${JSON.stringify(hit?.reading)} matches ${hit?.pattern}; nav=${navigate}) → ${res.status} forwarded=${JSON.stringify(forwarded)}`;
        expect(forwarded, label).toEqual([]);
        expect(REFUSALS, label).toContain(res.status);
      }),
      fuzz(2),
    );
  });
});
