import fc from 'fast-check';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

import { base64UrlBytes, base64UrlJson, jwtPayload, splitJwt } from '../../../src/auth/jwt';

const RUNS = Number((env as unknown as { FUZZ_RUNS: string }).FUZZ_RUNS);
const b64url = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('base64UrlJson', () => {
  it('reads ASCII and UTF-8 JSON alike, unpadded', () => {
    expect(base64UrlJson(b64url('{"sub":"user_1"}'))).toEqual({ sub: 'user_1' });
    expect(base64UrlJson(b64url('{"name":"Zoë ✓"}'))).toEqual({ name: 'Zoë ✓' });
  });

  it('throws on invalid base64 or JSON, as the byte path did', () => {
    expect(() => base64UrlJson('!!')).toThrow();
    expect(() => base64UrlJson(b64url('{nope'))).toThrow();
  });

  it('gives what decoding the bytes as UTF-8 gives, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const segment = b64url(JSON.stringify(value));
        expect(base64UrlJson(segment)).toEqual(JSON.parse(new TextDecoder().decode(base64UrlBytes(segment))));
      }),
      { numRuns: RUNS },
    );
  });

  it('also for bytes that are not valid UTF-8 (replaced, as TextDecoder does)', () => {
    const segment = btoa('"\xff\xfe"').replace(/=+$/, '');
    expect(base64UrlJson(segment)).toBe(JSON.parse(new TextDecoder().decode(base64UrlBytes(segment))));
  });
});

describe('splitJwt', () => {
  it('a header that is JSON but not an object reads as an empty header', () => {
    expect(splitJwt(`${b64url('[]')}.e30.sig`)?.header).toEqual({});
    expect(splitJwt(`${b64url('{"kid":"k"}')}.e30.sig`)?.header).toEqual({ kid: 'k' });
    expect(splitJwt('not-json.e30.sig')).toBeUndefined();
  });

  it('reads the same flat header text to the same value, shared and frozen, and another text to its own', () => {
    const header = b64url('{"alg":"RS256","kid":"k1","typ":"JWT","cat":null}');
    const first = splitJwt(`${header}.e30.sig1`)?.header;
    const again = splitJwt(`${header}.e30.sig2`)?.header;
    expect(again).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(splitJwt(`${b64url('{"alg":"RS256","kid":"k2"}')}.e30.sig`)?.header).toEqual({ alg: 'RS256', kid: 'k2' });
    expect(splitJwt(`${header}.e30.sig3`)?.header).toEqual({ alg: 'RS256', kid: 'k1', typ: 'JWT', cat: null });
  });

  it('reads a header with members that are objects or arrays anew each time, unfrozen, however deep', () => {
    const crit = b64url('{"alg":"RS256","crit":["b64"],"b64":true}');
    const first = splitJwt(`${crit}.e30.sig1`)?.header;
    expect(first).toEqual({ alg: 'RS256', crit: ['b64'], b64: true });
    expect(splitJwt(`${crit}.e30.sig2`)?.header).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(false);
    const deep = b64url(`{"kid":${'['.repeat(12000)}${']'.repeat(12000)}}`);
    for (let i = 0; i < 2; i++) expect(splitJwt(`${deep}.e30.sig`)?.header).toHaveProperty('kid');
    expect(splitJwt(`${b64url(`${'['.repeat(12000)}${']'.repeat(12000)}`)}.e30.sig`)?.header).toEqual({});
  });

  it('splits on exactly three segments with a header, as split(".") did', () => {
    for (const token of ['a.b', 'a.b.c.d', '.e30.sig', 'e30..', 'e30.e30.', 'e30']) {
      const parts = token.split('.');
      expect(splitJwt(token) !== undefined, token).toBe(parts.length === 3 && parts[0] !== '');
    }
  });
});

describe('jwtPayload', () => {
  it('the payload segment as an object; JSON that is not an object reads as empty, as Clerk reads no claim from it; undecodable is undefined', () => {
    expect(jwtPayload(`${b64url('{}')}.${b64url('{"exp":5}')}.sig`)).toEqual({ exp: 5 });
    expect(jwtPayload(`${b64url('{}')}.${b64url('null')}.sig`)).toEqual({});
    expect(jwtPayload(`${b64url('{}')}.${b64url('[1]')}.sig`)).toEqual({});
    expect(jwtPayload(`${b64url('{}')}.!!.sig`)).toBeUndefined();
    expect(jwtPayload('no-dots')).toBeUndefined();
  });
});
