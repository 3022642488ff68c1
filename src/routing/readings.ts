const ASCII_ONLY = /^[\x00-\x7f]*$/;
// Characters that delimit segments, parameters, queries and escapes.
const NOT_DELIMITER = /[^/\\?#%;]/g;

/**
 * Every way an origin may plausibly read a canonical path, for matching: the decision is made on
 * the strictest of them. The list always starts with the fully decoded path.
 * - fully percent-decoded (Express, Rails, PHP, nginx `location`);
 * - decoded with reserved escapes kept (`decodeURI`: Clerk's `createRouteMatcher`, where
 *   `%3F`/`%23` stay inside a segment instead of ending a parameter);
 * - as forwarded, still percent-encoded (routers that match before decoding);
 * - each of those NFKC-normalized (fullwidth letters, ligatures) and case-folded by lower case
 *   (`K` U+212A → `k`) and by upper case (`ſ` U+017F → `S`), as case-insensitive origins compare.
 * A pure-ASCII path without escapes has one reading: the common case costs nothing extra.
 */
export function pathReadings(path: string): string[] {
  if (!path.includes('%') && ASCII_ONLY.test(path)) return [path];
  const readings = new Set<string>();
  // canonicalizePath has checked the escapes, so neither decoder can throw here.
  for (const base of [decodeURIComponent(path), decodeURI(path), path]) {
    readings.add(base);
    // Under the rules' `i` flag the ASCII case variants match alike; only non-ASCII can fold into ASCII.
    if (ASCII_ONLY.test(base)) continue;
    const nfkc = base.normalize('NFKC');
    for (const variant of [nfkc, base.toLowerCase(), base.toUpperCase(), nfkc.toLowerCase(), nfkc.toUpperCase()]) {
      readings.add(variant);
    }
  }
  return [...readings];
}

/**
 * True when NFKC normalization of the decoded path moves a segment boundary: it adds or removes a
 * `/`, `\\`, `?`, `#`, `%` or `;` (`／` becomes `/`), or makes a dot segment or a segment ending in a
 * dot or white space (`．．` becomes `..`). An origin that normalizes would route on other segments
 * than any the gateway can match, so such a path is refused.
 */
export function nfkcMovesSegments(decoded: string): boolean {
  if (ASCII_ONLY.test(decoded)) return false;
  const nfkc = decoded.normalize('NFKC');
  if (nfkc === decoded) return false;
  if (nfkc.replace(NOT_DELIMITER, '') !== decoded.replace(NOT_DELIMITER, '')) return true;
  return nfkc.split('/').some(ambiguousSegment);
}

/** `.`, `..`, or a segment ending in a dot or white space, which Windows servers strip. */
export function ambiguousSegment(segment: string): boolean {
  return segment === '.' || segment === '..' || /[.\s]$/u.test(segment);
}
