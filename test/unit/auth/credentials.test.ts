// The credential reader (src/auth/credentials.ts): which token a request carries, and when the
// gateway may skip Clerk (a plain cookie session on a production instance) or must leave it to Clerk.
import { describe, expect, it } from 'vitest';

import { readCredentials } from '../../../src/auth/credentials';
import { cookiePairs } from '../../../src/request/cookies';

describe('readCredentials', () => {
  const url = new URL('https://gateway.test/dashboard');
  const read = (headers: Record<string, string>, u = url, production = true) => readCredentials(new Request(u, { headers }), cookiePairs(new Headers(headers).get('cookie') ?? ''), u, production);

  it('follows Clerk: Bearer token, a lone word is a token, other schemes fall back to cookies', () => {
    expect(read({ authorization: 'Bearer abc' })).toEqual({ kind: 'bearer', token: 'abc' });
    expect(read({ authorization: 'abc' })).toEqual({ kind: 'bearer', token: 'abc' });
    expect(read({ authorization: 'Basic abc' })).toEqual({ kind: 'none' });
  });

  it("reads Authorization as Clerk's `split(' ', 2)` does, spaces anywhere", () => {
    // Clerk's reading, written out: the scheme, the second word, the lone word when there is none.
    const clerk = (value: string) => {
      const [scheme, token] = value.split(' ', 2);
      return !token ? scheme : scheme === 'Bearer' ? token : undefined;
    };
    for (const value of ['Bearer abc', 'Bearer abc def', 'Bearer  abc', 'Bearer', 'bearer abc', 'abc', 'Basic  abc', 'Bearer a b c', 'x y']) {
      const token = clerk(new Headers({ authorization: value }).get('authorization') as string);
      expect(read({ authorization: value }), value).toEqual(token ? { kind: 'bearer', token } : { kind: 'none' });
    }
  });

  it('finds the plain cookie session, and leaves handshakes, suffixed cookies and dev instances to Clerk', () => {
    expect(read({ cookie: '__session=t; __client_uat=5' })).toEqual({ kind: 'cookie', token: 't', clientUat: 5 });
    expect(read({ cookie: '__client_uat=0' })).toEqual({ kind: 'none' });
    expect(read({ cookie: '__session=t' }).kind).toBe('delegated');
    expect(read({ cookie: '__session=t; __client_uat=5; __session_abc=u' }).kind).toBe('delegated');
    expect(read({ cookie: '__session=t; __client_uat=5' }, new URL('https://gateway.test/x?__clerk_handshake=h')).kind).toBe('delegated');
    expect(read({ cookie: '__session=t; __client_uat=5' }, url, false).kind).toBe('delegated');
    expect(read({ cookie: '__session=t; __client_uat=5', 'sec-fetch-dest': 'document', referer: 'https://elsewhere.test/' }).kind).toBe('delegated');
  });

  it('calls two different __session values ambiguous', () => {
    expect(read({ cookie: '__session=a; __client_uat=5; __session=b' })).toEqual({ kind: 'ambiguous' });
    expect(read({ cookie: '__session=a; __client_uat=5; __session=a' }).kind).toBe('cookie');
  });
});
