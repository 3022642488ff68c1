import type { JwksGate } from './jwks-gate';
import { base64UrlBytes, splitJwt } from './jwt-header';

const HASHES: Record<string, string> = { RS256: 'SHA-256', RS384: 'SHA-384', RS512: 'SHA-512' };

/** Where verification keys come from: the PEM of `CLERK_JWT_KEY`, or the JWKS the gate fetched. */
export type KeySource = { kind: 'pem'; pem: string } | { kind: 'jwks'; gate: JwksGate };

const encoder = new TextEncoder();

/**
 * Checks a session token's RSA signature with keys imported once per isolate, before
 * `@clerk/backend` sees it. Clerk imports the key again on every verification; with this check
 * a forged or garbled token costs one signature check and no more, and only tokens whose
 * signature holds go on to Clerk for the claims (`iss`, `azp`, `exp`, `nbf`, `sub`, …).
 * `false` here is always a token Clerk would refuse too.
 */
export class SignatureVerifier {
  private readonly keys = new Map<string, Promise<CryptoKey | null>>();
  // Tokens whose signature failed: a replayed forgery is refused without crypto. A failed
  // signature never becomes valid under the same keys, so this cannot turn a good token away.
  private readonly rejected = new Set<string>();

  /** @param maxRejected most failed tokens remembered (oldest forgotten first). @default 4096 */
  constructor(
    private readonly source: KeySource,
    private readonly maxRejected = 4096,
  ) {}

  async verify(token: string): Promise<boolean> {
    if (this.rejected.has(token)) return false;
    const result = await this.check(token);
    if (result === 'invalid') {
      this.rejected.add(token);
      if (this.rejected.size > this.maxRejected) this.rejected.delete(this.rejected.values().next().value as string);
    }
    return result === 'valid';
  }

  /** `no-key` (no key for its kid right now) is not remembered: the JWKS may still bring one. */
  private async check(token: string): Promise<'valid' | 'invalid' | 'no-key'> {
    const jwt = splitJwt(token);
    if (!jwt || !jwt.parts[2]) return 'invalid';
    const { parts, header } = jwt;
    let signature: Uint8Array<ArrayBuffer>;
    try {
      signature = base64UrlBytes(parts[2]);
    } catch {
      return 'invalid';
    }
    if (typeof header.alg !== 'string' || !HASHES[header.alg]) return 'invalid';
    const key = await this.key(typeof header.kid === 'string' ? header.kid : undefined, header.alg);
    if (!key) return 'no-key';
    const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, encoder.encode(`${parts[0]}.${parts[1]}`));
    return valid ? 'valid' : 'invalid';
  }

  private key(kid: string | undefined, alg: string): Promise<CryptoKey | null> {
    // In PEM mode Clerk ignores the kid: one key verifies every token.
    const id = this.source.kind === 'pem' ? `pem|${alg}` : `${kid}|${alg}`;
    let key = this.keys.get(id);
    if (!key) {
      key = this.importKey(kid, alg);
      this.keys.set(id, key);
    }
    return key;
  }

  private async importKey(kid: string | undefined, alg: string): Promise<CryptoKey | null> {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: HASHES[alg]! };
    try {
      if (this.source.kind === 'pem') {
        const body = this.source.pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
        return await crypto.subtle.importKey('spki', base64UrlBytes(body), algorithm, false, ['verify']);
      }
      const jwk = kid === undefined ? undefined : this.source.gate.jwk(kid);
      if (!jwk || jwk.kty !== 'RSA' || !jwk.n || !jwk.e) {
        this.keys.delete(`${kid}|${alg}`);
        return null;
      }
      return await crypto.subtle.importKey('jwk', { kty: 'RSA', n: jwk.n, e: jwk.e }, algorithm, false, ['verify']);
    } catch (error) {
      console.error(`edge-auth-gateway: could not import the verification key (${alg}):`, error);
      return null;
    }
  }
}
