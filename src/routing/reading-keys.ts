import type { CompiledConfig, CompiledRoute } from '../config/types';
import { isWhiteSpace } from '../request/readings';

/**
 * The readings of a path that the rules can tell apart, each once: readings must not multiply the
 * matching work. When every rule's RegExp is plain ASCII without `u`/`v` (what path patterns
 * compile to; user RegExps usually are), a rule sees in a non-ASCII character only "a character
 * that is not `/`, `#`, `?`", and with the `i` flag no ASCII case. So readings that differ only in
 * which non-ASCII character stands where (`ａｄｍｉｎ` and its upper case `ＡＤＭＩＮ`) or in ASCII case
 * meet the same rules, and one of them is matched. White space is kept as it is (`\s` tells it
 * apart), and so is everything when a RegExp could name a non-ASCII character (`\u00e9`, `é`), a
 * class by property (`\p`), or repeat a capture (`\1`, `\k<name>`). What stays: at most the
 * decoded, NFKC and percent-encoded readings, 3× the work of an ASCII path of the same length.
 */
export function readingsToMatch(config: CompiledConfig, readings: readonly string[]): readonly string[] {
  if (readings.length < 2) return readings;
  const blind = blindness(config);
  if (!blind) return readings;
  const kept: string[] = [];
  for (const reading of readings) {
    if (!kept.some((other) => alike(other, reading, blind === 'any-case'))) kept.push(reading);
  }
  return kept;
}

/**
 * Whether no rule can tell `a` from `b`: the same length, and at each place the same ASCII
 * character (ignoring case when every rule does), the same white space, or two other non-ASCII
 * characters. A loop over code units: cheaper than building a key with a RegExp per reading.
 */
function alike(a: string, b: string, anyCase: boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0x80 || y < 0x80) {
      // Two ASCII letters that differ only in case (0x20), or not alike.
      if (!anyCase || x >= 0x80 || y >= 0x80 || (x | 0x20) !== (y | 0x20) || (x | 0x20) < 0x61 || (x | 0x20) > 0x7a) return false;
      continue;
    }
    if (isWhiteSpace(x) || isWhiteSpace(y)) return false;
  }
  return true;
}

// `\u`, `\x`, `\c`, `\p`/`\P`, `\k` and backreferences name or repeat particular characters.
const NAMES_CHARACTERS = /[^\x00-\x7f]|\\(?:[uxcpPk]|[1-9])/;

type Blindness = 'any-case' | 'case-sensitive' | undefined;
const BLINDNESS = new WeakMap<readonly CompiledRoute[], Blindness>();

/** Whether no rule can tell two non-ASCII characters apart; `any-case` when none can tell ASCII case apart either. */
function blindness(config: CompiledConfig): Blindness {
  if (BLINDNESS.has(config.routes)) return BLINDNESS.get(config.routes);
  const regexps = [...config.routes, ...(config.fallback ? [config.fallback] : [])].flatMap((route) => route.regexps);
  let result: Blindness = undefined;
  if (regexps.every((r) => !/[uv]/.test(r.flags) && !NAMES_CHARACTERS.test(r.source))) {
    result = regexps.every((r) => r.ignoreCase) ? 'any-case' : 'case-sensitive';
  }
  BLINDNESS.set(config.routes, result);
  return result;
}
