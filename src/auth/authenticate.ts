import type { ClerkClient } from '@clerk/backend';

import type { GatewaySettings } from '../config/settings';
import { identityFromAuth } from './identity';
import type { AuthState, BrowserHeaders } from './state';

// Only these of Clerk's RequestState headers are meant for the browser; the rest
// (x-clerk-auth-reason, -message, -status) are debug data and stay inside the gateway.
const BROWSER_HEADERS = new Set(['set-cookie', 'cache-control']);

/** Options for {@link authenticate}. */
export interface AuthenticateOptions {
  client: ClerkClient;
  settings: GatewaySettings;
  /**
   * The URL as the gateway serves it: its own origin, the canonical path, the query. Clerk builds
   * handshake return URLs from it, so client-sent X-Forwarded-Host/-Proto are never consulted.
   */
  publicUrl: URL;
}

function browserHeaders(headers: Headers): BrowserHeaders {
  const out: [string, string][] = [];
  for (const cookie of headers.getSetCookie()) out.push(['set-cookie', cookie]);
  headers.forEach((value, name) => {
    if (BROWSER_HEADERS.has(name) && name !== 'set-cookie') out.push([name, value]);
  });
  return out;
}

/** The request Clerk sees: the caller's headers, but forwarding headers set by the gateway itself. */
function requestForClerk(request: Request, publicUrl: URL): Request {
  const headers = new Headers(request.headers);
  for (const name of ['host', 'x-forwarded-host', 'x-forwarded-proto', 'cloudfront-forwarded-proto', 'forwarded']) {
    headers.delete(name);
  }
  headers.set('x-forwarded-host', publicUrl.host);
  headers.set('x-forwarded-proto', publicUrl.protocol.slice(0, -1));
  return new Request(publicUrl, { method: request.method, headers });
}

/**
 * Authenticates a request with `@clerk/backend` (bearer token, session cookie, handshake) and
 * reduces the result to an {@link AuthState}. Any error becomes signed-out: fail closed.
 */
export async function authenticate(request: Request, options: AuthenticateOptions): Promise<AuthState> {
  const { client, settings, publicUrl } = options;
  try {
    const state = await client.authenticateRequest(requestForClerk(request, publicUrl), {
      authorizedParties: settings.authorizedParties ? [...settings.authorizedParties] : [publicUrl.origin],
      issuer: settings.issuer,
      acceptsToken: 'session_token',
    });
    const headers = browserHeaders(state.headers);
    // Clerk may ask for a redirect in any status (handshake, or a resolved handshake on a
    // development instance that strips its query parameters).
    const location = state.headers.get('location');
    if (location) return { kind: 'redirect', location, headers, reason: String(state.reason ?? 'handshake') };
    if (state.status !== 'signed-in') {
      return { kind: 'signed-out', reason: String(state.reason ?? 'signed-out'), headers };
    }
    const auth = state.toAuth({ treatPendingAsSignedOut: false });
    const identity = auth && 'sessionId' in auth ? identityFromAuth(auth) : undefined;
    if (!identity || !state.token) return { kind: 'signed-out', reason: 'ERR_SESSION_INCOMPLETE', headers };
    return { kind: 'signed-in', identity, sessionToken: state.token, headers };
  } catch (error) {
    console.error('edge-auth-gateway: authentication failed, treating the request as signed out:', error);
    return { kind: 'signed-out', reason: 'ERR_AUTH_UNEXPECTED', headers: [] };
  }
}
