// The RFC 6265 checks of the cookie rewrite (src/request/cookies.ts), read by loops instead of
// RegExps: the same answer as the RegExps they replaced for every code unit, alone, inside a name
// or value near its start and deep in it, and quoted; on random strings; and isSessionCookie's
// shortcut for the plain names.
import fc from 'fast-check';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

import { isSessionCookie } from '../../../src/request/clerk-cookies';
import { cookieHeaderForOrigin, cookiePairs, isCookieName, isCookieValue } from '../../../src/request/cookies';

const RUNS = Number((env as unknown as { FUZZ_RUNS: string }).FUZZ_RUNS);
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")$/;

describe('isCookieName and isCookieValue', () => {
  it('answer as the RFC 6265 RegExps for every code unit, alone, inside and quoted', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      // Deep in a longer string too: a loop that stopped early would pass a late comma or quote.
      const deep = `${'a'.repeat(20)}${c}b`;
      for (const text of [c, `a${c}`, `${c}b`, `a${c}b`, `"${c}"`, `"a${c}b"`, `${c}""`, `""${c}`, `"${c}`, `${c}"`, deep, `"${deep}"`, `${deep}${c}`]) {
        if (isCookieName(text) !== COOKIE_NAME.test(text)) expect(isCookieName(text), JSON.stringify(text)).toBe(COOKIE_NAME.test(text));
        if (isCookieValue(text) !== COOKIE_VALUE.test(text)) expect(isCookieValue(text), JSON.stringify(text)).toBe(COOKIE_VALUE.test(text));
      }
    }
    for (const text of ['', '"', '""', '"""', '" "', 'a b', 'a,b', 'a;b', 'a\\b', '"a"b"', 'eyJ.a.b', '__session', '%5F%5Fsession']) {
      expect(isCookieName(text), JSON.stringify(text)).toBe(COOKIE_NAME.test(text));
      expect(isCookieValue(text), JSON.stringify(text)).toBe(COOKIE_VALUE.test(text));
    }
  });

  it('answer as the RegExps on generated strings', () => {
    const unit = fc.oneof(fc.constantFrom('"', ',', ';', '\\', ' ', '=', '%', '\t', '\x7f', 'é', 'a', 'Z', '0', '-', '_', '~'), fc.integer({ min: 0, max: 0x17f }).map((code) => String.fromCharCode(code)));
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
        const text = units.join('');
        expect(isCookieName(text)).toBe(COOKIE_NAME.test(text));
        expect(isCookieValue(text)).toBe(COOKIE_VALUE.test(text));
        expect(isCookieValue(`"${text}"`)).toBe(COOKIE_VALUE.test(`"${text}"`));
      }), { numRuns: RUNS });
  });

  it('still drop what some parser would split differently', () => {
    const dropped = { cookies: 0 };
    const header = cookieHeaderForOrigin(cookiePairs('__session=t; a=1, __session=x; b="q"; c="x,y"; d e=2; f=\\; g="'), { sessionToken: 't', dropped });
    expect(header).toBe('__session=t; b="q"');
    expect(dropped.cookies).toBe(5);
    // A comma late in a value (PHP would start a new pair there): the pair goes.
    expect(cookieHeaderForOrigin(cookiePairs('__client_uat=1234567890123, __session=x; __session=t'), { sessionToken: 't' })).toBe('__session=t');
  });
});

describe('isSessionCookie', () => {
  it('takes the plain names and the suffixed forms, nothing near them', () => {
    for (const name of ['__session', '__client_uat', '__session_AbC-1_x', '__client_uat_Zz9']) expect(isSessionCookie(name), name).toBe(true);
    for (const name of ['__session_', '__sessionX', '__Session', '_session', '__session ', ' __session', '__client_uat_', '__client_uatx', '__clerk_db_jwt', '__session_a.b', '']) {
      expect(isSessionCookie(name), name).toBe(false);
    }
  });
});
