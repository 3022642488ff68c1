const ASCII_ONLY = /^[\x00-\x7f]*$/;
// What decodeURI keeps escaped: `#$&+,/:;=?@`.
const RESERVED_ESCAPE = /%(?:2[346BCF]|3[ABDF]|40)/i;

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
  const decoded = decodeURIComponent(path);
  // decodeURI differs only where an escape of a reserved character stays: otherwise it is `decoded`.
  for (const base of [decoded, RESERVED_ESCAPE.test(path) ? decodeURI(path) : decoded, path]) {
    // Often the same text twice (no reserved escapes): its variants are made once.
    if (readings.has(base)) continue;
    readings.add(base);
    // Under the rules' `i` flag the ASCII case variants match alike; only non-ASCII can fold into ASCII.
    if (ASCII_ONLY.test(base)) continue;
    const nfkc = nfkcOf(base);
    // The same holds for the NFKC form when it is ASCII (fullwidth letters): its case variants add nothing.
    const variants = ASCII_ONLY.test(nfkc)
      ? [nfkc, base.toLowerCase(), base.toUpperCase()]
      : [nfkc, base.toLowerCase(), base.toUpperCase(), nfkc.toLowerCase(), nfkc.toUpperCase()];
    for (const variant of variants) readings.add(variant);
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
  const nfkc = nfkcOf(decoded);
  if (nfkc === decoded) return false;
  if (delimiters(nfkc) !== delimiters(decoded)) return true;
  return nfkc.split('/').some(ambiguousSegment);
}

// The last text normalized: canonicalizePath and pathReadings both normalize the decoded path.
let lastNfkc = { text: '', nfkc: '' };

/** `text.normalize('NFKC')`, once for the same text twice in a row. */
function nfkcOf(text: string): string {
  if (lastNfkc.text !== text) lastNfkc = { text, nfkc: text.normalize('NFKC') };
  return lastNfkc.nfkc;
}

/** The characters that delimit segments, parameters, queries and escapes (`/\\?#%;`), in order: a loop, not a RegExp replace per character. */
function delimiters(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2f || code === 0x5c || code === 0x3f || code === 0x23 || code === 0x25 || code === 0x3b) out += text[i];
  }
  return out;
}

/** `.`, `..`, or a segment ending in a dot or white space, which Windows servers strip. */
export function ambiguousSegment(segment: string): boolean {
  // Only the last code unit is read: no astral character is a dot or white space.
  const last = segment.charCodeAt(segment.length - 1);
  return last === 0x2e || isWhiteSpace(last);
}

/** What `\s` matches (white space and line terminators), by code unit: a RegExp per segment costs more than the rest. */
export function isWhiteSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}
