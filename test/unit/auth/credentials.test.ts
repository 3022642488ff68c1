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
