// Bad tokens never pass: each is presented as a bearer token and as a session cookie on a
// protected route, and must be refused without the origin being called.
import { base64url, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import { call, mintToken, newProbe, nowSeconds, originCount, originSaw, sessionCookie, testEnv } from './helpers';

const enc = (v: unknown) => base64url.encode(JSON.stringify(v));

function defaultClaims() {
  const now = nowSeconds();
  return { sub: 'user_1', sid: 'sess_1', iss: 'https://clerk.gateway.test', azp: 'https://gateway.test', iat: now - 1, nbf: now - 1, exp: now + 60, v: 2, sts: 'active' };
}

const BAD_TOKENS: Record<string, () => Promise<string>> = {
  expired: () => mintToken({ claims: { iat: nowSeconds() - 400, nbf: nowSeconds() - 400, exp: nowSeconds() - 30 } }),
  'not yet valid (nbf in 60 s)': () => mintToken({ claims: { nbf: nowSeconds() + 60 } }),
  'iat in the future': () => mintToken({ claims: { iat: nowSeconds() + 60, nbf: nowSeconds() - 1 } }),
  'signed with a foreign key': () => mintToken({ key: 'foreign' }),
  'alg: none': async () => `${enc({ alg: 'none', typ: 'JWT' })}.${enc(defaultClaims())}.`,
  'HS256 signed with the public key': async () => {
    const secret = new TextEncoder().encode(testEnv.CLERK_JWT_KEY);
    return new SignJWT(defaultClaims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'ins_test_key' }).sign(secret);
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
  'RS256 header with a jwk injected': async () => {
    const key = await importJWK(JSON.parse(testEnv.TEST_FOREIGN_PRIVATE_JWK) as JWK, 'RS256');
    const pub = JSON.parse(testEnv.TEST_INSTANCE_PUBLIC_JWK) as JWK;
    return new SignJWT(defaultClaims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT', jwk: pub, jku: 'https://evil.example/jwks' } as never).sign(key);
  },
};

describe('bad tokens are refused', () => {
  for (const [name, make] of Object.entries(BAD_TOKENS)) {
    it(`${name}: bearer → 401, origin not called`, async () => {
      const probe = newProbe('bad-bearer');
      const res = await call('/dashboard/api', { bearer: await make(), probe });
      expect(res.status).toBe(401);
      expect(await originCount(probe)).toBe(0);
    });

    it(`${name}: cookie on an API call → 401; on a public route → forwarded as signed out`, async () => {
      const token = await make();
      const probe = newProbe('bad-cookie');
      expect((await call('/dashboard/api', { cookie: sessionCookie(token), probe })).status).toBe(401);
      expect(await originCount(probe)).toBe(0);
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
