// Verifies the edge-auth-gateway's X-Auth-Assertion in an Express (4 or 5) app.
//
// Paste this file into your app (it needs `jose`, v5 or v6: `npm install jose`) and put the
// middleware in front of what the gateway protects:
//
//   import { gatewayAssertion } from './express-assertion.mjs';
//   app.use(gatewayAssertion({
//     issuer: 'https://app.example.com',               // the gateway's own origin
//     audience: 'http://10.0.0.5:8080',                // ASSERTION_AUDIENCE, or the origin of ORIGIN_URL
//     jwksUrl: 'https://app.example.com/.well-known/edge-auth-gateway/jwks.json',
//     // or, with no network call: jwks: { keys: [ …the public JWK(s)… ] },
//   }));
//   app.get('/me', (req, res) => res.json({ user: req.gatewayIdentity.userId }));
//
// A request passes only if its assertion is signed (ES256) by a key of the JWKS, by this gateway
// (`iss`), for this origin (`aud`), unexpired (`exp`, `iat`, with `clockTolerance` seconds of
// leeway), and for this very request: `req` is base64url(SHA-256("<METHOD> <request-target>")),
// recomputed here from `req.method` and `req.originalUrl`, the request-target exactly as Node read
// it from the request line (still percent-encoded, with the query; Express never rewrites it, even
// under `app.use('/prefix', …)`). An assertion replayed to another path, query or method, or
// after 30 s, is refused. Anything else is answered 401 `{ error: 'invalid_assertion', reason }`
// (or handed to `onReject`), and the next handlers never run.
//
// If a proxy between the gateway and this app rewrites the path (nginx `proxy_pass` with a URI,
// a path-stripping ingress), the binding no longer matches: pass the request line through as is.
import { createHash } from 'node:crypto';

import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';

export const ASSERTION_HEADER = 'x-auth-assertion';

/** Why an assertion was refused (the same codes as the Python and PHP verifiers). */
export class AssertionRejected extends Error {
  /** @param {string} reason @param {string} [detail] */
  constructor(reason, detail) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.reason = reason;
  }
}

/** The `req` claim for a request: base64url(SHA-256 of the UTF-8 of "<METHOD> <target>"), no padding. */
export function requestBinding(method, target) {
  return createHash('sha256').update(`${method} ${target}`, 'utf8').digest('base64url');
}

/**
 * The public keys to verify with: a pasted JWKS (`{ keys: [...] }`, an object or its JSON), or the
 * gateway's JWKS URL, cached `cacheMaxAge` ms (default 5 min, as the gateway's Cache-Control) and
 * fetched again for an unknown `kid` at most once per `cooldownDuration` ms (default 30 s).
 */
export function assertionKeys({ jwks, jwksUrl, cacheMaxAge = 300_000, cooldownDuration = 30_000, timeoutDuration = 2_000 }) {
  if (jwks) return createLocalJWKSet(typeof jwks === 'string' ? JSON.parse(jwks) : jwks);
  if (jwksUrl) return createRemoteJWKSet(new URL(jwksUrl), { cacheMaxAge, cooldownDuration, timeoutDuration });
  throw new TypeError('gatewayAssertion: give `jwks` (the pasted JWKS) or `jwksUrl`');
}

function rejection(error) {
  if (error instanceof AssertionRejected) return error;
  const reasons = [
    [errors.JWSSignatureVerificationFailed, 'signature'],
    [errors.JWKSNoMatchingKey, 'unknown_kid'],
    [errors.JWKSMultipleMatchingKeys, 'unknown_kid'],
    [errors.JWKSTimeout, 'jwks_unavailable'],
    [errors.JWKSInvalid, 'jwks_unavailable'],
    [errors.JOSEAlgNotAllowed, 'algorithm'],
    [errors.JWTExpired, 'expired'],
  ];
  for (const [type, reason] of reasons) if (error instanceof type) return new AssertionRejected(reason, error.message);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const byClaim = { iss: 'issuer', aud: 'audience', nbf: 'not_yet_valid', iat: 'not_yet_valid' };
    const reason = error.reason === 'check_failed' ? byClaim[error.claim] : undefined;
    return new AssertionRejected(reason ?? 'claims', error.message);
  }
  // jose's plain JOSEError: the JWKS URL did not answer 200 with a JSON object.
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return new AssertionRejected('jwks_unavailable', error.message);
  if (error instanceof errors.JOSEError) return new AssertionRejected('malformed', error.message);
  // Anything else is the JWKS fetch failing (fetch rejects with a TypeError).
  return new AssertionRejected('jwks_unavailable', String(error?.message ?? error));
}

/**
 * Verifies one assertion for one request. Resolves with the claims; rejects with an
 * {@link AssertionRejected}. Usable outside Express: `target` is the raw request-target.
 */
export async function verifyAssertion(assertion, { method, target }, { keys, issuer, audience, clockTolerance = 5 }) {
  if (typeof assertion !== 'string' || assertion === '') throw new AssertionRejected('missing');
  // A repeated header arrives joined with ", ": no compact JWS has a comma or a space.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(assertion)) throw new AssertionRejected('malformed');
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      issuer,
      audience,
      algorithms: ['ES256'],
      clockTolerance,
      requiredClaims: ['iat', 'exp', 'sts', 'req'],
    }));
  } catch (error) {
    throw rejection(error);
  }
  // jose checks `exp` (with the tolerance) but not an `iat` in the future.
  if (payload.iat > Date.now() / 1000 + clockTolerance) throw new AssertionRejected('not_yet_valid', 'iat is in the future');
  if (typeof payload.req !== 'string' || typeof payload.sts !== 'string') throw new AssertionRejected('claims');
  if (payload.req !== requestBinding(method, target)) throw new AssertionRejected('binding', `not for ${method} ${target}`);
  return payload;
}

/** What the app reads as `req.gatewayIdentity`. */
export function identityOf(claims) {
  return {
    status: claims.sts, // 'active' | 'pending' | 'signed-out'
    userId: claims.sub ?? null,
    sessionId: claims.sid ?? null,
    orgId: claims.org_id ?? null,
    orgRole: claims.org_role ?? null,
    orgSlug: claims.org_slug ?? null,
    orgPermissions: claims.org_permissions ?? [],
    claims,
  };
}

/**
 * Express middleware: verifies X-Auth-Assertion, sets `req.gatewayIdentity` and calls `next()`;
 * otherwise answers 401 (or calls `onReject(rejected, req, res, next)`).
 *
 * @param {{ issuer: string, audience: string, jwks?: object | string, jwksUrl?: string,
 *   clockTolerance?: number, cacheMaxAge?: number, cooldownDuration?: number,
 *   onReject?: (rejected: AssertionRejected, req: any, res: any, next: Function) => void }} options
 */
export function gatewayAssertion(options) {
  const { issuer, audience, clockTolerance = 5, onReject } = options;
  if (!issuer || !audience) throw new TypeError('gatewayAssertion: `issuer` and `audience` are required');
  const keys = assertionKeys(options);
  return function verifyGatewayAssertion(req, res, next) {
    verifyAssertion(req.get(ASSERTION_HEADER), { method: req.method, target: req.originalUrl }, { keys, issuer, audience, clockTolerance }).then(
      (claims) => {
        req.gatewayIdentity = identityOf(claims);
        next();
      },
      (error) => {
        const rejected = rejection(error);
        if (onReject) return onReject(rejected, req, res, next);
        res.status(401).json({ error: 'invalid_assertion', reason: rejected.reason });
      },
    );
  };
}
