import type { CookiePairs } from '../../request/cookies';
import { isSatelliteOrigin } from '../../settings/multi-domain';
import { carriesSessionToken, isRefreshCookie } from '../../request/clerk-cookies';
import type { AuthContext } from '../context';
import { identityFromAuth } from '../identity';
import { ClerkTimeoutError } from '../limits/clerk-deadline';
import { signedOut, type BrowserHeaders } from '../result';
import { readSessionClaims } from '../session/session-claims';
import { keptClaims } from '../session/token-cache';
import type { ClerkOutcome } from './outcome';
import { refreshLikely } from './refresh';

// Only these of Clerk's RequestState headers are meant for the browser; the rest
// (x-clerk-auth-reason, -message, -status) are debug data and stay inside the gateway.
const BROWSER_HEADERS = new Set(['set-cookie', 'cache-control']);

function browserHeaders(headers: Headers): BrowserHeaders {
  const out: [string, string][] = [];
  for (const cookie of headers.getSetCookie()) out.push(['set-cookie', cookie]);
  headers.forEach((value, name) => {
    if (BROWSER_HEADERS.has(name) && name !== 'set-cookie') out.push([name, value]);
  });
  return out;
}

/**
 * The request Clerk sees: the caller's headers, but forwarding headers set by the gateway itself
 * (Clerk builds return URLs from them); without `__refresh*` cookies when the budget has no
 * refresh call left (Clerk then handshakes or answers signed out, as for a browser without one).
 */
function requestForClerk(request: Request, cookies: CookiePairs, publicHref: string, host: string, withoutRefresh: boolean): Request {
  const headers = new Headers(request.headers);
  for (const name of ['host', 'x-forwarded-host', 'x-forwarded-proto', 'cloudfront-forwarded-proto', 'forwarded']) {
    headers.delete(name);
  }
  if (withoutRefresh) {
    const kept = cookies.filter(([name]) => !isRefreshCookie(name));
    headers.set('cookie', kept.map(([name, value]) => `${name}=${value}`).join('; '));
  }
  headers.set('x-forwarded-host', host);
  headers.set('x-forwarded-proto', publicHref.startsWith('https:') ? 'https' : 'http');
  return new Request(publicHref, { method: request.method, headers });
}

// Clerk's answer to a refresh or a resolved handshake is the only one that sets `__session` (or a suffixed one).
function setsSession(headers: BrowserHeaders): boolean {
  return headers.some(([name, value]) => name === 'set-cookie' && carriesSessionToken(value));
}

/**
 * What makes two requests the same browser's refresh: the site (its authorized parties decide
 * whether the token's `azp` is accepted, and its cookies are set for that host), the tokens and
 * the refresh cookies. Without the site, a request on another site would get this one's session.
 */
function refreshKey(cookies: CookiePairs, tokens: readonly string[], site: string): string {
  const refresh = cookies.filter(([name]) => isRefreshCookie(name));
  return `${site}|${tokens.join(' ')}|${refresh.map(([name, value]) => `${name}=${value}`).join('; ')}`;
}

/**
 * Asks `@clerk/backend`'s `authenticateRequest`, as {@link askClerk}. A request Clerk would
 * refresh the session for goes through single-flight: concurrent requests of one browser (same
 * refresh cookie, same expired token) make one refresh call and spend one budget unit; a
 * refreshed session is shared, anything else (a handshake, a refusal) is the request's own, so
 * the others then ask without the refresh cookie, which costs no Backend API call.
 */
export async function authenticateWithClerk(request: Request, tokens: readonly string[], context: AuthContext): Promise<ClerkOutcome> {
  const { budget, now, refreshFlights } = context;
  if (!refreshLikely(request.method, context.cookies, tokens, now)) return askClerk(request, context, false);
  try {
    const { value, joined } = await refreshFlights.run(refreshKey(context.cookies, tokens, context.site.origin), now, () => askClerk(request, context, !budget.take('session-refresh', now)));
    const unavailable = value.kind === 'signed-out' && value.failure.code === 'ERR_CLERK_UNAVAILABLE';
    if (joined && value.kind !== 'signed-in' && !unavailable) return askClerk(request, context, true, context.deadline.leftSince(now));
    return value;
  } catch (error) {
    console.error('edge-auth-gateway: session refresh: Clerk did not answer in time; answering auth_unavailable:', error);
    return signedOut({ code: 'ERR_CLERK_UNAVAILABLE', call: 'authenticate-request' });
  }
}

/**
 * Asks `@clerk/backend`'s `authenticateRequest` (session tokens only, issuer pinned, the site's
 * authorized parties). A refresh it would make spends the Backend API budget first. Clerk's
 * redirects go only to the site's known origins (the gateway, the Frontend API, the Account
 * Portal, the sign-in page): anything else is an open redirect and refused. Any error is
 * signed out: fail closed. The whole call (JWKS, nonce, refresh inside `@clerk/backend`) is
 * bounded by the Clerk deadline; past it, or when Clerk could not load its keys, the request is
 * `ERR_CLERK_UNAVAILABLE`.
 */
async function askClerk(request: Request, context: AuthContext, withoutRefresh: boolean, ms?: number): Promise<ClerkOutcome> {
  const { client, site, deadline } = context;
  try {
    const forClerk = requestForClerk(request, context.cookies, context.publicHref, context.url.host, withoutRefresh);
    const state = await deadline.run(
      () =>
        client.authenticateRequest(forClerk, {
          authorizedParties: [...site.authorizedParties],
          issuer: site.clerk.issuer,
          acceptsToken: 'session_token',
          ...(context.organizationSync ? { organizationSyncOptions: context.organizationSync.options } : {}),
          // CLERK_PROXY_URL / the Frontend API proxy and satellites (src/runtime/site-clerk-options.ts).
          ...site.clerk.multiDomain,
        }),
      ms,
    );
    const headers = browserHeaders(state.headers);
    // Clerk may ask for a redirect in any status (handshake, or a resolved handshake on a
    // development instance that strips its query parameters).
    const location = state.headers.get('location');
    if (location) {
      const target = URL.canParse(location, site.origin) ? new URL(location, site.origin).origin : 'null';
      if (!site.redirectOrigins.has(target) && !isSatelliteOrigin(site.clerk.satelliteDomains, target)) {
        // The origin only: the rest of the URL can carry the dev-browser token.
        console.error(`edge-auth-gateway: refused Clerk's redirect to ${target} (not the gateway, the Frontend API or the sign-in page)`);
        return signedOut({ code: 'ERR_REDIRECT_NOT_ALLOWED', origin: target });
      }
      return { kind: 'redirect', location, headers, clerkReason: String(state.reason ?? 'handshake') };
    }
    // Clerk could not load the JWKS (down, 5xx, garbage): nothing is known about the token.
    if (state.status !== 'signed-in' && String(state.reason) === 'jwk-remote-failed-to-load') {
      return { kind: 'signed-out', failure: { code: 'ERR_CLERK_UNAVAILABLE', call: 'jwks' }, headers };
    }
    if (state.status !== 'signed-in') {
      const failure = { code: 'ERR_CLERK_SIGNED_OUT', clerkReason: String(state.reason ?? 'signed-out') } as const;
      return { kind: 'signed-out', failure: state.message ? { ...failure, clerkMessage: state.message } : failure, headers };
    }
    // toAuth reads the claims with Clerk's parser, which throws on some it cannot read: signed out.
    const read = readSessionClaims(() => state.toAuth({ treatPendingAsSignedOut: false }));
    if (!read.ok) return { kind: 'signed-out', failure: read.failure, headers };
    const auth = read.value;
    const claims = auth && 'sessionClaims' in auth ? (auth.sessionClaims as Record<string, unknown> | null) ?? undefined : undefined;
    const identity = auth && 'sessionId' in auth ? identityFromAuth(auth, claims) : undefined;
    if (!auth || !identity || !state.token) return { kind: 'signed-out', failure: { code: 'ERR_SESSION_INCOMPLETE' }, headers };
    // Kept for the gateway's own checks only under the issuer they check (not a proxy URL's).
    const kept = claims?.iss === site.clerk.tokenIssuer ? keptClaims(claims) : undefined;
    return { kind: 'signed-in', identity, sessionToken: state.token, headers, refreshed: setsSession(headers), claims: kept };
  } catch (error) {
    if (error instanceof ClerkTimeoutError) {
      console.error(`edge-auth-gateway: authenticateRequest: ${error.message}; answering auth_unavailable`);
      return signedOut({ code: 'ERR_CLERK_UNAVAILABLE', call: 'authenticate-request' });
    }
    console.error('edge-auth-gateway: authentication failed, treating the request as signed out:', error);
    return signedOut({ code: 'ERR_AUTH_UNEXPECTED' });
  }
}
