import { constants } from '@clerk/backend/internal';

/**
 * Clerk's cookie and query-parameter names, and the questions the gateway asks of them. The names
 * are `@clerk/backend`'s own (`constants.Cookies` / `constants.QueryParameters`), not retyped, so
 * an upgrade that renames one changes the gateway with it. Each predicate answers one use; they
 * differ on purpose (see each), and test/unit/request/clerk-cookies.test.ts pins every one.
 */

/** Clerk's cookies, as `@clerk/backend` names them. A `_<suffix>` form exists for each (multi-app domains). */
export const CLERK_COOKIES = {
  /** The session token. */
  session: constants.Cookies.Session,
  /** When the client last signed in or out (seconds); a token older than it is stale. */
  clientUat: constants.Cookies.ClientUat,
  /** The refresh token Clerk may use for an expired session token (always suffixed). */
  refresh: constants.Cookies.Refresh,
  /** The dev-browser token of development instances. */
  devBrowser: constants.Cookies.DevBrowser,
  /** A handshake's payload (Set-Cookie directives), and the nonce that stands for it in production. */
  handshake: constants.Cookies.Handshake,
  handshakeNonce: constants.Cookies.HandshakeNonce,
  /** The handshake loop counter. */
  redirectCount: constants.Cookies.RedirectCount,
} as const;

/** Clerk's query parameters the gateway reads or writes. */
export const CLERK_QUERY = {
  handshake: constants.QueryParameters.Handshake,
  handshakeNonce: constants.QueryParameters.HandshakeNonce,
  devBrowser: constants.QueryParameters.DevBrowser,
  synced: constants.QueryParameters.ClerkSynced,
  redirectUrl: constants.QueryParameters.ClerkRedirectUrl,
  legacyDevBrowser: constants.QueryParameters.LegacyDevBrowser,
} as const;

/** `__clerk_synced=false`: a satellite's page asks Clerk to sync its session from the primary. */
export const CLERK_SYNC_NEEDED: string = constants.ClerkSyncStatus.NeedsSync;

/**
 * Query parameters whose presence means only Clerk can answer (a handshake to resolve, a
 * dev-browser or satellite sync, a redirect to check): the gateway never skips Clerk for them.
 */
export const CLERK_QUERY_PARAMS: readonly string[] = [
  CLERK_QUERY.handshake,
  CLERK_QUERY.handshakeNonce,
  CLERK_QUERY.devBrowser,
  CLERK_QUERY.synced,
  CLERK_QUERY.redirectUrl,
  CLERK_QUERY.legacyDevBrowser,
];

// Clerk's own namespace: every cookie it names beyond the session pair starts so
// (`__clerk_db_jwt`, `__clerk_handshake*`, `__clerk_redirect_count`), and any it adds will.
const CLERK_NAMESPACE = '__clerk_';

// The names as plain strings, and their suffixed forms' prefixes, built once (these predicates
// run for every cookie of every request).
const SESSION = CLERK_COOKIES.session;
const CLIENT_UAT = CLERK_COOKIES.clientUat;
const REFRESH = CLERK_COOKIES.refresh;
const DEV_BROWSER = CLERK_COOKIES.devBrowser;
const HANDSHAKE = CLERK_COOKIES.handshake;
const SESSION_ = `${SESSION}_`;
const CLIENT_UAT_ = `${CLIENT_UAT}_`;
const REFRESH_ = `${REFRESH}_`;
const DEV_BROWSER_ = `${DEV_BROWSER}_`;

/**
 * Stripping before forwarding (`stripClerkCredentials`): anything that looks like Clerk's, by
 * prefix. Broadest of all on purpose: an origin that was promised none of Clerk's credentials
 * gets none, even under a name Clerk may add later (`__clerk_*`) or a misspelled suffix.
 */
export function isClerkCookie(name: string): boolean {
  return name.startsWith(SESSION) || name.startsWith(CLIENT_UAT) || name.startsWith(CLERK_NAMESPACE) || name.startsWith(REFRESH);
}

/** Cleared by the sign-out endpoint whether or not the request carried them. */
export const SIGN_OUT_ALWAYS_CLEARED: readonly string[] = [CLERK_COOKIES.session, CLERK_COOKIES.clientUat];

/**
 * Cleared by the sign-out endpoint when the request carries them: the cookies that hold or point
 * to a session on this browser (session, client_uat, refresh, and the dev-browser token, which is
 * the client on development instances), plain or suffixed. Narrower than {@link isClerkCookie}:
 * the handshake cookies and the loop counter are Clerk's to expire, and a `__sessionX` is not
 * Clerk's, so the gateway sets no `Set-Cookie` for them.
 */
export function isSignOutCookie(name: string): boolean {
  // Each name plain or `_<suffix>`.
  return (
    name === SESSION || name.startsWith(SESSION_) ||
    name === CLIENT_UAT || name.startsWith(CLIENT_UAT_) ||
    name === REFRESH || name.startsWith(REFRESH_) ||
    name === DEV_BROWSER || name.startsWith(DEV_BROWSER_)
  );
}

/**
 * Cookies whose presence means only Clerk can decide, so the gateway's own fast path must not:
 * a handshake (token or nonce), a dev browser, a refresh token, or suffixed session cookies
 * (the gateway does not know the instance's suffix). The plain `__session` / `__client_uat` pair
 * is the fast path's own, and `__clerk_redirect_count` alone changes nothing Clerk decides.
 */
export function isClerkOnlyCookie(name: string): boolean {
  return name.startsWith(HANDSHAKE) || name.startsWith(DEV_BROWSER) || name.startsWith(REFRESH) || name.startsWith(SESSION_) || name.startsWith(CLIENT_UAT_);
}

/** A refresh-token cookie (Clerk always suffixes it: `__refresh_<suffix>`). */
export function isRefreshCookie(name: string): boolean {
  return name.startsWith(REFRESH);
}

/**
 * A cookie that carries a session token, by Clerk's own test (`@clerk/backend` picks the session
 * out of a handshake's Set-Cookie directives with `startsWith('__session')`).
 */
export function carriesSessionToken(name: string): boolean {
  return name.startsWith(SESSION);
}

const SESSION_PAIR = `(?:${SESSION}|${CLIENT_UAT})`;
// Clerk's suffix is the first 8 characters of a base64url hash: letters, digits, `-`, `_`.
const SESSION_COOKIE = new RegExp(`^${SESSION_PAIR}(?:_[A-Za-z0-9_-]+)?$`);
const SESSION_COOKIE_LIKE = new RegExp(`^${SESSION_PAIR}(?:_|$)`);

/** `__session` / `__client_uat`, plain or suffixed, spelled exactly as Clerk spells them. */
export function isSessionCookie(name: string): boolean {
  // The plain names (nearly every request's) without the RegExp.
  return name === SESSION || name === CLIENT_UAT || SESSION_COOKIE.test(name);
}

/**
 * A name (as a lenient parser reads it: decoded, lower-cased, `.` as `_`) that such a parser
 * would take for one of Clerk's session cookies; compared with {@link isSessionCookie} of the
 * name as sent to find spellings that mean the session cookie to some parser but not to Clerk.
 */
export function looksLikeSessionCookie(readName: string): boolean {
  return SESSION_COOKIE_LIKE.test(readName);
}

/**
 * The dev-browser token Clerk adds to cross-origin sign-in redirects on development instances:
 * the first plain `__clerk_db_jwt`, else the first suffixed one (the gateway does not know the
 * instance's suffix; Clerk reads the one with its suffix, or the plain one). `undefined` if none.
 */
export function devBrowserToken(pairs: readonly (readonly [name: string, value: string])[]): string | undefined {
  return (pairs.find(([name]) => name === DEV_BROWSER) ?? pairs.find(([name]) => name.startsWith(DEV_BROWSER_)))?.[1];
}
