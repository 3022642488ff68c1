/**
 * What a request carries that `@clerk/backend` would authenticate, read with Clerk's own rules
 * so the gateway can skip Clerk where the answer is already known:
 * - `none`: nothing Clerk would use; a production instance answers signed-out.
 * - `bearer` / `cookie`: one session token on the plain path; a cached verification may answer.
 * - `clerk`: handshake, suffixed or refresh cookies, development instances, cross-site
 *   navigations…: only Clerk decides.
 * - `ambiguous`: several different `__session` values; an origin reading cookies could pick
 *   another than the one verified, so the request counts as signed out.
 */
export type Credentials =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'cookie'; token: string; clientUat: number }
  | {
      kind: 'clerk';
      /** Every JWT Clerk may verify here: all `__session*` and `__clerk_handshake` values. */
      tokens: string[];
      /** A handshake nonce, which Clerk resolves with a Backend API call. */
      nonce: boolean;
    }
  | { kind: 'ambiguous' };

const CLERK_QUERY_PARAMS = ['__clerk_handshake', '__clerk_handshake_nonce', '__clerk_db_jwt', '__clerk_synced', '__clerk_redirect_url', '__dev_session'];

/** Cookie pairs in order, values raw; enough to find Clerk's cookies and duplicates. */
function cookiePairs(header: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

/** `Authorization` as @clerk/backend reads it: `Bearer <t>` → t; a lone word → itself; other schemes → none. */
function headerToken(authorization: string | null): string | undefined {
  if (!authorization) return undefined;
  const [scheme, token] = authorization.split(' ', 2);
  if (!token) return scheme;
  return scheme === 'Bearer' ? token : undefined;
}

function isCrossSiteNavigation(request: Request, url: URL): boolean {
  if (request.method !== 'GET' || request.headers.get('sec-fetch-dest') !== 'document') return false;
  const referrer = request.headers.get('referer');
  if (!referrer) return false;
  try {
    return new URL(referrer).origin !== url.origin;
  } catch {
    return false;
  }
}

/** Reads the request's credentials; `production` is false for development instances. */
export function readCredentials(request: Request, url: URL, production: boolean): Credentials {
  const pairs = cookiePairs(request.headers.get('cookie') ?? '');
  const sessions = new Set(pairs.filter(([n]) => n === '__session').map(([, v]) => v));
  if (sessions.size > 1) return { kind: 'ambiguous' };

  const bearer = headerToken(request.headers.get('authorization'));
  if (bearer !== undefined) return { kind: 'bearer', token: bearer };

  const forClerk = (): Credentials => ({
    kind: 'clerk',
    tokens: [
      url.searchParams.get('__clerk_handshake'),
      ...pairs.filter(([n]) => n.startsWith('__session') || n === '__clerk_handshake').map(([, v]) => v),
    ].filter((t): t is string => !!t),
    nonce: url.searchParams.has('__clerk_handshake_nonce') || pairs.some(([n]) => n === '__clerk_handshake_nonce'),
  });
  const clerkOnly =
    !production ||
    CLERK_QUERY_PARAMS.some((p) => url.searchParams.has(p)) ||
    pairs.some(([n]) => n.startsWith('__clerk_handshake') || n.startsWith('__clerk_db_jwt') || n.startsWith('__refresh') || n.startsWith('__session_') || n.startsWith('__client_uat_')) ||
    isCrossSiteNavigation(request, url);
  const session = sessions.values().next().value as string | undefined;
  if (clerkOnly) return forClerk();

  const uatValues = pairs.filter(([n]) => n === '__client_uat').map(([, v]) => v);
  const clientUat = Number.parseInt(uatValues[0] ?? '', 10) || 0;
  if (!session && clientUat === 0) return { kind: 'none' };
  if (!session || clientUat === 0 || new Set(uatValues).size > 1) return forClerk();
  return { kind: 'cookie', token: session, clientUat };
}
