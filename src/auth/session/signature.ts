import { compactVerify, errors, importSPKI, type CryptoKey, type JWSHeaderParameters } from 'jose';

import { REJECTED_TOKENS_KEPT } from '../../config/limits';
import type { JwksGate } from '../limits/jwks-gate';

/** What `@clerk/backend` accepts for session tokens. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];

/** Where verification keys come from: the PEM of `CLERK_JWT_KEY`, or the JWKS the gate fetched. */
export type KeySource = { kind: 'pem'; pem: string } | { kind: 'jwks'; gate: JwksGate };

// No key could be had for the token right now (unknown kid, a JWK that does not import): not
// the token's fault, so not remembered; the JWKS may still bring one.
const NO_KEY = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JWKInvalid];

/**
 * Checks a session token's RSA signature with `jose` and keys imported once per isolate, before
 * `@clerk/backend` sees it. Clerk imports the key again on every verification; with this check
 * a forged or garbled token costs one signature check and no more, and only tokens whose
 * signature holds go on to Clerk for the claims (`iss`, `azp`, `exp`, `nbf`, `sub`, …).
 * `false` here is always a token Clerk would refuse too.
 */
export class SignatureVerifier {
  // In PEM mode Clerk ignores the kid: one key, imported once per algorithm, verifies every token.
  private readonly pemKeys = new Map<string, Promise<CryptoKey>>();
  // Tokens whose signature failed: a replayed forgery is refused without crypto. A failed
  // signature never becomes valid under the same keys, so this cannot turn a good token away.
  private readonly rejected = new Set<string>();

  /** @param maxRejected most failed tokens remembered (oldest forgotten first). @default REJECTED_TOKENS_KEPT (4096) */
  constructor(
    private readonly source: KeySource,
    private readonly maxRejected = REJECTED_TOKENS_KEPT,
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

  private async check(token: string): Promise<'valid' | 'invalid' | 'no-key'> {
    try {
      await compactVerify(token, (header) => this.key(header), { algorithms: ALGORITHMS });
      return 'valid';
    } catch (error) {
      return NO_KEY.some((kind) => error instanceof kind) ? 'no-key' : 'invalid';
    }
  }

  private key(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (this.source.kind === 'jwks') return this.source.gate.key(header);
    const alg = header.alg ?? '';
    let key = this.pemKeys.get(alg);
    if (!key) {
      key = importSPKI(this.source.pem, alg);
      this.pemKeys.set(alg, key);
    }
    return key;
  }
}
