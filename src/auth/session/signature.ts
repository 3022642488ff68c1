import { errors, importSPKI, type CryptoKey, type JWSHeaderParameters } from 'jose';

import { REJECTED_TOKENS_KEPT } from '../../config/limits';
import { BoundedMap } from '../../runtime/bounded-map';
import type { JwksGate } from '../limits/jwks-gate';
import type { JwtJson } from '../jwt';
import { payloadObject, readCompactJws } from './compact-jws';
import { usableRsaKey } from './rsa-key';

// What `@clerk/backend` accepts for session tokens: RS256/384/512 against a JWK of the JWKS (whose
// `alg`, when it has one, jose matches as Clerk's import does), but only RS256 with a PEM, from
// which Clerk builds a JWK with `alg: 'RS256'` that no other hash imports.
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
const PEM_ALGORITHMS = ['RS256'];

/** Where verification keys come from: the PEM of `CLERK_JWT_KEY`, or the JWKS the gate fetched. */
export type KeySource = { kind: 'pem'; pem: string } | { kind: 'jwks'; gate: JwksGate };

// No key could be had for the token right now (unknown kid, a JWK that does not import): not
// the token's fault, so not remembered; the JWKS may still bring one.
const NO_KEY = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JWKInvalid];

/** A token whose signature holds under the instance's key. */
export interface SignedToken {
  header: JWSHeaderParameters;
  payload: Record<string, unknown> | undefined;
}

/**
 * Checks a session token's RSA signature with `crypto.subtle.verify` on the bytes read once from
 * the token (src/auth/session/compact-jws.ts: what jose's compactVerify checked, without its
 * copies) and keys imported once per isolate with `jose`, before
 * `@clerk/backend` sees it. Clerk imports the key again on every verification; with this check
 * a forged or garbled token costs one signature check and no more, and only tokens whose
 * signature holds go on to Clerk for the claims (`iss`, `azp`, `exp`, `nbf`, `sub`, …).
 * `false` here is always a token Clerk would refuse too.
 */
export class SignatureVerifier {
  // In PEM mode Clerk ignores the kid: one key, imported once per algorithm, verifies every token.
  // The import while it runs, then the key itself: a key imported before is used without an `await`.
  private readonly pemKeys = new Map<string, CryptoKey | Promise<CryptoKey>>();
  // Tokens whose signature failed: a replayed forgery is refused without crypto. A failed
  // signature never becomes valid under the same keys, so this cannot turn a good token away.
  private readonly rejected: BoundedMap<string, true>;

  /** @param maxRejected most failed tokens remembered (oldest forgotten first). @default REJECTED_TOKENS_KEPT (4096) */
  constructor(
    private readonly source: KeySource,
    maxRejected = REJECTED_TOKENS_KEPT,
  ) {
    this.rejected = new BoundedMap({ maxEntries: maxRejected });
  }

  async verify(token: string): Promise<boolean> {
    return (await this.verified(token)) !== undefined;
  }

  /**
   * The protected header and the payload (parsed; `undefined` when it is not a JSON object) of a
   * token whose signature holds, or `undefined` when it does not. `json`: the token's header and
   * payload JSON as decoded before (`bearerKind`), read instead of decoding them again.
   */
  async verified(token: string, json?: JwtJson): Promise<SignedToken | undefined> {
    if (this.rejected.has(token)) return undefined;
    const result = await this.check(token, json);
    if (result === 'invalid') this.rejected.set(token, true);
    return typeof result === 'string' ? undefined : result;
  }

  private async check(token: string, json: JwtJson | undefined): Promise<SignedToken | 'invalid' | 'no-key'> {
    const jws = readCompactJws(token, this.source.kind === 'pem' ? PEM_ALGORITHMS : JWKS_ALGORITHMS, json);
    if (!jws) return 'invalid';
    let key: CryptoKey;
    try {
      const known = this.key(jws.header);
      // An `await` is a turn of the microtask queue: none for a key imported before.
      key = known instanceof Promise ? await known : known;
    } catch (error) {
      return NO_KEY.some((kind) => error instanceof kind) ? 'no-key' : 'invalid';
    }
    let valid: boolean;
    try {
      // The key was imported for exactly this alg (its hash), so no per-call key checks remain.
      valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, jws.signature, jws.signingInput);
    } catch {
      valid = false;
    }
    return valid ? { header: jws.header, payload: payloadObject(jws) } : 'invalid';
  }

  private key(header: JWSHeaderParameters & { alg: string }): CryptoKey | Promise<CryptoKey> {
    if (this.source.kind === 'jwks') return this.source.gate.key(header);
    const { alg } = header;
    let key = this.pemKeys.get(alg);
    if (!key) {
      key = importSPKI(this.source.pem, alg)
        .then(usableRsaKey)
        .then((imported) => {
          this.pemKeys.set(alg, imported);
          return imported;
        });
      this.pemKeys.set(alg, key);
    }
    return key;
  }
}
