// The signature check in front of Clerk (src/auth/session/signature.ts): keys imported once, only RSA, and
// `false` only for tokens Clerk refuses too.
import { base64url, importJWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';

import { SignatureVerifier } from '../../../../src/auth/session/signature';
import { mintToken, privateJwk, sessionClaims as claims, testEnv } from '../../../helpers';

const pem = () => new SignatureVerifier({ kind: 'pem', pem: testEnv.CLERK_JWT_KEY! });

describe('SignatureVerifier', () => {
  // With a PEM, @clerk/backend builds a JWK with alg RS256 and imports it with the token's hash:
  // RS384/RS512 tokens fail that import, so Clerk refuses them (found by session-claims.test.ts).
  it('accepts the instance key with RS256 whatever the kid, and refuses RS384 (as Clerk does with a PEM)', async () => {
    const verifier = pem();
    expect(await verifier.verify(await mintToken())).toBe(true);
    expect(await verifier.verify(await mintToken({ header: { kid: 'some-other-kid' } }))).toBe(true);
    const key = await importJWK({ ...privateJwk(), alg: 'RS384' }, 'RS384');
    expect(await verifier.verify(await new SignJWT(claims()).setProtectedHeader({ alg: 'RS384' }).sign(key))).toBe(false);
  });

  it('refuses foreign keys, alg none, HMAC with the public key, tampering and garbage', async () => {
    const verifier = pem();
    const good = await mintToken();
    const [h, p, s] = good.split('.');
    const hmac = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(testEnv.CLERK_JWT_KEY));
    for (const bad of [
      await mintToken({ key: 'foreign' }),
      `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${p}.`,
      hmac,
      `${h}.${base64url.encode(JSON.stringify({ ...claims(), sub: 'user_admin' }))}.${s}`,
      `${h}.${p}.${s!.slice(0, -4)}AAAA`,
      'garbage',
      'a.b.c',
      '',
    ]) {
      expect(await verifier.verify(bad), bad.slice(0, 40)).toBe(false);
    }
    // A remembered forgery stays refused; the good token is unaffected.
    expect(await verifier.verify(await mintToken({ key: 'foreign' }))).toBe(false);
    expect(await verifier.verify(good)).toBe(true);
  });

  it('remembers a bounded number of forgeries', async () => {
    const verifier = new SignatureVerifier({ kind: 'pem', pem: testEnv.CLERK_JWT_KEY! }, 2);
    for (const t of ['x.y.1', 'x.y.2', 'x.y.3']) expect(await verifier.verify(t)).toBe(false);
    expect((verifier as unknown as { rejected: Set<string> }).rejected.size).toBe(2);
  });
});
