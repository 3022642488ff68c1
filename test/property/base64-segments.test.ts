// The JWT segment decoders that lean on the runtime's native base64 decoder (src/auth/jwt.ts,
// src/auth/session/compact-jws.ts) against the plain readings they replace, for any text drawn
// from the characters where they could part: the URL and standard alphabets, `=` anywhere, ASCII
// white space, other ASCII and non-ASCII, at every length. Runs and seed as test/property/paths.test.ts.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { base64UrlJson, urlAlphabetBytes } from '../../src/auth/jwt';
import { segmentBytes } from '../../src/auth/session/compact-jws';

const bindings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const FUZZ_RUNS = Math.max(1, Number.parseInt(bindings.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(bindings.FUZZ_SEED ?? '20261126', 10);

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Bytes of a base64 or base64url text as `atob` reads it (white space skipped, padding checked, leftover bits ignored). */
function atobBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Clerk's decoder as compact-jws.ts read it before: URL alphabet, trailing `=`, no 4n+1, no leftover bits. */
function clerkBytes(segment: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*=*$/.test(segment)) return undefined;
  const text = segment.replace(/=+$/, '');
  const rest = text.length % 4;
  if (rest === 1) return undefined;
  if (rest !== 0 && (URL_ALPHABET.indexOf(text.at(-1)!) & (rest === 2 ? 0b1111 : 0b11)) !== 0) return undefined;
  return atobBytes(text);
}

/** base64UrlJson as it read segments before: `atob` after mapping the URL alphabet, then UTF-8. */
function atobJson(text: string): unknown {
  return JSON.parse(new TextDecoder().decode(atobBytes(text)));
}

const outcome = (read: () => unknown): unknown => {
  try {
    return { value: read() };
  } catch {
    return 'throws';
  }
};

/** Mostly the URL alphabet, now and then something else; sometimes a real base64url encoding of JSON, bent. */
const char = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...URL_ALPHABET) },
  { weight: 1, arbitrary: fc.constantFrom('=', '==', '+', '/', ' ', '\t', '\n', '\f', '\r', '\v', '.', '%', '\u00a0', 'é', '\u0000') },
);
const noise = fc.array(char, { maxLength: 40 }).map((chars) => chars.join(''));
const json = fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null');
const encoded = fc
  .tuple(json, fc.constantFrom('', '', '=', '==', ' ', '+'), fc.nat(60))
  .map(([text, bend, at]) => {
    const base = btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const i = Math.min(at, base.length);
    return bend === '=' || bend === '==' ? base + bend : base.slice(0, i) + bend + base.slice(i);
  });
const segment = fc.oneof(noise, encoded);

describe(`native base64 segment decoding (seed ${FUZZ_SEED})`, () => {
  it('urlAlphabetBytes: bytes exactly for URL-alphabet text of a length other than 4n+1, as atob reads it', () => {
    fc.assert(
      fc.property(segment, (text) => {
        const plain = /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1;
        expect(urlAlphabetBytes(text)).toEqual(plain ? atobBytes(text) : undefined);
      }),
      { numRuns: FUZZ_RUNS * 25, seed: FUZZ_SEED },
    );
  });

  it("segmentBytes: Clerk's decoder's bytes, or undefined where it throws", () => {
    fc.assert(
      fc.property(segment, (text) => {
        expect(segmentBytes(text)).toEqual(clerkBytes(text));
        // A bearer's segments were tested for the URL alphabet before: the same answer for those.
        if (/^[A-Za-z0-9_-]*$/.test(text)) expect(segmentBytes(text, true)).toEqual(clerkBytes(text));
      }),
      { numRuns: FUZZ_RUNS * 25, seed: FUZZ_SEED },
    );
  });

  it('base64UrlJson: the same JSON as the atob reading, or a throw where it throws', () => {
    fc.assert(
      fc.property(segment, (text) => {
        expect(outcome(() => base64UrlJson(text))).toEqual(outcome(() => atobJson(text)));
      }),
      { numRuns: FUZZ_RUNS * 25, seed: FUZZ_SEED },
    );
  });
});
