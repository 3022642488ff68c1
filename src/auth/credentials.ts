import { carriesSessionToken, CLERK_COOKIES, CLERK_QUERY, CLERK_QUERY_PARAMS, isClerkOnlyCookie } from '../request/clerk-cookies';
import type { CookiePairs } from '../request/cookies';
import type { HeaderReader } from '../request/headers';
import type { JwtJson } from './jwt';
import { bearerKind, type MachineKind } from './machine/token-kind';

/**
 * What a request carries that `@clerk/backend` would authenticate, read with Clerk's own rules
 * so the gateway can skip Clerk where the answer is already known:
 * - `none`: nothing Clerk would use; a production instance answers signed-out.
 * - `bearer` / `cookie`: one session token on the plain path; a cached verification may answer.
 * - `machine`: an API key, M2M token or OAuth access token in `Authorization`.
 * - `delegated`: handshake, suffixed or refresh cookies, development instances, cross-site
 *   navigations…: only Clerk decides.
 * - `ambiguous`: several different `__session` values; an origin reading cookies could pick
 *   another than the one verified, so the request counts as signed out.
 */
export type Credentials =
  | { kind: 'none' }
  | {
      kind: 'bearer';
      token: string;
      /** The token's header and payload JSON, when telling its kind decoded them (for the signature check). */
      json?: JwtJson;
    }
  | { kind: 'machine'; token: string; tokenKind: MachineKind }
  | { kind: 'cookie'; token: string; clientUat: number }
  | {
      kind: 'delegated';
      /** Every JWT Clerk may verify here: all `__session*` and `__clerk_handshake` values. */
      tokens: string[];
      /** A handshake nonce, which Clerk resolves with a Backend API call. */
      nonce: boolean;
    }
  | { kind: 'ambiguous' };

/** What credentials are read from besides the cookies: the method and the headers (read once: `RequestFacts`). */
export interface RequestHead {
  method: string;
  headers: HeaderReader;
}

/** `Authorization` as @clerk/backend reads it: `Bearer <t>` → t; a lone word → itself; other schemes → none. */
function headerToken(authorization: string | null): string | undefined {
  if (!authorization) return undefined;
  // authorization.split(' ', 2), without the array.
  const space = authorization.indexOf(' ');
  if (space < 0) return authorization;
  const scheme = authorization.slice(0, space);
  const end = authorization.indexOf(' ', space + 1);
  const token = authorization.slice(space + 1, end < 0 ? undefined : end);
  if (!token) return scheme;
  return scheme === 'Bearer' ? token : undefined;
}

function isCrossSiteNavigation(request: RequestHead, url: Pick<URL, 'origin'>): boolean {
  if (request.method !== 'GET' || request.headers.get('sec-fetch-dest') !== 'document') return false;
  const referrer = request.headers.get('referer');
  if (!referrer) return false;
  try {
    return new URL(referrer).origin !== url.origin;
  } catch {
    return false;
  }
}

/**
 * Whether the gateway reads a request's credentials itself (`production` for
 * {@link readCredentials}) rather than handing them all to Clerk: not on a development instance,
 * nor for a satellite's page load, which may be Clerk's sync with the primary (a handshake, even
 * without cookies under CLERK_SATELLITE_AUTO_SYNC): `@clerk/backend`'s `GET` with
 * `Sec-Fetch-Dest: document`.
 */
export function gatewayReadsCredentials(request: RequestHead, production: boolean, satellite: boolean): boolean {
  return production && !(satellite && request.method === 'GET' && request.headers.get('sec-fetch-dest') === 'document');
}

/**
 * Reads the request's credentials; `pairs` are its `Cookie` header's, parsed once by the caller;
 * `production` is false for development instances.
 * `knownSession(token)`: the token was verified as a session token before (the verified-token
 * cache), so it needs no decoding to tell it from a machine token. @default () => false
 */
export function readCredentials(
  request: RequestHead,
  pairs: CookiePairs,
  url: Pick<URL, 'origin' | 'search' | 'searchParams'>,
  production: boolean,
  knownSession: (token: string) => boolean = () => false,
): Credentials {
  // One pass over the cookies for what the common cases need.
  let session: string | undefined;
  let uat: string | undefined;
  let ambiguousSession = false;
  let conflictingUat = false;
  let clerkOnlyCookie = false;
  for (const [name, value] of pairs) {
    if (name === CLERK_COOKIES.session) {
      if (session !== undefined && session !== value) ambiguousSession = true;
      session ??= value;
    } else if (name === CLERK_COOKIES.clientUat) {
      if (uat !== undefined && uat !== value) conflictingUat = true;
      uat ??= value;
    } else if (name.startsWith('__')) {
      clerkOnlyCookie ||= isClerkOnlyCookie(name);
    }
  }
  if (ambiguousSession) return { kind: 'ambiguous' };

  const bearer = headerToken(request.headers.get('authorization'));
  if (bearer !== undefined) {
    if (knownSession(bearer)) return { kind: 'bearer', token: bearer, json: undefined };
    const { kind: tokenKind, json } = bearerKind(bearer);
    if (tokenKind) return { kind: 'machine', token: bearer, tokenKind };
    return { kind: 'bearer', token: bearer, json };
  }

  const forClerk = (): Credentials => ({
    kind: 'delegated',
    tokens: [
      url.searchParams.get(CLERK_QUERY.handshake),
      ...pairs.filter(([n]) => carriesSessionToken(n) || n === CLERK_COOKIES.handshake).map(([, v]) => v),
    ].filter((t): t is string => !!t),
    nonce: url.searchParams.has(CLERK_QUERY.handshakeNonce) || pairs.some(([n]) => n === CLERK_COOKIES.handshakeNonce),
  });
  const clerkOnly =
    !production ||
    clerkOnlyCookie ||
    (url.search !== '' && CLERK_QUERY_PARAMS.some((p) => url.searchParams.has(p))) ||
    isCrossSiteNavigation(request, url);
  if (clerkOnly) return forClerk();

  const clientUat = Number.parseInt(uat ?? '', 10) || 0;
  if (!session && clientUat === 0) return { kind: 'none' };
  if (!session || clientUat === 0 || conflictingUat) return forClerk();
  return { kind: 'cookie', token: session, clientUat };
}
