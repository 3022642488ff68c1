// isHeaderSafe (src/auth/identity.ts), the loop that replaced /^[\x21-\x7e]{1,512}$/ for the ids the
// origin gets in headers: the same answer for every code unit alone and inside an id, and at the
// length bounds; and identityFromAuth refuses an id the RegExp refuses.
import { describe, expect, it } from 'vitest';

import { identityFromAuth, isHeaderSafe } from '../../../src/auth/identity';

const HEADER_SAFE = /^[\x21-\x7e]{1,512}$/;

describe('isHeaderSafe', () => {
  it('answers as /^[\\x21-\\x7e]{1,512}$/ for every code unit, alone, inside an id and deep in one', () => {
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      for (const value of [c, `user_${c}`, `${c}abc`, `a${c}b`, `user_${'a'.repeat(40)}${c}b`]) if (isHeaderSafe(value) !== HEADER_SAFE.test(value)) expect(isHeaderSafe(value), JSON.stringify(value)).toBe(HEADER_SAFE.test(value));
    }
  });

  it('takes 1 to 512 characters', () => {
    for (const length of [0, 1, 2, 511, 512, 513, 1024]) {
      const value = 'a'.repeat(length);
      expect(isHeaderSafe(value), String(length)).toBe(HEADER_SAFE.test(value));
    }
    expect(isHeaderSafe('a'.repeat(512))).toBe(true);
    expect(isHeaderSafe('a'.repeat(513))).toBe(false);
    expect(isHeaderSafe('')).toBe(false);
  });
});

describe('identityFromAuth', () => {
  const auth = { userId: 'user_1', sessionId: 'sess_1', sessionStatus: 'active' };
  it('refuses ids that could split or smuggle a header', () => {
    expect(identityFromAuth(auth)).toEqual({ userId: 'user_1', sessionId: 'sess_1', status: 'active' });
    for (const bad of ['user 1', 'user_1\r\nx-auth-user-id: admin', '', 'usér', 'u'.repeat(513)]) {
      expect(identityFromAuth({ ...auth, userId: bad }), JSON.stringify(bad)).toBeUndefined();
      expect(identityFromAuth({ ...auth, sessionId: bad }), JSON.stringify(bad)).toBeUndefined();
    }
    const org = identityFromAuth({ ...auth, orgId: 'org_1', orgRole: 'bad role', orgSlug: 'acme' });
    expect(org).toEqual({ userId: 'user_1', sessionId: 'sess_1', status: 'active', orgId: 'org_1', orgSlug: 'acme' });
  });
});
