import { CLOCK_SKEW_MS } from '../config/limits';

// Every check of `exp`, `nbf` and `iat` in the gateway goes through this file (as jose's
// validateClaimsSet is jose's one home for them), with `@clerk/backend`'s arithmetic: the gateway
// must sign in exactly the tokens Clerk would, at every instant, fractions of a second included.

// A Date's range (ECMA-262 TimeClip: ±8.64e15 ms), in seconds.
const MAX_DATE_SECONDS = 8.64e12;

/**
 * A time claim (seconds since the epoch) in milliseconds, as `@clerk/backend`'s `verifyJwt`
 * computes it: `new Date(0).setUTCSeconds(seconds)`. That truncates a fraction toward zero
 * (`1.9` → 1000 ms, `-1.9` → -1000 ms), where `seconds * 1000` would not, and is `NaN` past the
 * range of a `Date` (±8.64e12 s), which no comparison then trips, as in Clerk.
 */
export function claimMs(seconds: number): number {
  // Whole seconds within a Date's range (every real token's): the same value without a Date (+0 for -0, as Date).
  if (Number.isInteger(seconds) && Math.abs(seconds) <= MAX_DATE_SECONDS) return seconds * 1000 + 0;
  const date = new Date(0);
  date.setUTCSeconds(seconds);
  return date.getTime();
}

/** What a token's time claims come to at one instant. */
export type TimeVerdict = 'ok' | 'expired' | 'not-yet-valid';

/** A token's time claims, as found in its payload (any type: they are checked here). */
export interface TimeClaims {
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
}

/** Options for {@link checkTimeClaims}. */
export interface TimeClaimsOptions {
  /** The instant to check at, in milliseconds since the epoch. */
  nowMs: number;
  /** Clock skew allowed on each claim, in milliseconds. @default CLOCK_SKEW_MS (5000, `@clerk/backend`'s default) */
  clockSkewMs?: number;
}

/** Whether a token with this `exp` is expired at `nowMs`: Clerk's `assertExpirationClaim`. */
export function isExpired(exp: number, nowMs: number, clockSkewMs: number = CLOCK_SKEW_MS): boolean {
  return claimMs(exp) <= nowMs - clockSkewMs;
}

// Clerk's assertActivationClaim / assertIssuedAtClaim: absent passes, present must be a number not after now + skew.
function notYet(claim: unknown, nowMs: number, clockSkewMs: number): boolean {
  return claim !== undefined && (typeof claim !== 'number' || claimMs(claim) > nowMs + clockSkewMs);
}

/**
 * The time claims at `nowMs`, in Clerk's order: `exp` (required), then `nbf`, then `iat`. A
 * missing or non-number `exp` reads as `expired`, a non-number `nbf` or `iat` as
 * `not-yet-valid`: Clerk refuses both (as "verification failed"); here they are never `ok`.
 */
export function checkTimeClaims(claims: TimeClaims, options: TimeClaimsOptions): TimeVerdict {
  const { nowMs, clockSkewMs = CLOCK_SKEW_MS } = options;
  const { exp, nbf, iat } = claims;
  if (typeof exp !== 'number' || isExpired(exp, nowMs, clockSkewMs)) return 'expired';
  if (notYet(nbf, nowMs, clockSkewMs) || notYet(iat, nowMs, clockSkewMs)) return 'not-yet-valid';
  return 'ok';
}

/**
 * Whether a cookie session's token was issued before the browser's `__client_uat` (both in
 * seconds): then the client signed in or out since, and Clerk handshakes. Clerk compares the raw
 * values with JavaScript's `<`, fractions and all, so this does too.
 */
export function issuedBeforeClient(iat: unknown, clientUat: number): boolean {
  return (iat as number) < clientUat;
}
