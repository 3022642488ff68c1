import type { Identity, MachinePrincipal } from '../auth/result';
import type { SessionStatus } from '../decision/decide';
import { PERMISSIONS_MAX_BYTES } from '../config/limits';
import type { CompiledForward } from '../config/types';
import { cookieHeaderForOrigin, type CookiePairs } from '../request/cookies';
import { OVERRIDE_HEADERS } from '../request/methods';
import { isAsciiAlphanumeric } from '../request/ascii';
import { claimHeaders, headerValue } from './claim-headers';
import type { RequestHeaders } from '../request/headers';

// Names a client must never send on: RFC 9110 §7.6.1 hop-by-hop headers and ones a proxy must not
// pass on; headers the gateway sets its own or none of (spoofable); and every name with a prefix of
// the gateway's or a framework's identity headers.
export const RESERVED_HEADERS: readonly string[] = Object.freeze([
  // Hop-by-hop.
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  // Spoofable.
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  ...OVERRIDE_HEADERS,
]);
export const SPOOFABLE_PREFIXES: readonly string[] = Object.freeze(['x-auth-', 'x-forwarded-', 'x-middleware-', 'x-clerk-']);

// RESERVED_HEADERS by their first character, so a name meets the few that share it: a `switch`
// compared each name with all twenty (2.2 k instructions a request in bench/profile-functions; 1.3 k
// now). Not a `Set`: a `Set` lookup with a request's string makes V8 intern it first (a call into
// its runtime per name).
const RESERVED_BY_FIRST: (string[] | undefined)[] = Array.from({ length: 128 }, () => undefined);
for (const name of RESERVED_HEADERS) (RESERVED_BY_FIRST[name.charCodeAt(0)] ??= []).push(name);

/** Whether a name in `[a-z0-9-]` (`isPlainName`, lower case) is reserved: never passed on from a client. */
export function isReservedLowerCase(n: string): boolean {
  const first = n.charCodeAt(0);
  const same = RESERVED_BY_FIRST[first];
  if (same !== undefined) for (const name of same) if (name === n) return true;
  return first === 0x78 && n.charCodeAt(1) === 0x2d && SPOOFABLE_PREFIXES.some((p) => n.startsWith(p));
}

// Names outside [A-Za-z0-9-] (`isPlainName`) are dropped, as nginx does by default (`ignore_invalid_headers`,
// `underscores_in_headers off`): CGI, PHP and WSGI servers turn `_`, `.` and other characters
// into `_`, so `X-Auth.User-Id` or `X_Auth_User_Id` would reach the app as the gateway's own
// `X-Auth-User-Id` (with workerd's sorted header order, after it and in its place).
// A loop, not a RegExp: `RegExp.prototype.test` per name cost more than the rest of the header
// pass (bench:instructions, a per-function profile), and names are a dozen characters. Not a table
// of code units either: a load from a module-level `Uint8Array` a character counted 3.2 k
// instructions a request against these comparisons' 2.6 k (bench/profile-functions).
export function isPlainName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (!isAsciiAlphanumeric(code) && code !== 0x2d) return false;
  }
  return true;
}

/**
 * What never reached the origin because of how the client spelled it, for the log line: cookie
 * pairs that are not RFC 6265 or that a lenient parser would read as Clerk's session cookies, and
 * header names outside `[A-Za-z0-9-]`.
 */
export interface DroppedCounts {
  cookies: number;
  headers: number;
}

/**
 * Every identity header {@link originRequestHeaders} may set besides the config's claim headers:
 * the forward-auth endpoint answers each of them (empty when unset), so a proxy copying them never
 * finds one missing (Caddy 2.6's `copy_headers` then hands the app its placeholder text).
 */
export const IDENTITY_HEADERS = [
  'x-auth-session-status',
  'x-auth-token-type',
  'x-auth-user-id',
  'x-auth-session-id',
  'x-auth-org-id',
  'x-auth-org-role',
  'x-auth-org-slug',
  'x-auth-org-permissions',
  'x-auth-subject',
  'x-auth-client-id',
  'x-auth-scopes',
] as const;

/** What the gateway vouches for, set after every client copy is gone. */
export interface ForwardedFacts {
  status: SessionStatus;
  identity: Identity | undefined;
  /** A verified machine token the route accepts. */
  principal?: MachinePrincipal | undefined;
  /** The request's `Cookie` pairs, as `readRequest` read them: rewritten for the origin. */
  cookies: CookiePairs;
  /** The host and scheme the client reached the gateway on. */
  host: string;
  proto: 'http' | 'https';
  clientIp: string | null;
  /** The gateway's id for this request (also on the answer and in the log line). */
  requestId: string;
  /** The signed identity assertion, when the gateway has a signing key. */
  assertion?: string;
  /** What this origin is trusted with (`forwardFor`): claim headers, the session token as a bearer, stripping Clerk's credentials. */
  forward: CompiledForward;
  /** Claim headers named anywhere in the config (lower case), whose client copies never pass. @default those of `forward` */
  claimHeaderNames?: ReadonlySet<string>;
  /** The verified session token: the only `__session` value the origin gets. */
  sessionToken?: string;
  /** The token came from a handshake or refresh: add it as `__session` if the request had none. */
  sessionRefreshed?: boolean;
}

/**
 * The client's headers the origin may see: copied whole in one call into the runtime, then only
 * the names that go are deleted (each `Headers` call is a crossing: bench:instructions, and most
 * of a request's headers are kept). Headers named in the client's `Connection` are not removed:
 * workerd drops `Connection` before the Worker runs, so the gateway never learns them. Reserved
 * names go regardless.
 */
function clientHeadersKept(inbound: RequestHeaders, facts: ForwardedFacts, dropped: DroppedCounts | undefined): Headers {
  const out = new Headers(inbound.raw);
  const { forward } = facts;
  const stripAuthorization = forward.stripClerkCredentials || forward.sessionToken;
  const claimNames = facts.claimHeaderNames;
  const anyClaimName = claimNames === undefined || claimNames.size > 0;
  // The names are lower case already (`RequestHeaders.names`): tested once each, without folding.
  for (const name of inbound.names()) {
    const plain = isPlainName(name);
    // Counted: names the app can never see (`X_Api_Key`), not the reserved ones the gateway replaces.
    if (dropped && !plain) dropped.headers++;
    const goes =
      !plain ||
      isReservedLowerCase(name) ||
      // Client copies of the claim headers the gateway sets, and of Authorization when asked to.
      (anyClaimName && (claimNames ? claimNames.has(name) : forward.claims.some((c) => c.header === name))) ||
      (name === 'authorization' && stripAuthorization);
    if (goes) out.delete(name);
  }
  return out;
}

/**
 * The headers sent to the origin: the client's, minus hop-by-hop and every spoofable or
 * identity header in any spelling and any name outside `[A-Za-z0-9-]`, with the `Cookie` header
 * rewritten so every parser reads the session the gateway decided on, plus the gateway's
 * identity and forwarding headers.
 */
export function originRequestHeaders(inbound: RequestHeaders, facts: ForwardedFacts, dropped?: DroppedCounts): Headers {
  const out = clientHeadersKept(inbound, facts, dropped);
  const { forward } = facts;
  const cookie = cookieHeaderForOrigin(facts.cookies, { sessionToken: facts.sessionToken, addSession: facts.sessionRefreshed, dropClerkCookies: forward.stripClerkCredentials, dropped });
  // The client's `Cookie` came in the copy: replaced only where the rewrite changed it. workerd
  // joins several Cookie lines into one value with `, ` on arrival, which no rewrite equals (it
  // never holds a `,`): such a header is always replaced.
  const sent = inbound.get('cookie');
  if (cookie === undefined) {
    if (sent !== null) out.delete('cookie');
  } else if (cookie !== sent) out.set('cookie', cookie);
  if (forward.sessionToken && facts.sessionToken && facts.identity) out.set('authorization', `Bearer ${facts.sessionToken}`);

  // WebSockets are the one upgrade proxied: workerd completes it and hands back the socket.
  if (inbound.get('upgrade')?.toLowerCase() === 'websocket') out.set('upgrade', 'websocket');

  out.set('x-request-id', facts.requestId);
  if (facts.assertion) out.set('x-auth-assertion', facts.assertion);
  out.set('x-forwarded-host', facts.host);
  out.set('x-forwarded-proto', facts.proto);
  if (facts.clientIp) out.set('x-forwarded-for', facts.clientIp);

  out.set('x-auth-session-status', facts.status);
  const machine = facts.principal;
  if (machine) {
    out.set('x-auth-token-type', machine.tokenKind);
    // What Clerk's Backend API says goes into headers: only as header-safe values.
    const subject = headerValue(machine.subject, 512);
    const clientId = machine.clientId && headerValue(machine.clientId, 512);
    if (subject) out.set('x-auth-subject', subject);
    if (clientId) out.set('x-auth-client-id', clientId);
    const scopes = headerValue(machine.scopes, PERMISSIONS_MAX_BYTES);
    if (scopes) out.set('x-auth-scopes', scopes);
  }
  const id = facts.identity;
  if (id) {
    out.set('x-auth-token-type', 'session_token');
    out.set('x-auth-user-id', id.userId);
    out.set('x-auth-session-id', id.sessionId);
    if (id.orgId) out.set('x-auth-org-id', id.orgId);
    if (id.orgRole) out.set('x-auth-org-role', id.orgRole);
    if (id.orgSlug) out.set('x-auth-org-slug', id.orgSlug);
    const permissions = id.orgPermissions && headerValue(id.orgPermissions, PERMISSIONS_MAX_BYTES);
    if (permissions) out.set('x-auth-org-permissions', permissions);
    for (const [name, value] of claimHeaders(id.claims, forward.claims)) out.set(name, value);
  }
  return out;
}
