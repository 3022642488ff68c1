// The RFC 6265 checks of the cookie rewrite (src/request/cookies.ts), read through tables instead
// of RegExps: the same answer as the RegExps they replaced for every code unit, alone, inside a
// name or value, and quoted; and isSessionCookie's shortcut for the plain names.
import { describe, expect, it } from 'vitest';

import { isSessionCookie } from '../../../src/request/clerk-cookies';
import { cookieHeaderForOrigin, cookiePairs, isCookieName, isCookieValue } from '../../../src/request/cookies';

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")$/;

describe('isCookieName and isCookieValue', () => {
  it('answer as the RFC 6265 RegExps for every code unit, alone, inside and quoted', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const text of [c, `a${c}`, `${c}b`, `a${c}b`, `"${c}"`, `"a${c}b"`, `${c}""`, `""${c}`, `"${c}`, `${c}"`]) {
        if (isCookieName(text) !== COOKIE_NAME.test(text)) expect(isCookieName(text), JSON.stringify(text)).toBe(COOKIE_NAME.test(text));
        if (isCookieValue(text) !== COOKIE_VALUE.test(text)) expect(isCookieValue(text), JSON.stringify(text)).toBe(COOKIE_VALUE.test(text));
      }
    }
    for (const text of ['', '"', '""', '"""', '" "', 'a b', 'a,b', 'a;b', 'a\\b', '"a"b"', 'eyJ.a.b', '__session', '%5F%5Fsession']) {
      expect(isCookieName(text), JSON.stringify(text)).toBe(COOKIE_NAME.test(text));
      expect(isCookieValue(text), JSON.stringify(text)).toBe(COOKIE_VALUE.test(text));
    }
  });

  it('still drop what some parser would split differently', () => {
    const dropped = { cookies: 0 };
    const header = cookieHeaderForOrigin(cookiePairs('__session=t; a=1, __session=x; b="q"; c="x,y"; d e=2; f=\\; g="'), { sessionToken: 't', dropped });
    expect(header).toBe('__session=t; b="q"');
    expect(dropped.cookies).toBe(5);
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
