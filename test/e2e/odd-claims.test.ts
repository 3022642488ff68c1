// Claims Clerk's parser cannot read (@clerk/shared's jwtPayloadParser throws): an organization
// feature without a scope colon in `fea`, or an `fpm` that is a number. A token signed by the
// instance with such claims is signed out, as on Clerk's own path: public pages are served, a
// protected path answers 401 token_invalid, never 500, and the log says why.
import { describe, expect, it } from 'vitest';

import { captureConsole, mintToken, originSaw, send, sessionCookie } from '../helpers';

const ORG = { id: 'org_1', slg: 'acme', rol: 'admin', per: 'read,manage' };
const ODD: [string, Record<string, unknown>][] = [
  ['a fea element without a colon', { o: { ...ORG, fpm: '3' }, fea: 'o:billing,broken' }],
  ['an fpm that is a number', { o: { ...ORG, fpm: 3 }, fea: 'o:billing' }],
];

describe('claims Clerk cannot read are signed out, not a 500', () => {
  it.each(ODD)('%s: public pages served signed out, protected ones 401 token_invalid, logged with the cause', async (_, claims) => {
    const errors = captureConsole('error');
    const logs = captureConsole('log');
    const token = await mintToken({ claims });
    for (const credentials of [{ bearer: token }, { cookie: sessionCookie(token) }]) {
      const page = await send('/about', credentials);
      expect(page.status).toBe(200);
      expect((await originSaw(page)).headers['x-auth-user-id']).toBeUndefined();
      const api = await send('/dashboard/api', credentials);
      expect([api.status, api.headers.get('x-auth-reason')]).toEqual([401, 'token_invalid']);
      const browser = await send('/dashboard', { ...credentials, navigate: true });
      expect(browser.status).toBe(307);
    }
    expect(errors.text()).toContain("the session token's claims could not be read");
    const line = logs.calls().find((l) => l.includes('"path":"/dashboard/api"'))!;
    expect(JSON.parse(line)).toMatchObject({ reason: 'ERR_SESSION_CLAIMS', public_reason: 'token_invalid', session_status: 'signed-out' });
    expect(JSON.parse(line).detail).toMatch(/./);
  });

  it('the same organization claims, well formed, sign in', async () => {
    const res = await send('/dashboard/api', { bearer: await mintToken({ claims: { o: { ...ORG, fpm: '3' }, fea: 'o:billing' } }) });
    expect(res.status).toBe(200);
    expect((await originSaw(res)).headers['x-auth-org-id']).toBe('org_1');
  });
});
