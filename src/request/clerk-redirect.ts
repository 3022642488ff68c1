import { CLERK_QUERY } from './clerk-cookies';

/** `__clerk_redirect_url`, when present, must be on the gateway's own origin. */
export function clerkRedirectUrlAllowed(url: URL): boolean {
  const target = url.searchParams.get(CLERK_QUERY.redirectUrl);
  if (target === null) return true;
  return URL.canParse(target) && new URL(target).origin === url.origin;
}
