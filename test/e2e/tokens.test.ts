// Bad tokens never pass: each is presented as a bearer token and as a session cookie on a
// protected route, and must be refused without the origin being called.
import { base64url, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import { call, expectRefusedBy, KID, mintToken, nowSeconds, originSaw, sessionClaims as defaultClaims, sessionCookie, testEnv } from '../helpers';

const enc = (v: unknown) => base64url.encode(JSON.stringify(v));

const BAD_TOKENS: Record<string, () => Promise<string>> = {
  expired: () => mintToken({ claims: { iat: nowSeconds() - 400, nbf: nowSeconds() - 400, exp: nowSeconds() - 30 } }),
  'not yet valid (nbf in 60 s)': () => mintToken({ claims: { nbf: nowSeconds() + 60 } }),
  'iat in the future': () => mintToken({ claims: { iat: nowSeconds() + 60, nbf: nowSeconds() - 1 } }),
  'signed with a foreign key': () => mintToken({ key: 'foreign' }),
  'alg: none': async () => `${enc({ alg: 'none', typ: 'JWT' })}.${enc(defaultClaims())}.`,
  'HS256 signed with the public key': async () => {
    const secret = new TextEncoder().encode(testEnv.CLERK_JWT_KEY);
    return new SignJWT(defaultClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: KID }).sign(secret);
  },
  'wrong azp': () => mintToken({ claims: { azp: 'https://evil.example' } }),
  'issued by another instance (iss)': () => mintToken({ claims: { iss: 'https://clerk.other.test' } }),
  'missing sub': () => mintToken({ omit: ['sub'] }),
  'missing sid': () => mintToken({ omit: ['sid'] }),
  'tampered payload with the original signature': async () => {
    const [h, , s] = (await mintToken()).split('.');
    return `${h}.${enc({ ...defaultClaims(), sub: 'user_admin' })}.${s}`;
  },
  garbage: async () => 'not-a-jwt',
  'three garbage parts': async () => 'a.b.c',
  'empty signature': async () => (await mintToken()).split('.').slice(0, 2).join('.') + '.',
  'an M2M token': () => mintToken({ claims: { sub: 'mch_123' } }),
  'RS256 header with a jwk injected': () =>
    mintToken({ key: 'foreign', header: { kid: undefined, jwk: JSON.parse(testEnv.TEST_INSTANCE_PUBLIC_JWK) as JWK, jku: 'https://evil.example/jwks' } }),
};

describe('bad tokens are refused', () => {
  for (const [name, make] of Object.entries(BAD_TOKENS)) {
    it(`${name}: bearer → 401, origin not called`, async () => {
      await expectRefusedBy('/dashboard/api', 401, { bearer: await make() });
    });

    it(`${name}: cookie on an API call → 401; on a public route → forwarded as signed out`, async () => {
      const token = await make();
      await expectRefusedBy('/dashboard/api', 401, { cookie: sessionCookie(token) });
      const seen = await originSaw(await call('/about', { cookie: sessionCookie(token) }));
      expect(seen.headers['x-auth-session-status']).toBe('signed-out');
      expect(seen.headers['x-auth-user-id']).toBeUndefined();
    });
  }

  it('control: a good token passes both ways (the cases above fail for their defect only)', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
    expect((await originSaw(await call('/dashboard/api', { cookie: sessionCookie(token) }))).headers['x-auth-user-id']).toBe('user_1');
  });

  it('accepts tokens within the 5 s clock skew', async () => {
    const token = await mintToken({ claims: { exp: nowSeconds() - 2, iat: nowSeconds() - 62, nbf: nowSeconds() - 62 } });
    expect((await originSaw(await call('/dashboard/api', { bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
  });
});

describe('claims of the wrong shape inside a valid token (found by the session-claims differential)', () => {
  it('a v1 token whose org_permissions is not a list is signed in without permissions, not a 500', async () => {
    const token = await mintToken({ claims: { v: undefined, sts: undefined, org_id: 'org_v1', org_role: 'org:admin', org_permissions: 'x' } });
    const seen = await originSaw(await call('/dashboard/api', { bearer: token }));
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
    expect(seen.headers['x-auth-org-id']).toBe('org_v1');
    expect(seen.headers['x-auth-org-permissions']).toBeUndefined();
  });
});
