// canonicalizePath (src/request/canonicalize.ts): the canonical form of a path, or the reason it is refused.
// The same spellings end to end: test/e2e/paths.test.ts.
import { describe, expect, it } from 'vitest';

import { canonicalizePath } from '../../../src/request/canonicalize';

describe('canonicalizePath', () => {
  it.each([
    ['/', '/'],
    ['/dashboard', '/dashboard'],
    ['//dashboard', '/dashboard'],
    ['/a//b///c', '/a/b/c'],
    ['/a/./b', '/a/b'],
    ['/a/b/../c', '/a/c'],
    ['/../../a', '/a'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/.%2E/b', '/b'],
    ['/%64ashboard', '/dashboard'],
    ['/%7Euser', '/~user'],
    ['/a%20b', '/a%20b'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a\\b', '/a/b'],
    ['/a/', '/a/'],
    ['/a/b/..', '/a/'],
    ['/a%25', '/a%25'],
    ['/a%3Fb', '/a%3Fb'],
  ])('%s → %s', (raw, canonical) => {
    const result = canonicalizePath(raw);
    expect(result).toMatchObject({ ok: true, path: canonical });
  });

  it.each([
    ['/a%2fb', 'ERR_PATH_ENCODED_SEPARATOR'],
    ['/a%2Fb', 'ERR_PATH_ENCODED_SEPARATOR'],
    ['/a%5cb', 'ERR_PATH_ENCODED_SEPARATOR'],
    ['/..%2fdashboard', 'ERR_PATH_ENCODED_SEPARATOR'],
    ['/a%00', 'ERR_PATH_CONTROL_CHARACTER'],
    ['/a%0d%0aX-Auth-User-Id:%20x', 'ERR_PATH_CONTROL_CHARACTER'],
    ['/a%zz', 'ERR_PATH_MALFORMED_ENCODING'],
    ['/a%2', 'ERR_PATH_MALFORMED_ENCODING'],
    ['/a%c3', 'ERR_PATH_MALFORMED_ENCODING'],
    ['/%252e%252e/dashboard', 'ERR_PATH_DOUBLE_ENCODING'],
    ['/%2564ashboard', 'ERR_PATH_DOUBLE_ENCODING'],
    ['/dashboard;jsessionid=1', 'ERR_PATH_PARAMETER'],
    ['/public/..;/dashboard', 'ERR_PATH_PARAMETER'],
    ['/dashboard%3b', 'ERR_PATH_PARAMETER'],
    ['/dashboard.', 'ERR_PATH_AMBIGUOUS_SEGMENT'],
    ['/dashboard%20', 'ERR_PATH_AMBIGUOUS_SEGMENT'],
    ['/dashboard%2e/x', 'ERR_PATH_AMBIGUOUS_SEGMENT'],
  ])('refuses %s (%s)', (raw, code) => {
    expect(canonicalizePath(raw)).toEqual({ ok: false, code });
  });

  it('is idempotent on its output', () => {
    for (const raw of ['//a/./b/../C%7e', '/x/%41%42/', '/caf%c3%a9//y']) {
      const once = canonicalizePath(raw);
      expect(once.ok).toBe(true);
      if (once.ok) expect(canonicalizePath(once.path)).toEqual(once);
    }
  });
});
