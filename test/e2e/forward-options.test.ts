// `forward` in routes.config.ts: claim headers of your choice (header-safe, capped), the verified
// session token as a bearer for origins that verify Clerk themselves, and stripping Clerk's
// credentials from what the origin sees.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { validateConfig } from '../../src/config/validate';
import { mintToken, originSaw, send, sessionCookie } from '../helpers';

const routes = [{ match: '/dashboard(.*)', protect: true }] as const;

describe('forward.claims', () => {
  const config = defineConfig({
    routes: [...routes],
    forward: {
      claims: {
        'X-User-Email': 'email',
        'X-User-Name': 'name',
        'X-Org-Slug': 'o.slg',
        'X-User-Groups': { claim: 'groups', maxBytes: 20 },
        'X-User-Missing': 'nope',
        'X-Auth-Email': 'email',
      },
    },
  });

  it('sends verified claims under the names chosen, header-safe and capped; removes client copies', async () => {
    const token = await mintToken({
      claims: { email: 'ada@example.com', name: 'José Ñandú', o: { id: 'org_1', rol: 'admin', slg: 'acme' }, groups: ['admins', 'billing', 'ops,eu', 'x'.repeat(30)] },
    });
    const seen = await originSaw(await send('/dashboard', { config, bearer: token, headers: { 'x-user-email': 'spoof@evil.example', 'x-user-missing': 'spoof' } }));
    expect(seen.headers['x-user-email']).toBe('ada@example.com');
    expect(seen.headers['x-auth-email']).toBe('ada@example.com');
    expect(seen.headers['x-user-name']).toBe(encodeURIComponent('José Ñandú'));
    expect(seen.headers['x-org-slug']).toBe('acme');
    // Whole items up to 20 bytes; the comma inside an item is encoded.
    expect(seen.headers['x-user-groups']).toBe('admins,billing');
    expect(seen.headers['x-user-missing']).toBeUndefined();
  });

  it('a signed-out request gets none of them, and no client copy either', async () => {
    const seen = await originSaw(await send('/about', { config, headers: { 'x-user-email': 'spoof@evil.example', 'X-Org-Slug': 'evil' } }));
    expect(seen.headers['x-user-email']).toBeUndefined();
    expect(seen.headers['x-org-slug']).toBeUndefined();
  });

  it('caps X-Auth-Org-Permissions at 4 KiB, cut at whole items', async () => {
    const per = Array.from({ length: 400 }, (_, i) => `perm${i}`).join(',');
    const token = await mintToken({ claims: { o: { id: 'org_1', rol: 'admin', per, fpm: '1' }, fea: 'o:feature' } });
    const seen = await originSaw(await send('/dashboard', { bearer: token }));
    const header = String(seen.headers['x-auth-org-permissions']);
    expect(header.length).toBeLessThanOrEqual(4096);
    expect(header.split(',').every((p) => /^org:feature:perm\d+$/.test(p))).toBe(true);
  });

  it('refuses names the gateway owns, names that would not survive, bad claims and sizes, each named', () => {
    const result = validateConfig({
      routes: [...routes],
      forward: {
        claims: { 'X-User_Email': 'email', Authorization: 'email', 'X-Auth-User-Id': 'sub', 'X-Ok': 'a..b', 'X-Big': { claim: 'email', maxBytes: 0 }, 'X-Extra': { claim: 'email', size: 1 } },
        sessionToken: 'yes',
        other: true,
      },
    });
    expect(result.ok ? [] : result.problems).toEqual([
      'config.forward.other is not an option (known: claims, sessionToken, stripClerkCredentials)',
      'config.forward.sessionToken must be true or false, got "yes"',
      expect.stringMatching(/claims\["X-User_Email"\]: a header name has only letters, digits and "-"/),
      expect.stringMatching(/claims\["Authorization"\]: Authorization is a header the gateway sets or forwards itself/),
      expect.stringMatching(/claims\["X-Auth-User-Id"\]: X-Auth-User-Id is a header the gateway sets/),
      expect.stringMatching(/claims\["X-Ok"\]: the claim must be a name or a dot path/),
      expect.stringMatching(/claims\["X-Big"\]: maxBytes must be a whole number from 1 to 8192/),
      expect.stringMatching(/claims\["X-Extra"\].size is not an option/),
    ]);
  });
});

describe('forward.sessionToken and forward.stripClerkCredentials', () => {
  it('sessionToken: the verified token as a bearer, also for a cookie session; a client Authorization never passes', async () => {
    const config = defineConfig({ routes: [...routes], forward: { sessionToken: true } });
    const token = await mintToken();
    const cookieSession = await originSaw(await send('/dashboard', { config, cookie: sessionCookie(token) }));
    expect(cookieSession.headers.authorization).toBe(`Bearer ${token}`);
    const signedOut = await originSaw(await send('/about', { config, headers: { authorization: 'Bearer forged' } }));
    expect(signedOut.headers.authorization).toBeUndefined();
  });

  it('stripClerkCredentials: no Clerk cookie and no Authorization reach the origin; other cookies do', async () => {
    const config = defineConfig({ routes: [...routes], forward: { stripClerkCredentials: true } });
    const token = await mintToken();
    const seen = await originSaw(await send('/dashboard', { config, cookie: `${sessionCookie(token)}; __clerk_db_jwt=d; __refresh_abc=r; __session_abc=s; theme=dark` }));
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
    expect(seen.headers.cookie).toBe('theme=dark');
    const bearer = await originSaw(await send('/dashboard', { config, bearer: token }));
    expect(bearer.headers.authorization).toBeUndefined();
  });

  it('both: only the bearer of the verified token, no Clerk cookies', async () => {
    const config = defineConfig({ routes: [...routes], forward: { sessionToken: true, stripClerkCredentials: true } });
    const token = await mintToken();
    const seen = await originSaw(await send('/dashboard', { config, cookie: `${sessionCookie(token)}; a=b` }));
    expect(seen.headers.authorization).toBe(`Bearer ${token}`);
    expect(seen.headers.cookie).toBe('a=b');
  });
});
