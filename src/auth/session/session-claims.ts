import { __experimental_JWTPayloadToAuthObjectProperties as authObjectProperties } from '@clerk/shared/jwtPayloadParser';
import type { JWSHeaderParameters } from 'jose';

import { identityFromAuth } from '../identity';
import type { AuthFailure, Identity } from '../result';
import { checkTimeClaims, issuedBeforeClient } from '../time-claims';

// @clerk/backend's JWT categories (src/tokens/jwtCategories.ts): a session token carries none,
// the session one, or the "ignore" one; anything else (the M2M one) is another kind of token.
const SESSION_CATEGORIES = [undefined, 'cl_B7d4PD111AAA', 'cl_I7d4PD111III'];
const M2M_SUBJECT_PREFIX = 'mch_';

/** Options for {@link acceptSessionClaims}. */
export interface SessionClaimsOptions {
  /** The instance's Frontend API URL: `iss` must equal it. */
  issuer: string;
  /** Accepted `azp` origins; never empty here. */
  authorizedParties: readonly string[];
  /** Milliseconds since the epoch. */
  nowMs: number;
  /** From a cookie session: the `__client_uat` it came with (Clerk handshakes when `iat` is older). */
  clientUat?: number;
}

/**
 * What the claims of a session token whose signature holds come to under `@clerk/backend`'s
 * checks, in Clerk's order: `invalid` (header type, JWT category, `sub`, `azp`, `iss`), then
 * `expired` (`exp`), `not-yet-valid` (`nbf`, `iat` in the future, with the 5 s skew), and on the
 * cookie path (`clientUat` given) `older-than-client` (`iat` before `__client_uat`, which Clerk
 * checks first there and answers with a handshake or signed out). `ok` when all hold.
 */
export type ClaimsVerdict = 'ok' | 'invalid' | 'expired' | 'not-yet-valid' | 'older-than-client';

export function checkSessionClaims(header: JWSHeaderParameters, payload: Record<string, unknown> | undefined, options: SessionClaimsOptions): ClaimsVerdict {
  if (!payload) return 'invalid';
  if (header.typ !== undefined && header.typ !== 'JWT') return 'invalid';
  if (!SESSION_CATEGORIES.includes(header.cat as string | undefined)) return 'invalid';

  const { sub, azp, iss, iat } = payload;
  if (typeof sub !== 'string' || sub.startsWith(M2M_SUBJECT_PREFIX)) return 'invalid';
  if (!azp || typeof azp !== 'string' || !options.authorizedParties.includes(azp)) return 'invalid';
  if (typeof iss !== 'string' || iss !== options.issuer) return 'invalid';

  const times = checkTimeClaims(payload, { nowMs: options.nowMs });
  if (times !== 'ok') return times;
  // Checked by Clerk before verification on the cookie path.
  if (options.clientUat !== undefined && issuedBeforeClient(iat, options.clientUat)) return 'older-than-client';
  return 'ok';
}

/**
 * The identity in a session token whose signature holds, when `@clerk/backend`'s
 * `authenticateRequest` (session tokens only, `issuer` and `authorizedParties` set) would sign it
 * in, or `undefined` when it would not, or would answer otherwise (a handshake, a refresh). The
 * checks are Clerk's ({@link checkSessionClaims}), and the identity is Clerk's own reading of the
 * claims (`@clerk/shared`'s JWT payload parser) made header-safe. `undefined` is never an answer
 * by itself: the caller asks Clerk, which stays the authority for every refusal, handshake and
 * refresh. test/unit/auth/session/session-claims.test.ts holds the two to the same answers.
 * Clerk's parser throws on claims it cannot read (a `fea` element without a colon, an `fpm` that is
 * not a string): the caller treats that as signed out ({@link readSessionClaims}).
 */
export function acceptSessionClaims(
  header: JWSHeaderParameters,
  payload: Record<string, unknown> | undefined,
  options: SessionClaimsOptions,
): Identity | undefined {
  if (!payload || checkSessionClaims(header, payload, options) !== 'ok') return undefined;
  return identityFromAuth(authObjectProperties(payload as Parameters<typeof authObjectProperties>[0]), payload);
}

/**
 * Runs `read` (something that reads a token's claims with Clerk's parser); a throw is the
 * `ERR_SESSION_CLAIMS` failure, logged with its cause: signed out, never a 500.
 */
export function readSessionClaims<T>(read: () => T): { ok: true; value: T } | { ok: false; failure: Extract<AuthFailure, { code: 'ERR_SESSION_CLAIMS' }> } {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    console.error("edge-auth-gateway: the session token's claims could not be read, treating the request as signed out:", error);
    return { ok: false, failure: { code: 'ERR_SESSION_CLAIMS', cause: error instanceof Error ? error.message : String(error) } };
  }
}
