import { CLOCK_SKEW_MS } from '../../config/limits';
import { base64UrlBytes } from '../session/jwt';

function expiresBy(token: string, nowMs: number): boolean {
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64UrlBytes(token.split('.')[1] ?? ''))) as { exp?: unknown };
    return typeof payload.exp === 'number' && payload.exp * 1000 <= nowMs + CLOCK_SKEW_MS;
  } catch {
    return false;
  }
}

/**
 * Whether `@clerk/backend` may call the Backend API to refresh the session: it does for a `GET`
 * with a `__refresh*` cookie whose session token (cookie or bearer) has expired, within Clerk's
 * clock skew. Errs towards yes.
 */
export function refreshLikely(request: Request, tokens: readonly string[], nowMs: number): boolean {
  if (request.method !== 'GET' || !request.headers.get('cookie')?.includes('__refresh')) return false;
  return tokens.some((token) => expiresBy(token, nowMs));
}
