// Every row of the decision table, end to end: the real Worker in workerd, tokens minted with
// jose from the test instance key, and the real origin on 127.0.0.1.
import { describe, expect, it } from 'vitest';

import { call, expectRefusedBy, mintToken, originSaw, sessionCookie, SIGN_IN } from '../helpers';

const active = () => mintToken();
const pending = () => mintToken({ claims: { sts: 'pending' } });

function header(record: { headers: Record<string, unknown> }, name: string): unknown {
  return record.headers[name];
}

describe('public route', () => {
  it('forwards a signed-out request with X-Auth-Session-Status: signed-out and no identity', async () => {
    const seen = await originSaw(await call('/about?x=1'));
    expect(seen.url).toBe('/about?x=1');
    expect(header(seen, 'x-auth-session-status')).toBe('signed-out');
    expect(header(seen, 'x-auth-user-id')).toBeUndefined();
  });

  it('forwards a pending session as signed out by default', async () => {
    const seen = await originSaw(await call('/about', { cookie: sessionCookie(await pending()) }));
    expect(header(seen, 'x-auth-session-status')).toBe('signed-out');
    expect(header(seen, 'x-auth-user-id')).toBeUndefined();
    expect(header(seen, 'x-auth-session-id')).toBeUndefined();
  });

  it('forwards an active session with its identity', async () => {
    const seen = await originSaw(await call('/', { cookie: sessionCookie(await active()) }));
    expect(header(seen, 'x-auth-session-status')).toBe('active');
    expect(header(seen, 'x-auth-user-id')).toBe('user_1');
    expect(header(seen, 'x-auth-session-id')).toBe('sess_1');
  });
});

describe('protected route, browser navigation', () => {
  it('sends a signed-out browser to sign-in with the original URL, without calling the origin', async () => {
    const res = await expectRefusedBy('/dashboard/reports?q=1', 307, { navigate: true });
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(SIGN_IN);
    expect(location.searchParams.get('redirect_url')).toBe('https://gateway.test/dashboard/reports?q=1');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends a pending session to <sign-in>/tasks with the original URL', async () => {
    const res = await expectRefusedBy('/forum/t/1', 307, { navigate: true, cookie: sessionCookie(await pending()) });
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${SIGN_IN}/tasks`);
    expect(location.searchParams.get('redirect_url')).toBe('https://gateway.test/forum/t/1');
  });

  it('forwards an active session with identity', async () => {
    const seen = await originSaw(await call('/dashboard', { navigate: true, cookie: sessionCookie(await active()) }));
    expect(header(seen, 'x-auth-session-status')).toBe('active');
    expect(header(seen, 'x-auth-user-id')).toBe('user_1');
  });

  it('treats HEAD and Accept: text/html (no Sec-Fetch-Dest) as navigation', async () => {
    const head = await call('/dashboard', { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(head.status).toBe(307);
    const iframe = await call('/dashboard', { headers: { 'sec-fetch-dest': 'iframe' } });
    expect(iframe.status).toBe(307);
  });

  it('Accept merely mentioning text/html is not a navigation (Clerk: starts with)', async () => {
    expect((await call('/dashboard/api', { headers: { accept: 'application/json, text/html;q=0.1' } })).status).toBe(401);
    expect((await call('/dashboard', { headers: { accept: 'text/html, */*' } })).status).toBe(307);
  });
});

describe('protected route, API and non-navigation requests', () => {
  it('answers a signed-out request 401 unauthenticated with WWW-Authenticate: Bearer', async () => {
    const res = await expectRefusedBy('/dashboard/api/data', 401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toMatchObject({ error: 'unauthenticated', code: 'ERR_UNAUTHENTICATED' });
  });

  it('answers a pending session 401 session_pending with the tasks URL', async () => {
    const res = await expectRefusedBy('/dashboard/api', 401, { bearer: await pending() });
    const body = (await res.json()) as { error: string; tasks_url: string };
    expect(body.error).toBe('session_pending');
    const tasks = new URL(body.tasks_url);
    expect(`${tasks.origin}${tasks.pathname}`).toBe(`${SIGN_IN}/tasks`);
    expect(tasks.searchParams.get('redirect_url')).toBe('https://gateway.test/dashboard/api');
  });

  it('does not redirect a POST even with Accept: text/html and Sec-Fetch-Dest: document', async () => {
    const res = await call('/dashboard', { method: 'POST', body: 'x', headers: { accept: 'text/html', 'sec-fetch-dest': 'document' } });
    expect(res.status).toBe(401);
  });

  it('does not redirect fetch() calls (Sec-Fetch-Dest: empty) even when they accept HTML', async () => {
    const res = await call('/dashboard', { headers: { accept: 'text/html', 'sec-fetch-dest': 'empty' } });
    expect(res.status).toBe(401);
  });

  it('forwards an active bearer token with identity, method and body', async () => {
    const seen = await originSaw(
      await call('/dashboard/api?x=1', { method: 'POST', bearer: await active(), body: '{"a":1}', headers: { 'content-type': 'application/json' } }),
    );
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/dashboard/api?x=1');
    expect(seen.body).toBe('{"a":1}');
    expect(header(seen, 'x-auth-user-id')).toBe('user_1');
  });
});

describe('route with treatPendingAsSignedOut: false', () => {
  it('forwards a pending session with its identity and status pending', async () => {
    const seen = await originSaw(await call('/account/status', { navigate: true, cookie: sessionCookie(await pending()) }));
    expect(header(seen, 'x-auth-session-status')).toBe('pending');
    expect(header(seen, 'x-auth-user-id')).toBe('user_1');
    expect(header(seen, 'x-auth-session-id')).toBe('sess_1');
  });

  it('still refuses a signed-out request (redirect for browsers, 401 for APIs)', async () => {
    expect((await call('/account/status', { navigate: true })).status).toBe(307);
    expect((await call('/account/status/api')).status).toBe(401);
  });

  it('forwards an active session as active', async () => {
    const seen = await originSaw(await call('/account/status', { bearer: await active() }));
    expect(header(seen, 'x-auth-session-status')).toBe('active');
  });
});

describe('identity headers', () => {
  it('carries the active organization from a v2 token', async () => {
    const token = await mintToken({
      claims: { fea: 'o:billing', o: { id: 'org_9', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '3' } },
    });
    const seen = await originSaw(await call('/dashboard', { bearer: token }));
    expect(header(seen, 'x-auth-org-id')).toBe('org_9');
    expect(header(seen, 'x-auth-org-slug')).toBe('acme');
    expect(header(seen, 'x-auth-org-role')).toBe('org:admin');
    expect(String(header(seen, 'x-auth-org-permissions')).split(',')).toEqual(
      expect.arrayContaining(['org:billing:read', 'org:billing:manage']),
    );
  });

  it('carries the organization of a v1 token', async () => {
    const token = await mintToken({
      claims: { v: undefined, sts: undefined, org_id: 'org_1', org_role: 'org:member', org_slug: 'one', org_permissions: ['org:x:read'] },
    });
    const seen = await originSaw(await call('/dashboard', { bearer: token }));
    expect(header(seen, 'x-auth-org-id')).toBe('org_1');
    expect(header(seen, 'x-auth-org-role')).toBe('org:member');
    expect(header(seen, 'x-auth-org-permissions')).toBe('org:x:read');
  });

  it('sets no org headers without an active organization', async () => {
    const seen = await originSaw(await call('/dashboard', { bearer: await active() }));
    expect(header(seen, 'x-auth-org-id')).toBeUndefined();
    expect(header(seen, 'x-auth-org-permissions')).toBeUndefined();
  });
});
