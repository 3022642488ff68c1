// What each origin is trusted with (src/proxy/forward-scope.ts): `config.forward` is for
// ORIGIN_URL's origin; a rule's own origin on another host gets no session token and none of
// Clerk's cookies or the client's Authorization unless the rule's `forward` says so. And what is
// dropped because of its spelling is counted in the log line (src/proxy/headers.ts).
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { validateConfig } from '../../src/config/validate';
import type { Trace } from '../../src/observe/trace';
import { captureConsole, mintToken, originSaw, send, sessionCookie, testEnv } from '../helpers';

// The same test origin under another host name: another origin, as a third party would be.
const THIRD_PARTY = `http://localhost:${testEnv.TEST_ORIGIN_PORT}`;
const config = defineConfig({
  forward: { sessionToken: true, claims: { 'X-User-Email': 'email' } },
  routes: [
    { match: '/dashboard(.*)', protect: true },
    { match: '/third(.*)', protect: true, origin: { url: THIRD_PARTY, stripPrefix: '/third' } },
    { match: '/partner(.*)', protect: true, origin: { url: THIRD_PARTY, stripPrefix: '/partner' }, forward: { sessionToken: true, stripClerkCredentials: false } },
    { match: '/plain(.*)', protect: true, origin: { url: THIRD_PARTY, stripPrefix: '/plain' }, forward: { claims: {} } },
  ],
});
const cookies = (token: string) => `${sessionCookie(token)}; __clerk_db_jwt=d; __refresh_abc=r; theme=dark`;

describe('forward is per origin', () => {
  it('ORIGIN_URL gets config.forward: the session token as a bearer and the __session cookie', async () => {
    const token = await mintToken({ claims: { email: 'ada@example.com' } });
    const seen = await originSaw(await send('/dashboard', { config, cookie: cookies(token) }));
    expect(seen.headers.authorization).toBe(`Bearer ${token}`);
    expect(seen.headers.cookie).toContain(`__session=${token}`);
    expect(seen.headers['x-user-email']).toBe('ada@example.com');
  });

  it('a rule\'s third-party origin gets the identity and claims, but no session token, no Clerk cookie, no Authorization', async () => {
    const token = await mintToken({ claims: { email: 'ada@example.com' } });
    for (const credentials of [{ cookie: cookies(token) }, { bearer: token, cookie: 'theme=dark' }]) {
      const seen = await originSaw(await send('/third/x', { config, ...credentials }));
      expect(seen.url).toBe('/x');
      expect(seen.headers['x-auth-user-id']).toBe('user_1');
      expect(seen.headers['x-user-email']).toBe('ada@example.com');
      expect(seen.headers.authorization).toBeUndefined();
      expect(seen.headers.cookie).toBe('theme=dark');
    }
  });

  it('a rule that trusts its origin says so in its own forward', async () => {
    const token = await mintToken();
    const seen = await originSaw(await send('/partner/x', { config, cookie: cookies(token) }));
    expect(seen.headers.authorization).toBe(`Bearer ${token}`);
    expect(seen.headers.cookie).toContain(`__session=${token}`);
  });

  it('a rule that sends fewer claims still removes the client\'s copies of the config\'s claim headers', async () => {
    const token = await mintToken({ claims: { email: 'ada@example.com' } });
    const seen = await originSaw(await send('/plain/x', { config, bearer: token, headers: { 'x-user-email': 'spoof@evil.example' } }));
    expect(seen.headers['x-user-email']).toBeUndefined();
  });

  it('a rule\'s forward is checked like config.forward, named by rule', () => {
    const result = validateConfig({ routes: [{ match: '/a', protect: true, origin: THIRD_PARTY, forward: { sessionToken: 'yes', cookies: true } }] });
    expect(result.ok ? [] : result.problems).toEqual([
      'route #1 ("/a"): forward.cookies is not an option (known: claims, sessionToken, stripClerkCredentials)',
      'route #1 ("/a"): forward.sessionToken must be true or false, got "yes"',
    ]);
  });
});

describe('what never reaches the app is counted in the log line', () => {
  it('cookie pairs that are not RFC 6265 and header names outside [A-Za-z0-9-]: dropped, and counted', async () => {
    const token = await mintToken();
    const log = captureConsole('log');
    const res = await send('/dashboard', {
      config,
      cookie: `${sessionCookie(token)}; prefs={"a":1,"b":2}; greeting="hello world"; city=Z\u00c3\u00bcrich; theme=dark`,
      headers: { 'x_api_key': 'k', 'x.tenant': 't', 'x-plain': 'p' },
    });
    const seen = await originSaw(res);
    const line = JSON.parse(log.calls().find((l) => l.startsWith('{"msg":"request"')) as string) as Trace;
    log.restore();
    expect(seen.headers.cookie).toBe(`__session=${token}; __client_uat=${/__client_uat=(\d+)/.exec(sessionCookie(token))?.[1]}; theme=dark`);
    expect(seen.headers['x_api_key']).toBeUndefined();
    expect(seen.headers['x.tenant']).toBeUndefined();
    expect(seen.headers['x-plain']).toBe('p');
    expect(line).toMatchObject({ decision: 'forward', dropped_cookies: 3, dropped_headers: 2 });
  });

  it('nothing dropped: zeros; not forwarded: null', async () => {
    const log = captureConsole('log');
    await send('/about', { config, cookie: 'theme=dark' });
    await send('/dashboard', { config });
    const lines = log.calls().filter((l) => l.startsWith('{"msg":"request"')).map((l) => JSON.parse(l) as Trace);
    log.restore();
    expect(lines.map((l) => [l.decision, l.dropped_cookies, l.dropped_headers])).toEqual([
      ['forward', 0, 0],
      ['deny', null, null],
    ]);
  });
});
