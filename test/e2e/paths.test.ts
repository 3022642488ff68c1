// Canonical paths and their readings, end to end: equivalent spellings of a protected path get its
// decision or a 400, the origin receives the canonical form, and no reading of a protected path
// reaches the origin unauthenticated. The pure cases: test/unit/routing/.
import { describe, expect, it } from 'vitest';

import { call, expectRefusedBy, mintToken, newProbe, originCount, originSaw } from '../helpers';

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
    await expectRefusedBy(path, 401);
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
    const res = await expectRefusedBy(path, 400);
    const body = (await res.json()) as { error: string; code: string };
    expect(body.error).toBe('bad_path');
    expect(body.code).toMatch(/^ERR_PATH_/);
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

describe('end to end: no reading of a protected path reaches the origin unauthenticated', () => {
  it.each(['/dashboard%E2%80%A8', '/dashboard/%E2%80%A9x', '/dashboard/a%3Fb', '/dashboard/%23', '/DASHBOARD%E2%84%AA', '/%EF%BD%84ashboard', '/forum%C5%BF'])(
    '%s',
    async (path) => {
      const probe = newProbe('reading');
      const res = await call(path, { probe });
      expect([400, 401]).toContain(res.status);
      expect(await originCount(probe)).toBe(0);
    },
  );
});
