// What jose's compactVerify enforced before the gateway checked signatures itself
// (src/auth/session/compact-jws.ts, src/auth/session/signature.ts), each with a token signed by the
// instance's own key, so that only the check under test can refuse it: the JWS's shape, `alg`
// against the allowed list and against the key, `crit` and `b64`, `kid` in JWKS mode, the
// segments' encoding. `typ` is checked with the claims (session-claims.ts) and covered by the
// differential against @clerk/backend (session-claims.test.ts), as are padding and leftover bits.
import { base64url, type CryptoKey, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import { JwksGate } from '../../../../src/auth/limits/jwks-gate';
import { jwtJson } from '../../../../src/auth/jwt';
import { bearerKind } from '../../../../src/auth/machine/token-kind';
import { payloadObject, readCompactJws } from '../../../../src/auth/session/compact-jws';
import { SignatureVerifier } from '../../../../src/auth/session/signature';
import { KID, privateJwk, sessionClaims, testEnv } from '../../../helpers';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same bytes with a bit set in the last character's unused low bits: atob reads it alike, Clerk throws. */
const leftover = (segment: string) => segment.slice(0, -1) + ALPHABET[ALPHABET.indexOf(segment.at(-1)!) | 1];

const HASH: Record<string, string> = { RS256: 'SHA-256', RS384: 'SHA-384', RS512: 'SHA-512' };

/** A compact JWS over any header, signed with `hash` by the instance key (jose would refuse to sign some of these headers). */
async function signRaw(header: unknown, { hash = 'SHA-256', payload = sessionClaims(), key = privateJwk() }: { hash?: string; payload?: unknown; key?: JWK } = {}): Promise<string> {
  const { alg: _alg, ...jwk } = key;
  const signer = (await crypto.subtle.importKey('jwk', jwk as JsonWebKey, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign'])) as CryptoKey;
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', signer, new TextEncoder().encode(input)));
  return `${input}.${base64url.encode(signature)}`;
}

const publicJwk = (extra: Record<string, unknown> = {}): JWK => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, alg: _alg, ...pub } = privateJwk();
  return { ...pub, kid: KID, ...extra } as JWK;
};

/** A verifier in JWKS mode whose key set is these JWKs (loaded before the first check). */
async function jwksVerifier(keys: JWK[]): Promise<SignatureVerifier> {
  const gate = new JwksGate({ secretKey: 'sk_test_x', apiUrl: 'https://api.test', fetch: (async () => Response.json({ keys })) as typeof fetch });
  expect(await gate.admits([await signRaw({ alg: 'RS256', kid: KID })])).toBe('admitted');
  return new SignatureVerifier({ kind: 'jwks', gate });
}

const pem = () => new SignatureVerifier({ kind: 'pem', pem: testEnv.CLERK_JWT_KEY! });

describe('the compact JWS read before the signature check', () => {
  it('accepts the instance key on a plain header, in both key modes (the control for every refusal below)', async () => {
    const token = await signRaw({ alg: 'RS256', kid: KID, typ: 'JWT' });
    expect(await pem().verify(token)).toBe(true);
    expect(await (await jwksVerifier([publicJwk()])).verify(token)).toBe(true);
  });

  it('refuses a protected header that is not a JSON object, and an alg that is missing, not a string or not allowed', async () => {
    for (const header of [['RS256'], 'RS256', null, 7, { kid: KID }, { alg: 256, kid: KID }, { alg: 'rs256', kid: KID }, { alg: 'PS256', kid: KID }, { alg: 'none', kid: KID }]) {
      expect(await pem().verify(await signRaw(header)), JSON.stringify(header)).toBe(false);
    }
  });

  it('refuses a token whose alg does not match the key: RS384 with the PEM, RS384 against a JWK that says RS256', async () => {
    const rs384 = await signRaw({ alg: 'RS384', kid: KID }, { hash: HASH.RS384 });
    expect(await pem().verify(rs384)).toBe(false);
    expect(await (await jwksVerifier([publicJwk({ alg: 'RS256' })])).verify(rs384)).toBe(false);
    // Without an alg on the JWK, the key is imported for the token's hash: RS384 holds.
    expect(await (await jwksVerifier([publicJwk()])).verify(rs384)).toBe(true);
    // And a token signed with one hash but claiming another never holds.
    expect(await (await jwksVerifier([publicJwk()])).verify(await signRaw({ alg: 'RS512', kid: KID }, { hash: HASH.RS256 }))).toBe(false);
  });

  it('refuses JWKs jose would not verify with: use other than sig, key_ops without verify, another kty', async () => {
    const token = await signRaw({ alg: 'RS256', kid: KID });
    for (const extra of [{ use: 'enc' }, { key_ops: ['encrypt'] }]) {
      expect(await (await jwksVerifier([publicJwk(extra)])).verify(token), JSON.stringify(extra)).toBe(false);
    }
    const ec = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const ecJwk = { ...((await crypto.subtle.exportKey('jwk', (ec as CryptoKeyPair).publicKey)) as JWK), kid: KID };
    expect(await (await jwksVerifier([ecJwk])).verify(token)).toBe(false);
  });

  it('refuses RSA keys shorter than 2048 bits, as jose checks on every verification', async () => {
    const small = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const smallPrivate = (await crypto.subtle.exportKey('jwk', small.privateKey)) as JWK;
    const smallPublic = { ...((await crypto.subtle.exportKey('jwk', small.publicKey)) as JWK), kid: KID };
    const token = await signRaw({ alg: 'RS256', kid: KID }, { key: smallPrivate });
    expect(await (await jwksVerifier([smallPublic])).verify(token)).toBe(false);
  });

  it('in JWKS mode, refuses a header without a string kid or with a kid the key set lacks', async () => {
    const verifier = await jwksVerifier([publicJwk()]);
    for (const header of [{ alg: 'RS256' }, { alg: 'RS256', kid: 7 }, { alg: 'RS256', kid: 'ins_other' }]) {
      expect(await verifier.verify(await signRaw(header)), JSON.stringify(header)).toBe(false);
    }
    expect(await verifier.verify(await signRaw({ alg: 'RS256', kid: KID }))).toBe(true);
  });

  it('honours crit: an unknown critical extension, a malformed crit, or b64 false is refused; crit b64 with b64 true is a plain token', async () => {
    for (const header of [
      { crit: ['exp'], exp: 1 },
      { crit: ['b64', 'exp'], b64: true, exp: 1 },
      { crit: [] },
      { crit: 'b64', b64: true },
      { crit: [''] },
      { crit: ['b64'] },
      { crit: ['b64'], b64: 'true' },
      { crit: ['b64'], b64: false },
    ]) {
      expect(await pem().verify(await signRaw({ alg: 'RS256', kid: KID, ...header })), JSON.stringify(header)).toBe(false);
    }
    expect(await pem().verify(await signRaw({ alg: 'RS256', kid: KID, crit: ['b64'], b64: true }))).toBe(true);
    // b64 outside crit means nothing (RFC 7797 §6): the payload is base64url as usual.
    expect(await pem().verify(await signRaw({ alg: 'RS256', kid: KID, b64: false }))).toBe(true);
  });

  it('refuses segments Clerk cannot decode and any number of segments but three', async () => {
    const good = await signRaw({ alg: 'RS256', kid: KID });
    const [h, p, s] = good.split('.') as [string, string, string];
    for (const bad of [`${h}.${p}`, `${good}.`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}x`, `${h}.${p}.${s} `, `${h}.${p}.${s}B`, `${h}.${p}.${leftover(s)}`, `.${p}.${s}`]) {
      expect(readCompactJws(bad, ['RS256']), bad.slice(-20)).toBeUndefined();
      expect(await pem().verify(bad)).toBe(false);
    }
    const read = readCompactJws(good, ['RS256']);
    expect(read?.header).toEqual({ alg: 'RS256', kid: KID });
    expect(new TextDecoder().decode(read?.signingInput)).toBe(`${h}.${p}`);
  });

  it('refuses a payload that is not a JSON object after the signature holds (no identity can come of it)', async () => {
    for (const payload of [[1], 'x', null]) {
      const verified = await pem().verified(await signRaw({ alg: 'RS256', kid: KID }, { payload }));
      expect(verified?.payload, JSON.stringify(payload)).toBeUndefined();
    }
  });

  it('takes the JSON a bearer was told apart by only for the segments it reads the same way, and refuses the same tokens with it', async () => {
    const good = await signRaw({ alg: 'RS256', kid: KID });
    const [h, p, s] = good.split('.') as [string, string, string];
    const { kind, json } = bearerKind(good);
    expect(kind).toBeUndefined();
    expect(json).toEqual(jwtJson(good));
    const read = readCompactJws(good, ['RS256'], json);
    expect(read?.header).toBe(json?.header);
    expect(payloadObject(read!)).toBe(json?.payload);
    expect(payloadObject(read!)).toEqual(payloadObject(readCompactJws(good, ['RS256'])!));
    expect(await pem().verified(good, json)).toEqual(await pem().verified(good));
    // A padded or leftover-bit segment is not read from the earlier JSON: Clerk's decoder decides it.
    // The leftover-bit one is in Clerk's JWT format (bearerKind's JSON says urlSafe): its bits are still checked.
    expect(p.length % 4).not.toBe(0);
    expect(bearerKind(`${h}.${leftover(p)}.${s}`).json?.urlSafe).toBe(true);
    for (const bad of [`${h}=.${p}.${s}`, `${h}.${p}=.${s}`, `${h}.${leftover(p)}.${s}`, `${h}.${p}.${leftover(s)}`]) {
      const known = bearerKind(bad).json ?? { ...json!, urlSafe: false };
      const withJson = readCompactJws(bad, ['RS256'], known);
      const without = readCompactJws(bad, ['RS256']);
      expect(withJson?.header, bad.slice(0, 20)).toEqual(without?.header);
      expect(withJson && payloadObject(withJson), bad.slice(0, 20)).toEqual(without && payloadObject(without));
      expect(await pem().verify(bad)).toBe(false);
    }
  });
});
