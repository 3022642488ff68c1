import { isSatelliteOrigin } from '../settings/multi-domain';
import { CLERK_QUERY } from './clerk-cookies';

/**
 * `__clerk_redirect_url`, when present, must be on the gateway's own origin, or (on a primary
 * serving satellites, `satelliteDomains`) on a satellite's host: Clerk's development sync sends
 * the browser back there.
 */
export function clerkRedirectUrlAllowed(url: Pick<URL, 'origin' | 'searchParams'>, satelliteDomains?: readonly string[]): boolean {
  const target = url.searchParams.get(CLERK_QUERY.redirectUrl);
  if (target === null) return true;
  if (!URL.canParse(target)) return false;
  return new URL(target).origin === url.origin || isSatelliteOrigin(satelliteDomains, target);
}
