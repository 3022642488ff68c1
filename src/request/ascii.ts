/**
 * Whether a UTF-16 code unit is an ASCII letter or digit (`A-Z a-z 0-9`): the character class every
 * hand-written reading of a header name, cookie name or URL path starts from. Comparisons, not a
 * RegExp or a table (each counted more per character: bench/profile-functions).
 */
export function isAsciiAlphanumeric(code: number): boolean {
  // `| 0x20` folds A-Z onto a-z and moves nothing else into a-z.
  const lower = code | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (code >= 0x30 && code <= 0x39);
}
