import { ambiguousSegment, nfkcMovesSegments } from './readings';

/** Why a path was refused; each maps to a 400 with this code. */
export type PathRefusal =
  | 'ERR_PATH_MALFORMED_ENCODING'
  | 'ERR_PATH_ENCODED_SEPARATOR'
  | 'ERR_PATH_DOUBLE_ENCODING'
  | 'ERR_PATH_CONTROL_CHARACTER'
  | 'ERR_PATH_PARAMETER'
  | 'ERR_PATH_AMBIGUOUS_SEGMENT'
  | 'ERR_PATH_NORMALIZATION';

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

const HEX = /^[0-9A-Fa-f]{2}$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

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
  let decoded = '';
  for (let i = 0; i < rawPath.length; i++) {
    const ch = rawPath[i]!;
    if (ch === '%') {
      const hex = rawPath.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return refused('ERR_PATH_MALFORMED_ENCODING');
      const byte = parseInt(hex, 16);
      const char = String.fromCharCode(byte);
      i += 2;
      if (UNRESERVED.test(char)) decoded += char;
      else if (char === '/' || char === '\\') return refused('ERR_PATH_ENCODED_SEPARATOR');
      else if (byte < 0x20 || byte === 0x7f) return refused('ERR_PATH_CONTROL_CHARACTER');
      else if (char === ';') return refused('ERR_PATH_PARAMETER');
      else if (char === '%' && HEX.test(rawPath.slice(i + 1, i + 3))) return refused('ERR_PATH_DOUBLE_ENCODING');
      else decoded += `%${hex.toUpperCase()}`;
    } else if (ch === '\\') {
      decoded += '/';
    } else if (ch === ';') {
      return refused('ERR_PATH_PARAMETER');
    } else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) {
      return refused('ERR_PATH_CONTROL_CHARACTER');
    } else {
      decoded += ch;
    }
  }

  const trailingSlash = decoded.length > 1 && /\/\.{0,2}$/.test(decoded);
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      out.pop();
      continue;
    }
    if (segment.endsWith('.') || /(%20|\s)$/.test(segment)) return refused('ERR_PATH_AMBIGUOUS_SEGMENT');
    out.push(segment);
  }
  const path = out.length === 0 ? '/' : `/${out.join('/')}${trailingSlash ? '/' : ''}`;
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
