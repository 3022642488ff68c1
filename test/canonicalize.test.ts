// Path canonicalization: unit cases for canonicalizePath, then the same attacks end to end.
import { describe, expect, it } from 'vitest';

import { canonicalizePath } from '../src/routing/canonicalize';
import { call, mintToken, newProbe, originCount, originSaw } from './helpers';

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
    ['dashboard', 'ERR_PATH_NOT_ABSOLUTE'],
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

describe('equivalent spellings of a protected path, end to end', () => {
  it.each([
    '/dashboard',
    '/DASHBOARD',
    '/Dashboard/',
    '//dashboard',
    '/%64ashboard',
    '/%44ASHBOARD',
    '/about/../dashboard',
    '/about/%2e%2e/dashboard',
    '/./dashboard',
    '/about\\..\\dashboard',
  ])('%s is protected', async (path) => {
    const probe = newProbe('spelling');
    const res = await call(path, { probe });
    expect(res.status).toBe(401);
    expect(await originCount(probe)).toBe(0);
  });

  it.each([
    '/dashboard%2fx',
    '/about/..%2fdashboard',
    '/%252e%252e/dashboard',
    '/dashboard;x=1',
    '/about/..;/dashboard',
    '/dashboard.',
    '/dashboard%00',
    '/dash%zzboard',
  ])('%s is refused with 400 and a reason code', async (path) => {
    const probe = newProbe('refused');
    const res = await call(path, { probe });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.error).toBe('bad_path');
    expect(body.code).toMatch(/^ERR_PATH_/);
    expect(await originCount(probe)).toBe(0);
  });

  it('forwards the canonical form it authorized', async () => {
    const seen = await originSaw(await call('//%64ashboard/./a/../b', { bearer: await mintToken() }));
    expect(seen.url).toBe('/dashboard/b');
  });

  it('matches the path only, never the query', async () => {
    const seen = await originSaw(await call('/about?next=/dashboard&x=/dashboard(.*)'));
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect((await call('/dashboard?public=1')).status).toBe(401);
  });
});
