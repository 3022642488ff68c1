import { isAsciiAlphanumeric } from './ascii';
import { carriesSessionToken, CLERK_COOKIES, isClerkCookie, isSessionCookie, looksLikeSessionCookie } from './clerk-cookies';

/** A `Cookie` header's pairs, in order, as {@link cookiePairs} reads them. */
export type CookiePairs = readonly (readonly [name: string, value: string])[];

/**
 * Cookie pairs in order, split as `@clerk/backend` (the `cookie` package) splits them: on `;`,
 * at the first `=`, names and values trimmed of spaces and tabs, values raw. Parts without `=`
 * are skipped. The gateway reads credentials with this and rewrites what the origin gets with it.
 */
export function cookiePairs(header: string): CookiePairs {
  const pairs: [string, string][] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    pairs.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return pairs;
}

// RFC 6265 §4.1.1: a cookie-name is a token; a cookie-value is cookie-octets, optionally quoted.
// Anything else (a comma, white space, a quote or backslash inside) is split differently by
// different parsers: Python's SimpleCookie starts a new pair after white space, PHP at a comma.
// Read by loops of comparisons, not RegExps (`/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/` and
// `/^(?:[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"…")$/`): their `test` calls were 2.1 k
// instructions of a cookie request's 7.8 k rewrite (bench/profile-functions). Not a table of code
// units: a load from a module-level `Uint8Array` a character counted more than comparisons
// (`isPlainName`). test/unit/request/cookies.test.ts holds both to the RegExps for every code unit.

/** An RFC 6265 cookie-name: a token (RFC 9110 tchar), one character or more. */
export function isCookieName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (isAsciiAlphanumeric(code)) continue;
    switch (code) {
      case 0x21: // !
      case 0x23: // #
      case 0x24: // $
      case 0x25: // %
      case 0x26: // &
      case 0x27: // '
      case 0x2a: // *
      case 0x2b: // +
      case 0x2d: // -
      case 0x2e: // .
      case 0x5e: // ^
      case 0x5f: // _
      case 0x60: // `
      case 0x7c: // |
      case 0x7e: // ~
        continue;
      default:
        return false;
    }
  }
  return true;
}

/** An RFC 6265 cookie-value: cookie-octets, possibly none, or the same in double quotes. */
export function isCookieValue(value: string): boolean {
  const last = value.length - 1;
  const quoted = last >= 1 && value.charCodeAt(0) === 0x22 && value.charCodeAt(last) === 0x22;
  const end = quoted ? last : value.length;
  for (let i = quoted ? 1 : 0; i < end; i++) {
    const code = value.charCodeAt(i);
    // cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E (no space, `"`, `,`, `;`, `\`).
    if (code < 0x21 || code > 0x7e || code === 0x22 || code === 0x2c || code === 0x3b || code === 0x5c) return false;
  }
  return true;
}

/**
 * A cookie name as the most lenient parser reads it: percent-decoded and with `.`, space and `[`
 * as `_` (PHP's `$_COOKIE`), trimmed, lower-cased (case-insensitive lookups).
 */
function lenientName(name: string): string {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // An undecodable name is kept as written; it is compared as such.
  }
  return decoded.trim().toLowerCase().replace(/[.\s[]/g, '_');
}

/** Options for {@link cookieHeaderForOrigin}. */
export interface OriginCookieOptions {
  /** The verified session token: every `__session` / `__session_<suffix>` the origin gets carries it. */
  sessionToken?: string;
  /** Add `__session=<sessionToken>` when the request had none (after a handshake or refresh). */
  addSession?: boolean;
  /** Send none of Clerk's cookies (`__session*`, `__client_uat*`, `__clerk_*`, `__refresh*`). */
  dropClerkCookies?: boolean;
  /** Counts the pairs dropped because of how they are spelled (not `dropClerkCookies`), for the log line. */
  dropped?: { cookies: number };
}

/**
 * The `Cookie` header the origin gets, or `undefined` for none. Every origin must read the
 * session the gateway decided on, whatever its cookie parser:
 * - pairs that are not RFC 6265 cookie-pairs are dropped (`__client_uat=1, __session=X`);
 * - names a lenient parser reads as one of Clerk's session cookies but that are not spelled
 *   exactly so are dropped (`_.session`, `%5F%5Fsession`, `__Session`);
 * - of each Clerk session cookie only the first copy, the one Clerk read, is kept;
 * - with a verified session, every session cookie carries the verified token.
 */
export function cookieHeaderForOrigin(pairs: CookiePairs, options: OriginCookieOptions = {}): string | undefined {
  const { sessionToken } = options;
  const added = sessionToken && options.addSession && !options.dropClerkCookies;
  // Nothing to rewrite (a bearer request, say): no pass, no allocations.
  if (pairs.length === 0 && !added) return undefined;
  const out: string[] = [];
  const seen = new Set<string>();
  let hasSession = false;
  for (const [name, value] of pairs) {
    // `sessionToken` is only ever a verified token (base64url, dots, trailing `=`): a cookie-value, not scanned again.
    if (!isCookieName(name) || (value !== sessionToken && !isCookieValue(value))) {
      if (options.dropped) options.dropped.cookies++;
      continue;
    }
    if (options.dropClerkCookies && isClerkCookie(name)) continue;
    if (isSessionCookie(name)) {
      if (seen.has(name)) {
        if (options.dropped) options.dropped.cookies++;
        continue;
      }
      seen.add(name);
      if (carriesSessionToken(name)) {
        hasSession ||= name === CLERK_COOKIES.session;
        if (sessionToken) {
          out.push(`${name}=${sessionToken}`);
          continue;
        }
      }
    } else if (looksLikeSessionCookie(lenientName(name))) {
      if (options.dropped) options.dropped.cookies++;
      continue;
    }
    out.push(`${name}=${value}`);
  }
  if (added && !hasSession) out.push(`${CLERK_COOKIES.session}=${sessionToken}`);
  return out.length > 0 ? out.join('; ') : undefined;
}
