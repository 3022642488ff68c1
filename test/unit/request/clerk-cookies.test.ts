// Clerk's cookie and query-parameter names and the predicates over them (src/request/clerk-cookies.ts):
// the one home of these facts. The names are pinned as Clerk spells them (an @clerk/backend upgrade
// that renames one fails here first), and each predicate on the names that tell the uses apart.
import { describe, expect, it } from 'vitest';

import {
  carriesSessionToken,
  CLERK_COOKIES,
  CLERK_QUERY,
  CLERK_QUERY_PARAMS,
  devBrowserToken,
  isClerkCookie,
  isClerkOnlyCookie,
  isRefreshCookie,
  isSessionCookie,
  isSignOutCookie,
  looksLikeSessionCookie,
  SIGN_OUT_ALWAYS_CLEARED,
} from '../../../src/request/clerk-cookies';

// Every name below, and what each use answers for it (strip / sign-out / clerk-only / session spelling).
const TABLE: [name: string, strip: boolean, signOut: boolean, clerkOnly: boolean, session: boolean][] = [
  ['__session', true, true, false, true],
  ['__session_AbCd-12_', true, true, true, true],
  ['__client_uat', true, true, false, true],
  ['__client_uat_AbCd1234', true, true, true, true],
  ['__refresh_AbCd1234', true, true, true, false],
  ['__refresh', true, true, true, false],
  ['__clerk_db_jwt', true, true, true, false],
  ['__clerk_db_jwt_AbCd1234', true, true, true, false],
  ['__clerk_handshake', true, false, true, false],
  ['__clerk_handshake_nonce', true, false, true, false],
  ['__clerk_redirect_count', true, false, false, false],
  // Not Clerk's, but prefixed like them: stripped (never forwarded), never cleared or trusted.
  ['__sessionX', true, false, false, false],
  ['__client_uatX', true, false, false, false],
  ['__clerk_future_cookie', true, false, false, false],
  ['__refreshX', true, false, true, false],
  ['__session_', true, true, true, false],
  ['__session_a.b', true, true, true, false],
  // Someone else's.
  ['session', false, false, false, false],
  ['_session', false, false, false, false],
  ['__Session', false, false, false, false],
  ['__clerk', false, false, false, false],
  ['theme', false, false, false, false],
];

describe("Clerk's names", () => {
  it('are @clerk/backend’s, spelled as Clerk spells them', () => {
    expect(CLERK_COOKIES).toEqual({
      session: '__session',
      clientUat: '__client_uat',
      refresh: '__refresh',
      devBrowser: '__clerk_db_jwt',
      handshake: '__clerk_handshake',
      handshakeNonce: '__clerk_handshake_nonce',
      redirectCount: '__clerk_redirect_count',
    });
    expect(CLERK_QUERY).toEqual({
      handshake: '__clerk_handshake',
      handshakeNonce: '__clerk_handshake_nonce',
      devBrowser: '__clerk_db_jwt',
      synced: '__clerk_synced',
      redirectUrl: '__clerk_redirect_url',
      legacyDevBrowser: '__dev_session',
    });
    expect(CLERK_QUERY_PARAMS).toEqual(['__clerk_handshake', '__clerk_handshake_nonce', '__clerk_db_jwt', '__clerk_synced', '__clerk_redirect_url', '__dev_session']);
    expect(SIGN_OUT_ALWAYS_CLEARED).toEqual(['__session', '__client_uat']);
  });
});

describe('the predicates, one per use', () => {
  it.each(TABLE)('%s: stripped %s, cleared on sign-out %s, only Clerk decides %s, a session cookie %s', (name, strip, signOut, clerkOnly, session) => {
    expect(isClerkCookie(name)).toBe(strip);
    expect(isSignOutCookie(name)).toBe(signOut);
    expect(isClerkOnlyCookie(name)).toBe(clerkOnly);
    expect(isSessionCookie(name)).toBe(session);
  });

  it('stripping covers every cookie the others name (an origin promised none of Clerk’s gets none)', () => {
    for (const [name] of TABLE) {
      if (isSignOutCookie(name) || isClerkOnlyCookie(name) || isSessionCookie(name)) expect(isClerkCookie(name), name).toBe(true);
    }
    for (const name of Object.values(CLERK_COOKIES)) expect(isClerkCookie(name), name).toBe(true);
  });

  it('refresh and session-token cookies, by prefix as Clerk tests them', () => {
    expect(isRefreshCookie('__refresh_AbCd1234')).toBe(true);
    expect(isRefreshCookie('__refresh')).toBe(true);
    expect(isRefreshCookie('refresh')).toBe(false);
    expect(isRefreshCookie('__session')).toBe(false);
    expect(carriesSessionToken('__session')).toBe(true);
    expect(carriesSessionToken('__session_AbCd1234')).toBe(true);
    expect(carriesSessionToken('__client_uat')).toBe(false);
    expect(carriesSessionToken('__clerk_handshake')).toBe(false);
  });

  it('looksLikeSessionCookie: what a lenient parser would take for the session pair', () => {
    for (const name of ['__session', '__session_', '__session_x.y', '__client_uat', '__client_uat_x']) expect(looksLikeSessionCookie(name), name).toBe(true);
    for (const name of ['__sessionx', '__client_uatx', 'session', '__refresh_x']) expect(looksLikeSessionCookie(name), name).toBe(false);
  });
});

describe('devBrowserToken', () => {
  it('takes the plain __clerk_db_jwt first, wherever it is, else the first suffixed one', () => {
    expect(devBrowserToken([['__clerk_db_jwt_AbCd1234', 's'], ['__clerk_db_jwt', 'p']])).toBe('p');
    expect(devBrowserToken([['__clerk_db_jwt', 'p'], ['__clerk_db_jwt', 'q']])).toBe('p');
    expect(devBrowserToken([['theme', 'x'], ['__clerk_db_jwt_AbCd1234', 's'], ['__clerk_db_jwt_Zz', 't']])).toBe('s');
  });

  it('is undefined without one, and ignores look-alikes', () => {
    expect(devBrowserToken([])).toBeUndefined();
    expect(devBrowserToken([['__clerk_db_jwtX', 'x'], ['__dev_session', 'y'], ['__session', 'z']])).toBeUndefined();
  });
});
