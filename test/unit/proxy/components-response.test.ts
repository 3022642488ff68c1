// The answer-side checks of the control components (src/proxy/components/response.ts), held to
// their plain readings (split into arrays, as they were written first) over generated values.
import fc from 'fast-check';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

import { decodableAcceptEncoding, isHtml } from '../../../src/proxy/components/response';

const RUNS = Number((env as unknown as { FUZZ_RUNS: string }).FUZZ_RUNS);

const plainIsHtml = (contentType: string | null): boolean =>
  contentType === null || contentType.trim() === '' || contentType.split(',').some((type) => ['text/html', 'application/xhtml+xml'].includes((type.split(';', 1)[0] as string).trim().toLowerCase()));

const plainAcceptEncoding = (client: string | null): string => {
  const kept = (client ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => ['gzip', 'br'].includes((item.split(';', 1)[0] as string).trim().toLowerCase()) && !/;\s*q\s*=\s*0(?:\.0*)?\s*$/i.test(item));
  return kept.length > 0 ? kept.join(', ') : 'identity';
};

// Strings made of the pieces these headers are made of, so the generator reaches every branch.
const pieces = fc.constantFrom('text/html', 'TEXT/HTML', 'application/xhtml+xml', 'application/json', 'text/plain', 'gzip', 'GZip', 'br', 'deflate', 'zstd', 'identity', '*', ';', ',', ' ', '\t', 'q=0', 'q=0.0', 'q=0.5', 'q = 0', 'charset=utf-8', '');
const header = fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join(''));

describe('isHtml', () => {
  it('reads one type or a list, parameters and case as they come', () => {
    for (const value of [null, '', ' ', 'text/html', 'Text/HTML; charset=utf-8', 'application/json', 'application/json, text/html', 'text/htmlx', 'application/xhtml+xml;q=1', ' text/html ']) {
      expect(isHtml(value), String(value)).toBe(plainIsHtml(value));
    }
  });

  it('agrees with the plain reading on generated values', () => {
    fc.assert(fc.property(header, (value) => {
        expect(isHtml(value)).toBe(plainIsHtml(value));
      }), { numRuns: RUNS });
  });

  // The type read last is remembered: asked again, in any order, each answer is still its own.
  it('answers each type as its own, asked in a row, again and in turn', () => {
    for (const value of ['text/html', 'text/html', 'application/json', null, null, '', 'application/json', 'TEXT/HTML', 'text/html']) expect(isHtml(value), String(value)).toBe(plainIsHtml(value));
    fc.assert(fc.property(fc.array(fc.option(header, { nil: null }), { minLength: 2, maxLength: 6 }), (sequence) => {
        for (const value of [...sequence, ...sequence.slice().reverse()]) expect(isHtml(value)).toBe(plainIsHtml(value));
      }), { numRuns: RUNS });
  });
});

describe('decodableAcceptEncoding', () => {
  it("keeps the client's gzip and br, drops what the rewriter cannot read and what is refused", () => {
    expect(decodableAcceptEncoding('gzip, deflate, br, zstd')).toBe('gzip, br');
    expect(decodableAcceptEncoding('gzip;q=0, br;q=0.5')).toBe('br;q=0.5');
    expect(decodableAcceptEncoding(null)).toBe('identity');
    expect(decodableAcceptEncoding('deflate')).toBe('identity');
  });

  it('agrees with the plain reading on generated values', () => {
    fc.assert(fc.property(fc.option(header, { nil: null }), (value) => {
        expect(decodableAcceptEncoding(value)).toBe(plainAcceptEncoding(value));
      }), { numRuns: RUNS });
  });

  // The value read last is remembered: asked again, in any order, each answer is still its own.
  it('answers each value as its own, asked in a row, again and in turn', () => {
    const values = ['gzip, deflate, br, zstd', 'gzip, deflate, br, zstd', 'deflate', null, null, 'gzip;q=0, br', 'gzip, deflate, br, zstd', '', 'GZIP'];
    for (const value of values) expect(decodableAcceptEncoding(value), String(value)).toBe(plainAcceptEncoding(value));
    fc.assert(fc.property(fc.array(fc.option(header, { nil: null }), { minLength: 2, maxLength: 6 }), (sequence) => {
        for (const value of [...sequence, ...sequence.slice().reverse()]) expect(decodableAcceptEncoding(value)).toBe(plainAcceptEncoding(value));
      }), { numRuns: RUNS });
  });
});
