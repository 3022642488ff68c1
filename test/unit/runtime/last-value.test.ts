// lastValue (src/runtime/last-value.ts): a repeated key is answered without reading it again, any
// other key is read, and `null`, `''` and `undefined` are three keys.
import { describe, expect, it } from 'vitest';

import { lastValue } from '../../../src/runtime/last-value';

describe('lastValue', () => {
  it('reads a key once while it repeats, and every other key anew', () => {
    const reads: (string | null | undefined)[] = [];
    const read = lastValue((key: string | null | undefined) => {
      reads.push(key);
      return `read ${String(key)}`;
    });
    const keys = ['a', 'a', 'b', 'a', null, null, '', undefined, '', 'a', 'a'];
    for (const key of keys) expect(read(key), String(key)).toBe(`read ${String(key)}`);
    expect(reads).toEqual(['a', 'b', 'a', null, '', undefined, '', 'a']);
  });
});
