// isPlainName (src/proxy/headers.ts), the loop that replaced /^[A-Za-z0-9-]+$/ for the header names
// the origin may get: the same answer for every code unit alone, the empty name, and names mixing
// plain characters with each code unit.
import { describe, expect, it } from 'vitest';

import { isPlainName } from '../../../src/proxy/headers';

const PLAIN_NAME = /^[A-Za-z0-9-]+$/;

describe('isPlainName', () => {
  it('answers as /^[A-Za-z0-9-]+$/ for every code unit, alone and inside a plain name', () => {
    expect(isPlainName('')).toBe(false);
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const name of [c, `x-${c}`, `${c}-auth`, `a${c}b`, `x-auth-organization-permissions${c}`]) if (isPlainName(name) !== PLAIN_NAME.test(name)) expect(isPlainName(name), JSON.stringify(name)).toBe(PLAIN_NAME.test(name));
    }
    expect(isPlainName('X-Auth-User-Id')).toBe(true);
    expect(isPlainName('x_auth_user_id')).toBe(false);
    expect(isPlainName('x-auth.user-id')).toBe(false);
  });
});
