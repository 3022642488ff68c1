// bearerKind (src/auth/machine/token-kind.ts) tells Clerk's JWT format by decoding the segments
// natively instead of a RegExp pass over the whole token. Against the reading it replaces (the
// format's RegExp, then `atob`-decoded header and payload) and @clerk/backend's own
// isMachineToken, for tokens built from real headers and payloads and then bent where the two
// could part: padding, standard-alphabet and white-space characters, 4n+1-long and empty
// segments, extra dots. Runs and seed as test/property/paths.test.ts.
import { isMachineToken } from '@clerk/backend/internal';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { bearerKind } from '../../src/auth/machine/token-kind';
import { payloadObject, readCompactJws } from '../../src/auth/session/compact-jws';

const bindings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const FUZZ_RUNS = Math.max(1, Number.parseInt(bindings.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(bindings.FUZZ_SEED ?? '20261126', 10);

const b64url = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The segment's JSON as read before: `atob` after mapping the URL alphabet, then UTF-8. */
function atobJson(segment: string): unknown {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/** What bearerKind's JSON held before: `undefined` unless in the format's RegExp and the header decodes. */
function referenceJson(token: string): { header: unknown; payload: unknown } | undefined {
  if (!/^[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+$/.test(token)) return undefined;
  const [h, p] = token.split('.') as [string, string, string];
  let header: unknown;
  try {
    header = atobJson(h);
  } catch {
    return undefined;
  }
  let payload: unknown;
  try {
    payload = atobJson(p);
  } catch {
    payload = undefined;
  }
  return { header, payload };
}

const header = fc.constantFrom<unknown>({ alg: 'RS256', kid: 'ins_1', typ: 'JWT' }, { alg: 'RS256', typ: 'at+jwt' }, { alg: 'RS256', cat: 'cl_B7d4PD333AAA' }, { alg: 'RS256', x: { y: 1 } }, [], 'x', null);
const payload = fc.oneof(
  fc.record({ sub: fc.constantFrom('user_1', 'mch_1', 'é'), sid: fc.string({ maxLength: 12 }) }).map((claims) => JSON.stringify(claims)),
  fc.constantFrom('null', '[1]', '{nope', '', '"x"'),
);
const signature = fc.array(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), { minLength: 0, maxLength: 48 }).map((chars) => chars.join(''));
// JSON padded with spaces to a multiple of 3 bytes, so its segment is a multiple of 4 characters (no leftover bits).
const padded = (json: string) => json + ' '.repeat((3 - (new TextEncoder().encode(json).length % 3)) % 3);
const bend = fc.constantFrom('', '', '', '', '=', '==', '+', '/', ' ', '\t', 'A', '.', '.x');
const token = fc
  .tuple(header, payload, signature, fc.nat(2), bend, fc.nat(80))
  .map(([h, p, s, which, extra, at]) => {
    const segments = [b64url(padded(JSON.stringify(h))), b64url(padded(p)), s];
    const bent = segments[which]!;
    const i = Math.min(at, bent.length);
    segments[which] = bent.slice(0, i) + extra + bent.slice(i);
    return segments.join('.');
  });

describe(`bearerKind without a RegExp pass (seed ${FUZZ_SEED})`, () => {
  it('reads the same JSON as before, for the same tokens, and tells machine tokens as @clerk/backend does', () => {
    fc.assert(
      fc.property(token, (text) => {
        const { kind, json } = bearerKind(text);
        const reference = referenceJson(text);
        expect(json && { header: json.header, payload: json.payload }).toEqual(reference);
        if (json) {
          expect(json.urlSafe).toBe(true);
          // The signature's bytes, when decoded here, are the segment's as atob reads it.
          const signatureSegment = text.slice(text.lastIndexOf('.') + 1);
          if (json.signature) expect(json.signature).toEqual(Uint8Array.from(atob(signatureSegment.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
          // The signature check reads the token the same with that JSON as without it (a cookie's).
          const withJson = readCompactJws(text, ['RS256'], json);
          const without = readCompactJws(text, ['RS256']);
          expect(withJson && { header: withJson.header, signature: withJson.signature, payload: payloadObject(withJson) }).toEqual(without && { header: without.header, signature: without.signature, payload: payloadObject(without) });
        }
        // Clerk's decoder refuses a signature segment with bits left over or of 4n+1 characters, which
        // neither reading decodes to tell the kind: compared where all three segments decode alike.
        // The M2M JWT category is Clerk's authenticateRequest's test, not isMachineToken's (test:clerk holds it).
        const segments = text.split('.');
        const m2mCategory = (reference?.header as { cat?: unknown } | null)?.cat === 'cl_B7d4PD333AAA';
        if (reference && !m2mCategory && !/[=+/\s]/.test(text) && segments.every((segment) => segment.length % 4 === 0)) expect(kind !== undefined, text).toBe(isMachineToken(text));
      }),
      { numRuns: FUZZ_RUNS * 25, seed: FUZZ_SEED },
    );
  });
});
