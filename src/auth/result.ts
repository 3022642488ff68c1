import type { BackendApiCall } from './limits/backend-budget';
import type { MachineKind } from './machine/token-kind';

/** What the gateway knows about the caller after authentication; input to `decide()`. */
export interface Identity {
  userId: string;
  sessionId: string;
  /** `pending`: signed in, but an after-auth task (e.g. choose-organization) is still open. */
  status: 'active' | 'pending';
  orgId?: string;
  orgRole?: string;
  orgSlug?: string;
  orgPermissions?: readonly string[];
  /** The verified session token's claims, for the claim headers of `forward.claims`. */
  claims?: Readonly<Record<string, unknown>>;
}

/** What the gateway knows about a machine token `@clerk/backend` verified. */
export interface MachinePrincipal {
  tokenKind: MachineKind;
  /** The token's id in Clerk. */
  id: string;
  /** `mch_…` for an M2M token, the user for an OAuth token, the user or organization for an API key. */
  subject: string;
  /** OAuth tokens: the OAuth application. */
  clientId?: string;
  scopes: readonly string[];
}

/** Headers Clerk asks the gateway to send to the browser (`Set-Cookie`, `Cache-Control`). */
export type BrowserHeaders = readonly (readonly [name: string, value: string])[];

/**
 * Why a request is signed out. Each has a public code ({@link publicAuthReason}); the detail
 * stays inside the gateway.
 */
export type AuthFailure =
  /** No session token, cookie or handshake Clerk would use. */
  | { code: 'ERR_NO_CREDENTIALS' }
  /** Several different `__session` cookies: an origin could read another than the one verified. */
  | { code: 'ERR_AMBIGUOUS_SESSION_COOKIE' }
  /** A kind of token the route does not take (`accept`): a machine token where sessions are taken, or the reverse. */
  | { code: 'ERR_TOKEN_KIND_NOT_ACCEPTED'; tokenKind: string }
  /** `@clerk/backend` did not verify the machine token (unknown, revoked, expired, malformed). */
  | { code: 'ERR_MACHINE_TOKEN_INVALID'; clerkReason: string }
  /** A JWT whose `kid` is not the instance's (JWKS mode), or has no string `kid`. */
  | { code: 'ERR_UNKNOWN_KID' }
  /** A session token whose signature does not verify with the instance's key. */
  | { code: 'ERR_TOKEN_SIGNATURE' }
  /** The Backend API call this request needed was over the budget. */
  | { code: 'ERR_BACKEND_BUDGET'; call: BackendApiCall }
  /** `@clerk/backend` asked for a redirect to an origin the gateway does not send browsers to. */
  | { code: 'ERR_REDIRECT_NOT_ALLOWED'; origin: string }
  /** Clerk said signed in, but without a user, a session or header-safe ids. */
  | { code: 'ERR_SESSION_INCOMPLETE' }
  /**
   * `@clerk/backend` answered signed out; `clerkReason` is its reason (`token-expired`, …), `clerkMessage` its words.
   * `tokenVerdict`: on the cookie path, when Clerk stopped at `__client_uat` before looking at the
   * token, what the token (its signature verified) fails on by itself, as the bearer path would say.
   */
  | { code: 'ERR_CLERK_SIGNED_OUT'; clerkReason: string; clerkMessage?: string; tokenVerdict?: 'expired' | 'not-yet-valid' }
  /** Clerk's claim parser threw on the token's claims (a `fea` element without a colon, an `fpm` not a string): signed out. */
  | { code: 'ERR_SESSION_CLAIMS'; cause: string }
  /** `@clerk/backend` threw. */
  | { code: 'ERR_AUTH_UNEXPECTED' }
  /**
   * Clerk could not be asked: no answer within `CLERK_TIMEOUT_MS`, or the Backend API was down,
   * answered 5xx or garbage. Nobody knows whether the credentials are good: never `token_invalid`.
   */
  | { code: 'ERR_CLERK_UNAVAILABLE'; call: ClerkCall };

/** The calls to Clerk a request can wait on. */
export type ClerkCall = 'jwks' | 'authenticate-request' | 'machine-token';

export type AuthState =
  /** Clerk must refresh the session first: send the browser to `location` with `headers`. */
  | { kind: 'redirect'; location: string; headers: BrowserHeaders; clerkReason: string }
  | { kind: 'signed-out'; failure: AuthFailure; headers: BrowserHeaders }
  /** A machine token the route accepts, verified. */
  | { kind: 'machine'; principal: MachinePrincipal; headers: BrowserHeaders }
  | {
      kind: 'signed-in';
      identity: Identity;
      /** The verified session token; differs from the request's after a resolved handshake. */
      sessionToken: string;
      headers: BrowserHeaders;
      /**
       * Clerk refreshed the session (or resolved a handshake) and sends the browser a new
       * `__session` in `headers`: the origin gets it too, even if the request had none.
       */
      refreshed: boolean;
    };

/** A signed-out state with no headers for the browser. */
export function signedOut(failure: AuthFailure): Extract<AuthState, { kind: 'signed-out' }> {
  return { kind: 'signed-out', failure, headers: [] };
}

// @clerk/backend's token reasons that a client can act on; the others are "invalid".
const CLERK_PUBLIC: Record<string, string> = {
  'token-expired': 'token_expired',
  'session-token-expired': 'token_expired',
  'token-not-active-yet': 'token_not_yet_valid',
  'session-token-nbf': 'token_not_yet_valid',
  'token-iat-in-the-future': 'token_not_yet_valid',
  'session-token-iat-in-the-future': 'token_not_yet_valid',
  'session-token-and-uat-missing': 'no_credentials',
  'session-token-missing': 'no_credentials',
  'client-uat-but-no-session-token': 'no_credentials',
  'dev-browser-missing': 'no_credentials',
  'secret-key-invalid': 'auth_failed',
  'jwk-remote-failed-to-load': 'auth_failed',
  'unexpected-error': 'auth_failed',
};

/**
 * The stable public code for a failure, as sent in `X-Auth-Reason`. Coarse on purpose: it says
 * what a client can fix (sign in again, retry later) and nothing about keys or configuration.
 */
export function publicAuthReason(failure: AuthFailure): string {
  switch (failure.code) {
    case 'ERR_NO_CREDENTIALS':
      return 'no_credentials';
    case 'ERR_AMBIGUOUS_SESSION_COOKIE':
      return 'ambiguous_session';
    case 'ERR_UNKNOWN_KID':
    case 'ERR_TOKEN_SIGNATURE':
    case 'ERR_SESSION_INCOMPLETE':
    case 'ERR_MACHINE_TOKEN_INVALID':
    case 'ERR_SESSION_CLAIMS':
      return 'token_invalid';
    case 'ERR_TOKEN_KIND_NOT_ACCEPTED':
      return 'token_kind_not_accepted';
    case 'ERR_BACKEND_BUDGET':
      return 'busy';
    case 'ERR_REDIRECT_NOT_ALLOWED':
    case 'ERR_AUTH_UNEXPECTED':
      return 'auth_failed';
    case 'ERR_CLERK_UNAVAILABLE':
      return 'auth_unavailable';
    case 'ERR_CLERK_SIGNED_OUT':
      // The same expired token reads token_expired from a cookie as from a bearer.
      if (failure.tokenVerdict === 'expired') return 'token_expired';
      if (failure.tokenVerdict === 'not-yet-valid') return 'token_not_yet_valid';
      return CLERK_PUBLIC[failure.clerkReason.replace(/-refresh-.*$/, '')] ?? 'token_invalid';
  }
}
