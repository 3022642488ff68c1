import { CLOCK_SKEW_MS } from '../../config/limits';
import type { CookiePairs } from '../../request/cookies';
import { isRefreshCookie } from '../../request/clerk-cookies';
import { jwtPayload } from '../jwt';
import { isExpired } from '../time-claims';

// Expired by the time `nowMs` + the skew, with no skew of its own: a token Clerk (whose clock reads
// later than the request's) may find expired counts as expired here.
function expiresBy(token: string, nowMs: number): boolean {
  const exp = jwtPayload(token)?.exp;
  return typeof exp === 'number' && isExpired(exp, nowMs + CLOCK_SKEW_MS, 0);
}

/**
 * Whether `@clerk/backend` may call the Backend API to refresh the session: it does for a `GET`
 * with a `__refresh*` cookie whose session token (cookie or bearer) has expired, within Clerk's
 * clock skew. Errs towards yes.
 */
export function refreshLikely(method: string, cookies: CookiePairs, tokens: readonly string[], nowMs: number): boolean {
  if (method !== 'GET' || !cookies.some(([name]) => isRefreshCookie(name))) return false;
  return tokens.some((token) => expiresBy(token, nowMs));
}
