// The one home of "ASCII letter or digit" (src/request/ascii.ts), under the header-name, cookie-name
// and URL-path readings: against the RegExp class for every UTF-16 code unit.
import { describe, expect, it } from 'vitest';

import { isAsciiAlphanumeric } from '../../../src/request/ascii';

describe('isAsciiAlphanumeric', () => {
  it('is /[A-Za-z0-9]/ for every code unit, and false past a string (NaN)', () => {
    const differ: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (isAsciiAlphanumeric(code) !== /^[A-Za-z0-9]$/.test(String.fromCharCode(code))) differ.push(code);
    expect(differ).toEqual([]);
    expect(isAsciiAlphanumeric(Number.NaN)).toBe(false);
  });
});
