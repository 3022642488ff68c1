import type { CryptoKey } from 'jose';

/**
 * An imported RSA verification key, if it is one jose would verify with: a modulus of at least
 * 2048 bits (jose's `checkModulusLength`, run on every verification; here once, at import). A
 * shorter key throws, so no token verifies under it.
 */
export function usableRsaKey(key: CryptoKey): CryptoKey {
  const { modulusLength } = key.algorithm as { modulusLength?: unknown };
  if (typeof modulusLength !== 'number' || modulusLength < 2048) throw new TypeError('RSA verification keys must have a modulus of 2048 bits or more');
  return key;
}
