import type { ClerkClient } from '@clerk/backend';
import { buildAccountsBaseUrl } from '@clerk/shared/buildAccountsBaseUrl';

import type { GatewaySettings } from '../config/settings';
import { cookiePairs } from '../request/cookies';
import type { BackendApiBudget } from './backend-budget';
import { readCredentials } from './credentials';
import { base64UrlBytes } from './jwt-header';
import { identityFromAuth } from './identity';
import type { JwksGate } from './jwks-gate';
import type { SignatureVerifier } from './signature';
import type { AuthState, BrowserHeaders } from './state';
import type { TokenCache } from './token-cache';

// Only these of Clerk's RequestState headers are meant for the browser; the rest
// (x-clerk-auth-reason, -message, -status) are debug data and stay inside the gateway.
const BROWSER_HEADERS = new Set(['set-cookie', 'cache-control']);

/** Options for {@link authenticate}. */
export interface AuthenticateOptions {
  client: ClerkClient;
  settings: GatewaySettings;
  /** The request's URL (origin and query are the gateway's public ones). */
  url: URL;
  /**
   * The URL as the gateway serves it: its own origin, the canonical path, the query. Clerk builds
   * handshake return URLs from it, so client-sent X-Forwarded-Host/-Proto are never consulted.
   */
  publicHref: string;
  /** Verified tokens of this runtime. */
  cache: TokenCache;
  /** Set in JWKS mode (no CLERK_JWT_KEY): refuses unknown `kid`s before Clerk fetches for them. */
  gate: JwksGate | undefined;
  /** Checks signatures with keys imported once, so forged tokens never reach Clerk. */
  verifier: SignatureVerifier;
  /** Bounds the Backend API calls a client can cause (nonce, refresh, JWKS refetch) per isolate. */
  budget: BackendApiBudget;
  /** Milliseconds since the epoch. */
  now: number;
}

function browserHeaders(headers: Headers): BrowserHeaders {
  const out: [string, string][] = [];
  for (const cookie of headers.getSetCookie()) out.push(['set-cookie', cookie]);
  headers.forEach((value, name) => {
    if (BROWSER_HEADERS.has(name) && name !== 'set-cookie') out.push([name, value]);
  });
  return out;
}

/**
 * The request Clerk sees: the caller's headers, but forwarding headers set by the gateway itself;
 * without `__refresh*` cookies when the budget has no refresh call left (Clerk then handshakes
 * or answers signed out, as for a browser without one).
 */
function requestForClerk(request: Request, publicUrl: URL, withoutRefresh: boolean): Request {
  const headers = new Headers(request.headers);
  for (const name of ['host', 'x-forwarded-host', 'x-forwarded-proto', 'cloudfront-forwarded-proto', 'forwarded']) {
    headers.delete(name);
  }
  if (withoutRefresh) {
    const kept = cookiePairs(headers.get('cookie') ?? '').filter(([name]) => !name.startsWith('__refresh'));
    headers.set('cookie', kept.map(([name, value]) => `${name}=${value}`).join('; '));
  }
  headers.set('x-forwarded-host', publicUrl.host);
  headers.set('x-forwarded-proto', publicUrl.protocol.slice(0, -1));
  return new Request(publicUrl, { method: request.method, headers });
}

// @clerk/backend's default clock skew: a token this close to `exp` may already count as expired.
const CLOCK_SKEW_MS = 5_000;

function expiresBy(token: string, nowMs: number): boolean {
  try {
    const payload = JSON.parse(new TextDecoder().decode(base64UrlBytes(token.split('.')[1] ?? ''))) as { exp?: unknown };
    return typeof payload.exp === 'number' && payload.exp * 1000 <= nowMs + CLOCK_SKEW_MS;
  } catch {
    return false;
  }
}

/**
 * Whether Clerk may call the Backend API to refresh the session: it does for a `GET` with a
 * `__refresh*` cookie whose session token (cookie or bearer) has expired. Errs towards yes.
 */
function refreshLikely(request: Request, tokens: readonly string[], nowMs: number): boolean {
  if (request.method !== 'GET' || !request.headers.get('cookie')?.includes('__refresh')) return false;
  return tokens.some((token) => expiresBy(token, nowMs));
}

const SIGNED_OUT_NO_CREDENTIALS: AuthState = { kind: 'signed-out', reason: 'session-token-and-uat-missing', headers: [] };

/**
 * Authenticates a request and reduces the result to an {@link AuthState}. A token seen before is
 * answered from the cache (time claims, `azp` and `__client_uat` re-checked); everything else goes
 * through `@clerk/backend`'s `authenticateRequest` (bearer, cookie, handshake). Any error becomes
 * signed-out: fail closed.
 */
export async function authenticate(request: Request, options: AuthenticateOptions): Promise<AuthState> {
  const { settings, url, cache, now } = options;
  const credentials = readCredentials(request, url, settings.instanceType === 'production');
  const parties = settings.authorizedParties ?? [url.origin];

  switch (credentials.kind) {
    case 'ambiguous':
      return { kind: 'signed-out', reason: 'ERR_AMBIGUOUS_SESSION_COOKIE', headers: [] };
    case 'none':
      return SIGNED_OUT_NO_CREDENTIALS;
    case 'bearer':
    case 'cookie': {
      const hit = cache.get(credentials.token, now, parties);
      // A __client_uat newer than the token means the client signed in or out since: Clerk handshakes.
      if (hit && (credentials.kind === 'bearer' || credentials.clientUat <= hit.iat)) {
        return { kind: 'signed-in', identity: hit.identity, sessionToken: credentials.token, headers: [] };
      }
      break;
    }
    case 'clerk':
      if (credentials.nonce && !options.budget.take('handshake-nonce', now)) {
        return { kind: 'signed-out', reason: 'ERR_BACKEND_BUDGET', headers: [] };
      }
      break;
  }

  const tokens = credentials.kind === 'clerk' ? credentials.tokens : [credentials.token];
  if (options.gate && !(await options.gate.admits(tokens, now))) return { kind: 'signed-out', reason: 'ERR_UNKNOWN_KID', headers: [] };
  if ((credentials.kind === 'bearer' || credentials.kind === 'cookie') && !(await options.verifier.verify(credentials.token))) {
    return { kind: 'signed-out', reason: 'ERR_TOKEN_SIGNATURE', headers: [] };
  }

  const withoutRefresh = refreshLikely(request, tokens, now) && !options.budget.take('session-refresh', now);
  const state = await authenticateWithClerk(requestForClerk(request, new URL(options.publicHref), withoutRefresh), options, parties);
  if (
    state.kind === 'signed-in' &&
    state.headers.length === 0 &&
    (credentials.kind === 'bearer' || credentials.kind === 'cookie') &&
    credentials.token === state.sessionToken &&
    state.claims
  ) {
    cache.set(credentials.token, { identity: state.identity, ...state.claims });
  }
  return state.kind === 'signed-in' ? { kind: 'signed-in', identity: state.identity, sessionToken: state.sessionToken, headers: state.headers } : state;
}

/**
 * Clerk's redirects go to the Frontend API (handshake), the Account Portal, the sign-in page or
 * back to the gateway. Anything else (a development instance's `__clerk_redirect_url` pointing
 * elsewhere, with the dev-browser token in tow) is an open redirect and refused.
 */
function redirectAllowed(location: string, options: AuthenticateOptions): boolean {
  let target: URL;
  try {
    target = new URL(location, options.url.origin);
  } catch {
    return false;
  }
  const { frontendApi, signInUrl } = options.settings;
  const allowed = [options.url.origin, `https://${frontendApi}`, buildAccountsBaseUrl(frontendApi)];
  if (!signInUrl.startsWith('/')) allowed.push(new URL(signInUrl).origin);
  return allowed.includes(target.origin);
}

type ClerkOutcome =
  | Exclude<AuthState, { kind: 'signed-in' }>
  | (Extract<AuthState, { kind: 'signed-in' }> & { claims: { exp: number; nbf: number | undefined; iat: number; azp: string | undefined } | undefined });

function timeClaims(claims: Record<string, unknown> | null | undefined) {
  if (!claims || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
  return {
    exp: claims.exp,
    iat: claims.iat,
    nbf: typeof claims.nbf === 'number' ? claims.nbf : undefined,
    azp: typeof claims.azp === 'string' ? claims.azp : undefined,
  };
}

async function authenticateWithClerk(request: Request, options: AuthenticateOptions, parties: readonly string[]): Promise<ClerkOutcome> {
  const { client, settings } = options;
  try {
    const state = await client.authenticateRequest(request, {
      authorizedParties: [...parties],
      issuer: settings.issuer,
      acceptsToken: 'session_token',
    });
    const headers = browserHeaders(state.headers);
    // Clerk may ask for a redirect in any status (handshake, or a resolved handshake on a
    // development instance that strips its query parameters).
    const location = state.headers.get('location');
    if (location) {
      if (!redirectAllowed(location, options)) {
        // The origin only: the rest of the URL can carry the dev-browser token.
        console.error(`edge-auth-gateway: refused Clerk's redirect to ${URL.canParse(location, options.url.origin) ? new URL(location, options.url.origin).origin : 'an unparseable URL'} (not the gateway, the Frontend API or the sign-in page)`);
        return { kind: 'signed-out', reason: 'ERR_REDIRECT_NOT_ALLOWED', headers: [] };
      }
      return { kind: 'redirect', location, headers, reason: String(state.reason ?? 'handshake') };
    }
    if (state.status !== 'signed-in') {
      return { kind: 'signed-out', reason: String(state.reason ?? 'signed-out'), headers };
    }
    const auth = state.toAuth({ treatPendingAsSignedOut: false });
    const identity = auth && 'sessionId' in auth ? identityFromAuth(auth) : undefined;
    if (!auth || !identity || !state.token) return { kind: 'signed-out', reason: 'ERR_SESSION_INCOMPLETE', headers };
    const claims = 'sessionClaims' in auth ? timeClaims(auth.sessionClaims as Record<string, unknown> | null) : undefined;
    return { kind: 'signed-in', identity, sessionToken: state.token, headers, claims };
  } catch (error) {
    console.error('edge-auth-gateway: authentication failed, treating the request as signed out:', error);
    return { kind: 'signed-out', reason: 'ERR_AUTH_UNEXPECTED', headers: [] };
  }
}
