// Clerk-shaped session tokens, for the tests (inside workerd), the benchmark and the demo (Node):
// the claims of a Clerk v2 session token and an RS256 compact JWS over them. jose signs with a
// WebCrypto CryptoKey, a node:crypto KeyObject or a JWK alike, so the one module serves both sides.
// Types: session-token.d.mts.
import { SignJWT } from 'jose';

/** Seconds since the epoch, as JWT time claims count. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims of a Clerk v2 session token issued a second before `now`, valid for `lifetime` seconds. */
export function sessionClaims({ sub, sid, issuer, azp, status = 'active', lifetime = 60, now = nowSeconds() }) {
  return { sub, sid, iss: issuer, azp, iat: now - 1, nbf: now - 1, exp: now + lifetime, v: 2, sts: status };
}

/** A compact JWS of `payload` with the protected header { alg: 'RS256', typ: 'JWT' } and `header` merged over it. */
export function signJwt(payload, key, header = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header }).sign(key);
}

/**
 * A session token: sessionClaims with `claims` merged over them and the names in `omit` deleted,
 * signed with `key` under `kid` (`header` merged over the protected header).
 */
export function mintSessionToken({ key, kid, header = {}, claims = {}, omit = [], ...defaults }) {
  const payload = { ...sessionClaims(defaults), ...claims };
  for (const name of omit) delete payload[name];
  return signJwt(payload, key, { kid, ...header });
}
