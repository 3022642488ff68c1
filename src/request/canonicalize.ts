import { MAX_PATH_LENGTH } from '../config/limits';
import { ambiguousSegment, nfkcMovesSegments } from './readings';
import { isAsciiAlphanumeric } from './ascii';

/** Why a path was refused; each maps to a 400 with this code. */
export type PathRefusal =
  | 'ERR_PATH_MALFORMED_ENCODING'
  | 'ERR_PATH_ENCODED_SEPARATOR'
  | 'ERR_PATH_DOUBLE_ENCODING'
  | 'ERR_PATH_CONTROL_CHARACTER'
  | 'ERR_PATH_PARAMETER'
  | 'ERR_PATH_AMBIGUOUS_SEGMENT'
  | 'ERR_PATH_NORMALIZATION'
  | 'ERR_PATH_TOO_LONG';

export type CanonicalPath =
  | {
      ok: true;
      /** The form forwarded to the origin: unreserved characters decoded, other escapes upper-case. */
      path: string;
      /**
       * The form routes are matched against: `path` fully percent-decoded, as an origin that decodes
       * the path reads it (so `/%40admin` meets a rule on `/@admin`). It cannot contain a `/` that
       * was not a separator: encoded ones are refused.
       */
      matchPath: string;
    }
  | { ok: false; code: PathRefusal };

const PERCENT = 0x25;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;
const DEL = 0x7f;

/** A hex digit's value, or -1 (also for NaN past the end). */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** RFC 3986 unreserved: `A-Z a-z 0-9 - . _ ~`. */
function isUnreserved(byte: number): boolean {
  return isAsciiAlphanumeric(byte) || byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e;
}

function refused(code: PathRefusal): CanonicalPath {
  return { ok: false, code };
}

/**
 * Canonicalizes a request path once, so the gateway decides on the same form it forwards:
 * percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2), other escapes
 * normalized to upper case, backslashes read as `/`, repeated slashes collapsed, and `.`/`..`
 * segments resolved. Anything an origin could read differently is refused instead: malformed
 * or double encoding, encoded `/` `\`, control characters, `;` path parameters, segments
 * ending in `.` or white space (which Windows servers strip), and Unicode that NFKC turns into
 * separators or dots. `rawPath` is a URL's pathname, so it starts with `/`.
 */
export function canonicalizePath(rawPath: string): CanonicalPath {
  // Before any work: matching costs path length × readings × candidate rules (see MAX_PATH_LENGTH).
  if (rawPath.length > MAX_PATH_LENGTH) return refused('ERR_PATH_TOO_LONG');
  // Most paths are plain: every step of canonicalizeWhole returns them unchanged (held by
  // test/property/canonicalize-plain.test.ts), for one RegExp instead of six passes.
  if (PLAIN_PATH.test(rawPath)) return { ok: true, path: rawPath, matchPath: rawPath };
  return canonicalizeWhole(rawPath);
}

// `/` or segments of letters, digits, `-`, `_` and `~`, with single dots between them or one in
// front (`/.well-known/app.min.js`), and at most one trailing slash: nothing to decode, resolve
// or refuse (no escape, `;`, `\`, control, white space, empty, dot or dot-ended segment). Every
// repetition starts at a `/` and every dot is followed by a segment character, so the RegExp
// backtracks at most linearly.
const PLAIN_PATH = /^(?:\/|(?:\/\.?[\w~-]+(?:\.[\w~-]+)*)+\/?)$/;

/** {@link canonicalizePath} without the shortcut for plain paths: every step, for any path within the length limit. */
export function canonicalizeWhole(rawPath: string): CanonicalPath {
  const decoded = decodeUnreserved(rawPath);
  if (typeof decoded !== 'string') return decoded;
  const path = resolveSegments(decoded);
  if (typeof path !== 'string') return path;
  // `%25` next to escapes that decode to hex digits (`%25%36%34`) leaves `%2564` here: an origin
  // that decodes twice would read `/dashboard`.
  if (/%25[0-9A-Fa-f]{2}/.test(path)) return refused('ERR_PATH_DOUBLE_ENCODING');

  let matchPath: string;
  try {
    matchPath = decodeURIComponent(path);
  } catch {
    return refused('ERR_PATH_MALFORMED_ENCODING');
  }
  // Decoded, a segment may still end in non-ASCII white space (`%C2%A0`, `%E2%80%A8`).
  if (matchPath.split('/').some(ambiguousSegment)) return refused('ERR_PATH_AMBIGUOUS_SEGMENT');
  if (nfkcMovesSegments(matchPath)) return refused('ERR_PATH_NORMALIZATION');
  return { ok: true, path, matchPath };
}

/**
 * The path with percent-encoded unreserved characters decoded, other escapes upper-cased and
 * backslashes read as `/`; or the refusal of the first escape or character an origin could read
 * otherwise. Runs of plain characters are copied as slices: the loop stops only at `%`, `\`, `;`
 * and controls.
 */
function decodeUnreserved(rawPath: string): string | CanonicalPath {
  let decoded = '';
  let from = 0;
  for (let i = 0; i < rawPath.length; i++) {
    const code = rawPath.charCodeAt(i);
    if (code > PERCENT && code !== SEMICOLON && code !== BACKSLASH && code !== DEL) continue;
    if (code < 0x20 || code === DEL) return refused('ERR_PATH_CONTROL_CHARACTER');
    if (code === SEMICOLON) return refused('ERR_PATH_PARAMETER');
    if (code === BACKSLASH) {
      decoded += `${rawPath.slice(from, i)}/`;
      from = i + 1;
    } else if (code === PERCENT) {
      const high = hexValue(rawPath.charCodeAt(i + 1));
      const low = hexValue(rawPath.charCodeAt(i + 2));
      if (high < 0 || low < 0) return refused('ERR_PATH_MALFORMED_ENCODING');
      const byte = high * 16 + low;
      if (isUnreserved(byte)) {
        decoded += rawPath.slice(from, i) + String.fromCharCode(byte);
        from = i + 3;
      } else if (byte === 0x2f || byte === BACKSLASH) return refused('ERR_PATH_ENCODED_SEPARATOR');
      else if (byte < 0x20 || byte === DEL) return refused('ERR_PATH_CONTROL_CHARACTER');
      else if (byte === SEMICOLON) return refused('ERR_PATH_PARAMETER');
      else if (byte === PERCENT && hexValue(rawPath.charCodeAt(i + 3)) >= 0 && hexValue(rawPath.charCodeAt(i + 4)) >= 0) return refused('ERR_PATH_DOUBLE_ENCODING');
      else if (rawPath.charCodeAt(i + 1) > 0x46 || rawPath.charCodeAt(i + 2) > 0x46) {
        // Lower-case hex digits: the escape upper-cased. An upper-case one stays in the run as it is.
        decoded += `${rawPath.slice(from, i)}%${rawPath.slice(i + 1, i + 3).toUpperCase()}`;
        from = i + 3;
      }
      i += 2;
    }
    // Space to `$` are plain: left in the run.
  }
  return decoded + rawPath.slice(from);
}

/** Repeated slashes collapsed and `.`/`..` segments resolved; a segment an origin may strip is refused. */
function resolveSegments(decoded: string): string | CanonicalPath {
  const trailingSlash = decoded.length > 1 && /\/\.{0,2}$/.test(decoded);
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      out.pop();
      continue;
    }
    if (segment.endsWith('%20') || ambiguousSegment(segment)) return refused('ERR_PATH_AMBIGUOUS_SEGMENT');
    out.push(segment);
  }
  return out.length === 0 ? '/' : `/${out.join('/')}${trailingSlash ? '/' : ''}`;
}
