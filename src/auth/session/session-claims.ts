import { __experimental_JWTPayloadToAuthObjectProperties as authObjectProperties } from '@clerk/shared/jwtPayloadParser';
import type { JWSHeaderParameters } from 'jose';

import { CLOCK_SKEW_MS } from '../../config/limits';
import { identityFromAuth } from '../identity';
import type { Identity } from '../result';

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

// As @clerk/backend computes a claim's time: Date#setUTCSeconds, which truncates fractions.
function claimMs(seconds: number): number {
  const date = new Date(0);
  date.setUTCSeconds(seconds);
  return date.getTime();
}

/**
 * The identity in a session token whose signature holds, when `@clerk/backend`'s
 * `authenticateRequest` (session tokens only, `issuer` and `authorizedParties` set) would sign it
 * in, or `undefined` when it would not, or would answer otherwise (a handshake, a refresh). The
 * checks are Clerk's, in Clerk's terms (`assertHeaderType`, the JWT category, `isM2MJwt`, then
 * `verifyJwt`'s `sub`, `azp`, `iss`, `exp`, `nbf`, `iat` with its 5 s skew, and the cookie path's
 * `iat` against `__client_uat`), and the identity is Clerk's own reading of the claims
 * (`@clerk/shared`'s JWT payload parser) made header-safe. `undefined` is never an answer by
 * itself: the caller asks Clerk, which stays the authority for every refusal, handshake and
 * refresh. test/unit/auth/session/session-claims.test.ts holds the two to the same answers.
 */
export function acceptSessionClaims(
  header: JWSHeaderParameters,
  payload: Record<string, unknown> | undefined,
  options: SessionClaimsOptions,
): Identity | undefined {
  if (!payload) return undefined;
  if (header.typ !== undefined && header.typ !== 'JWT') return undefined;
  if (!SESSION_CATEGORIES.includes(header.cat as string | undefined)) return undefined;

  const { sub, azp, iss, exp, nbf, iat } = payload;
  if (typeof sub !== 'string' || sub.startsWith(M2M_SUBJECT_PREFIX)) return undefined;
  if (!azp || typeof azp !== 'string' || !options.authorizedParties.includes(azp)) return undefined;
  if (typeof iss !== 'string' || iss !== options.issuer) return undefined;

  const { nowMs } = options;
  if (typeof exp !== 'number' || claimMs(exp) <= nowMs - CLOCK_SKEW_MS) return undefined;
  if (nbf !== undefined && (typeof nbf !== 'number' || claimMs(nbf) > nowMs + CLOCK_SKEW_MS)) return undefined;
  if (iat !== undefined && (typeof iat !== 'number' || claimMs(iat) > nowMs + CLOCK_SKEW_MS)) return undefined;
  // Checked by Clerk before verification on the cookie path, with JavaScript's `<`.
  if (options.clientUat !== undefined && (iat as number) < options.clientUat) return undefined;

  return identityFromAuth(authObjectProperties(payload as Parameters<typeof authObjectProperties>[0]), payload);
}
