// Attack catalogue, header and request-shape classes (/work/shared/reference/attack-classes.md plus
// the extra ones of the issue), one describe per class, in workerd against the real recording
// origin. Where the origin cannot show what it received (Node refuses headers over 16 KiB), the
// gateway is called with an injected fetch that records the request it would send.
import { describe, expect, it } from 'vitest';

import { canonicalizePath } from '../../src/request/canonicalize';
import {
  call,
  expectRefusedBy,
  expiredToken,
  GATEWAY,
  mintToken,
  newProbe,
  nowSeconds,
  originCount,
  originSaw,
  send,
  sessionCookie,
  SIGN_IN,
  testEnv,
  type CallOptions,
  type OriginRecord,
 clientUat } from '../helpers';

/** Header names as the origin received them (raw, in order), lower-cased and `_`→`-`. */
function receivedNames(seen: OriginRecord): string[] {
  return seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase().replace(/_/g, '-'));
}

/** What the gateway would send to the origin, recorded by an injected fetch (no size limits). */
async function capture(path: string, init: RequestInit = {}): Promise<{ res: Response; sent?: { url: string; method: string; headers: Headers } }> {
  let sent: { url: string; method: string; headers: Headers } | undefined;
  const fakeFetch = (async (input: RequestInfo | URL, reqInit?: RequestInit) => {
    sent = { url: String(input), method: reqInit?.method ?? 'GET', headers: new Headers(reqInit?.headers) };
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const res = await send(path, { ...init, fetch: fakeFetch });
  return sent ? { res, sent } : { res };
}

describe('framework-internal headers (Next.js CVE-2025-29927, x-middleware-subrequest)', () => {
  const FAMILY: Record<string, string> = {
    'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware',
    'X-Middleware-Subrequest': 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware',
    x_middleware_subrequest: 'pages/_middleware',
    'X-MIDDLEWARE-PREFETCH': '1',
    'x-middleware-invoke': '1',
    'x-middleware-next': '1',
    'x-middleware-rewrite': '/dashboard',
    'x-middleware-skip': '1',
  };

  it.each(Object.entries(FAMILY))('%s never skips auth on a protected route', async (name, value) => {
    await expectRefusedBy('/dashboard', 401, { headers: { [name]: value } });
    await expectRefusedBy('/dashboard', 307, { navigate: true, headers: { [name]: value } });
  });

  it('the whole family at once never skips auth, and never reaches the origin on a forwarded request', async () => {
    await expectRefusedBy('/forum/t/1', 401, { headers: FAMILY });
    for (const [path, bearer] of [
      ['/about', undefined],
      ['/dashboard', await mintToken()],
    ] as const) {
      const seen = await originSaw(await call(path, { headers: FAMILY, ...(bearer ? { bearer } : {}) }));
      expect(receivedNames(seen).filter((n) => n.startsWith('x-middleware-')), path).toEqual([]);
    }
  });
});

describe('spoofed identity / forwarded headers, case and `_` variants (oauth2-proxy CVE-2025-64484, CVE-2026-40575)', () => {
  const SPOOF: [string, string][] = [
    ['X-Auth-User-Id', 'user_admin'],
    ['x-auth-session-status', 'active'],
    ['x-auth-session-id', 'sess_admin'],
    ['X_AUTH_USER_ID', 'user_admin'],
    ['x_Auth_Org_Role', 'org:admin'],
    ['X-AUTH-ORG-ID', 'org_admin'],
    ['x-auth-org-permissions', 'org:all:manage'],
    ['X-Forwarded-Host', 'evil.example'],
    ['x_forwarded_host', 'evil.example'],
    ['X-Forwarded-For', '6.6.6.6'],
    ['X-Forwarded-Proto', 'http'],
    ['Forwarded', 'for=6.6.6.6;host=evil.example;proto=http'],
    ['X-Real-IP', '6.6.6.6'],
    ['True-Client-IP', '6.6.6.6'],
    ['X-Client-IP', '6.6.6.6'],
    ['X-Original-URL', '/dashboard'],
    ['X-Rewrite-URL', '/dashboard'],
    ['X-Clerk-Auth-Status', 'signed-in'],
  ];

  function spoofHeaders(): Headers {
    const h = new Headers();
    for (const [n, v] of SPOOF) h.append(n, v);
    // A second copy of the same identity header.
    h.append('x-auth-user-id', 'user_second');
    return h;
  }

  it('a signed-out request claiming an identity is still refused on a protected route', async () => {
    await expectRefusedBy('/dashboard/api', 401, { headers: spoofHeaders() });
  });

  it('a signed-out request on a public route reaches the origin with none of the spoofed values', async () => {
    const seen = await originSaw(await call('/about', { headers: spoofHeaders() }));
    const values = seen.rawHeaders.filter((_, i) => i % 2 === 1);
    for (const bad of ['user_admin', 'user_second', 'sess_admin', 'org:admin', 'org_admin', 'org:all:manage', 'evil.example', '6.6.6.6', '/dashboard', 'signed-in']) {
      expect(values.some((v) => v.includes(bad)), bad).toBe(false);
    }
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect(receivedNames(seen).filter((n) => n.startsWith('x-auth-'))).toEqual(['x-auth-session-status']);
  });

  it('an active session: the origin sees exactly one copy of each identity header, the real one', async () => {
    const seen = await originSaw(await call('/dashboard', { headers: spoofHeaders(), bearer: await mintToken() }));
    const auth = receivedNames(seen).filter((n) => n.startsWith('x-auth-'));
    expect(auth.sort()).toEqual(['x-auth-session-id', 'x-auth-session-status', 'x-auth-token-type', 'x-auth-user-id']);
    expect(seen.headers['x-auth-token-type']).toBe('session_token');
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
    expect(seen.headers['x-auth-session-id']).toBe('sess_1');
    expect(seen.headers['x-forwarded-host']).toBe('gateway.test');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-for']).toBeUndefined();
  });
});

describe('open redirect via return URL (oauth2-proxy CVE-2020-11053, CVE-2021-21291)', () => {
  const HOSTILE_HEADERS = {
    host: 'evil.example',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'http',
    forwarded: 'host=evil.example;proto=http',
    'x-original-url': 'https://evil.example/',
    referer: 'https://evil.example/',
  };

  /** The 307's Location goes to `target` and its redirect_url is on the gateway, with the canonical path. */
  async function expectReturnUrlOnGateway(path: string, target: string, options: CallOptions = {}): Promise<URL> {
    const res = await expectRefusedBy(path, 307, { navigate: true, headers: HOSTILE_HEADERS, ...options });
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`, path).toBe(target);
    const back = new URL(location.searchParams.get('redirect_url')!);
    expect(back.origin, path).toBe(GATEWAY);
    const parsed = new URL(`${GATEWAY}${path}`);
    const canonical = canonicalizePath(parsed.pathname);
    expect(canonical.ok && back.pathname, path).toBe(canonical.ok && canonical.path);
    expect(back.search, path).toBe(parsed.search);
    return back;
  }

  it.each([
    '/dashboard',
    '/dashboard?redirect_url=https://evil.example/',
    '/dashboard?redirect_url=//evil.example&next=https:%2F%2Fevil.example',
    '/dashboard/https://evil.example/x',
    '/dashboard//evil.example',
    '/dashboard/\\evil.example',
    '//evil.example/../dashboard',
    '/\\evil.example/../dashboard',
    '/dashboard/@evil.example',
    '/DASHBOARD/%2e%2e/forum',
  ])('signed out, %s: sign-in redirect_url stays on https://gateway.test', async (path) => {
    await expectReturnUrlOnGateway(path, SIGN_IN);
  });

  it('pending session: the tasks redirect_url stays on the gateway too', async () => {
    const pending = await mintToken({ claims: { sts: 'pending' } });
    // (No cross-site Referer here: with one, Clerk first handshakes a cookie session; covered below.)
    const { referer: _referer, ...headers } = HOSTILE_HEADERS;
    void _referer;
    await expectReturnUrlOnGateway('/forum//evil.example?redirect_url=https://evil.example', `${SIGN_IN}/tasks`, { cookie: sessionCookie(pending), headers });
    await expectReturnUrlOnGateway('/forum//evil.example?redirect_url=https://evil.example', `${SIGN_IN}/tasks`, { bearer: pending });
  });

  it('handshake: the Frontend API redirect_url stays on the gateway too', async () => {
    const expired = await expiredToken();
    await expectReturnUrlOnGateway('/dashboard/https://evil.example?x=1', 'https://clerk.gateway.test/v1/client/handshake', {
      cookie: sessionCookie(expired, nowSeconds() - 900),
    });
  });
});

describe('Host / X-Forwarded-Host never trusted (Oathkeeper error_redirect)', () => {
  it('azp is checked against the gateway\'s own origin, whatever Host / X-Forwarded-Host claim', async () => {
    const forEvil = await mintToken({ claims: { azp: 'https://evil.example' } });
    const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example' };
    await expectRefusedBy('/dashboard', 401, { bearer: forEvil, headers });
    await expectRefusedBy('/dashboard', 401, { cookie: sessionCookie(forEvil), headers });
  });

  it('a token for the gateway is accepted and the origin is told the gateway\'s host, not the client\'s', async () => {
    const seen = await originSaw(
      await call('/dashboard', { bearer: await mintToken(), headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' } }),
    );
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
    expect(seen.headers['x-forwarded-host']).toBe('gateway.test');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers.host).toBe(`127.0.0.1:${testEnv.TEST_ORIGIN_PORT}`);
  });
});

describe('HEAD / method override (CVE-2010-0738)', () => {
  it.each(['HEAD', 'OPTIONS', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'POST'])('%s on a protected route is refused without the origin', async (method) => {
    await expectRefusedBy('/dashboard/api', 401, { method, ...(['PUT', 'PATCH', 'POST', 'PROPFIND'].includes(method) ? { body: 'x' } : {}) });
  });

  it('HEAD navigation to a protected route redirects to sign-in, origin not called', async () => {
    await expectRefusedBy('/dashboard', 307, { method: 'HEAD', navigate: true });
  });

  it('HEAD with an active session is forwarded as HEAD', async () => {
    const probe = newProbe('head-ok');
    const res = await call('/dashboard', { method: 'HEAD', bearer: await mintToken(), probe });
    expect(res.status).toBe(200);
    expect(await originCount(probe)).toBe(1);
  });

  const OVERRIDES = {
    'X-HTTP-Method-Override': 'GET',
    'x-http-method': 'GET',
    'X-Method-Override': 'HEAD',
    x_http_method_override: 'GET',
    'X-HTTP-METHOD-OVERRIDE': 'OPTIONS',
  };

  it('override headers asking for GET/HEAD do not make a protected POST/DELETE pass', async () => {
    await expectRefusedBy('/dashboard/api', 401, { method: 'POST', body: 'x', headers: OVERRIDES });
    await expectRefusedBy('/dashboard/api?_method=GET', 401, { method: 'DELETE', headers: OVERRIDES });
  });

  it.each([
    ['public, signed out', '/about', undefined],
    ['protected, active session', '/dashboard/api', 'token'],
  ] as const)('%s: the origin never sees an override header and gets the real method', async (_label, path, withToken) => {
    for (const method of ['POST', 'DELETE', 'GET']) {
      const seen = await originSaw(
        await call(path, { method, headers: { ...OVERRIDES, 'X-HTTP-Method-Override': 'PUT' }, ...(method === 'POST' ? { body: 'x' } : {}), ...(withToken ? { bearer: await mintToken() } : {}) }),
      );
      expect(seen.method).toBe(method);
      expect(receivedNames(seen).filter((n) => /method/.test(n))).toEqual([]);
    }
  });
});

describe('health-check bypass (oauth2-proxy CVE-2026-34457)', () => {
  it.each([
    '/dashboard/health',
    '/dashboard/healthz',
    '/dashboard/ping',
    '/dashboard/.well-known/health',
    '/dashboard?health=1',
    '/dashboard?healthz',
    '/healthz/../dashboard',
    '/health/%2e%2e/dashboard',
    '/health/..\\dashboard',
    '/forum/health/check',
  ])('%s is not a health check: refused signed out', async (path) => {
    await expectRefusedBy(path, 401);
  });

  it.each<Record<string, string>>([
    { 'user-agent': 'kube-probe/1.31' },
    { 'user-agent': 'ELB-HealthChecker/2.0' },
    { 'user-agent': 'GoogleHC/1.0' },
    { 'x-health-check': '1', 'x-healthcheck': 'true' },
    { 'cf-healthcheck': '1' },
  ])('a health-checker identity (%j) does not skip auth', async (headers) => {
    await expectRefusedBy('/dashboard', 401, { headers });
  });

  it('/health itself is just an unprotected path, forwarded signed out', async () => {
    const seen = await originSaw(await call('/health'));
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
  });
});

describe('header-size abuse: very large cookies, thousands of headers', () => {
  const BIG = 'a'.repeat(64 * 1024);

  it('a 64 KiB junk cookie without a session: protected route refused, origin not called', async () => {
    await expectRefusedBy('/dashboard/api', 401, { cookie: `junk=${BIG}` });
    await expectRefusedBy('/dashboard/api', 401, { cookie: `junk=${BIG}; __client_uat=${clientUat()}` });
  });

  it('a 64 KiB __session value is signed out, never forwarded with an identity', async () => {
    await expectRefusedBy('/dashboard/api', 401, { cookie: `__session=${BIG}; __client_uat=${clientUat()}` });
    const { res, sent } = await capture('/about', { headers: { cookie: `__session=${BIG}; __client_uat=${clientUat()}` } });
    expect(res.status).toBe(200);
    expect(sent?.headers.get('x-auth-session-status')).toBe('signed-out');
    expect(sent?.headers.get('x-auth-user-id')).toBeNull();
  });

  it('a valid session next to a 64 KiB cookie keeps its own identity, no more', async () => {
    const token = await mintToken();
    const { res, sent } = await capture('/dashboard', {
      headers: { cookie: `junk=${BIG}; ${sessionCookie(token)}`, 'x-auth-user-id': BIG, 'x-auth-org-role': 'org:admin' },
    });
    expect(res.status).toBe(200);
    expect(sent?.headers.get('x-auth-user-id')).toBe('user_1');
    expect(sent?.headers.get('x-auth-org-role')).toBeNull();
  });

  it('a 64 KiB Authorization header is refused', async () => {
    await expectRefusedBy('/dashboard/api', 401, { headers: { authorization: `Bearer ${BIG}` } });
  });

  it('5000 headers with spoofed identities buried among them: refused when protected, stripped when public', async () => {
    const many = new Headers();
    for (let i = 0; i < 5000; i++) many.set(`x-junk-${i}`, String(i));
    many.set('x-auth-user-id', 'user_admin');
    many.set('X_Auth_Session_Status', 'active');
    many.set('x-middleware-subrequest', 'middleware');
    for (let i = 0; i < 3; i++) many.append(`x-auth-org-id`, `org_${i}`);
    await expectRefusedBy('/dashboard/api', 401, { headers: many });

    const { res, sent } = await capture('/about', { headers: many });
    expect(res.status).toBe(200);
    const names: string[] = [];
    sent!.headers.forEach((_, n) => names.push(n.replace(/_/g, '-')));
    expect(names.filter((n) => n.startsWith('x-auth-'))).toEqual(['x-auth-session-status']);
    expect(sent!.headers.get('x-auth-session-status')).toBe('signed-out');
    expect(names.some((n) => n.startsWith('x-middleware-'))).toBe(false);
  });

  it('the real origin refusing oversized headers (Node: 431) is passed back, nothing is signed in', async () => {
    const probe = newProbe('big-public');
    const res = await call('/about', { cookie: `junk=${BIG}`, probe });
    // Either the origin's 431, or a gateway error: never a success with a bigger identity.
    expect([431, 502]).toContain(res.status);
    await res.body?.cancel().catch(() => {});
  });
});

describe('duplicate Authorization headers', () => {
  it('two bearer tokens of different users: signed out, never either user', async () => {
    const a = await mintToken({ claims: { sub: 'user_A', sid: 'sess_A' } });
    const b = await mintToken({ claims: { sub: 'user_B', sid: 'sess_B' } });
    const two = () => {
      const h = new Headers();
      h.append('authorization', `Bearer ${a}`);
      h.append('authorization', `Bearer ${b}`);
      return h;
    };
    await expectRefusedBy('/dashboard/api', 401, { headers: two() });
    const seen = await originSaw(await call('/about', { headers: two() }));
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
  });

  it('a valid bearer followed by garbage, or garbage followed by a valid one: signed out', async () => {
    const good = await mintToken();
    for (const pair of [
      [`Bearer ${good}`, 'Bearer garbage'],
      ['Bearer garbage', `Bearer ${good}`],
      [`Bearer ${good}`, `Basic dXNlcjpwYXNz`],
    ]) {
      const h = new Headers();
      for (const v of pair) h.append('authorization', v);
      await expectRefusedBy('/dashboard/api', 401, { headers: h });
    }
  });

  it('the same valid token twice in one header is not a way in either', async () => {
    const good = await mintToken();
    await expectRefusedBy('/dashboard/api', 401, { headers: { authorization: `Bearer ${good}, Bearer ${good}` } });
  });
});

describe('header names that CGI, PHP and WSGI rewrite (`.`, `_` and other characters read as `-`)', () => {
  // PHP's $_SERVER maps `-`, `.`, space and `[` to `_`; with workerd's sorted header order a
  // client's `X-Auth.User-Id` would arrive after the gateway's own and win. Every name outside
  // [A-Za-z0-9-] is dropped (nginx's default), so no spelling of a reserved name survives.
  const SPELLINGS = ['X-Auth.User-Id', 'x-auth.user.id', 'X_Auth_User_Id', 'x-auth-user_id', "x-auth-user'id", 'x-auth-user!id', 'x-auth-user|id', 'x-auth-user~id', 'x-auth-user^id', 'x-auth-user*id', 'x-auth-user#id', 'x-auth-user+id', 'x-auth-user&id', 'x-auth-user%id', 'x-auth-user`id', 'x-auth-user$id', 'X-Forwarded.Host', 'x.forwarded.for', 'X-Clerk.Auth-Status', 'x-middleware.subrequest'];

  function spelled(value: string): Headers {
    const h = new Headers();
    for (const name of SPELLINGS) h.append(name, value);
    h.append('x-app_custom', 'underscored');
    h.append('x-app.custom', 'dotted');
    h.append('x-app-custom', 'plain');
    return h;
  }

  for (const [label, bearer] of [
    ['signed out', false],
    ['over an active session', true],
  ] as const) {
    it(`no spelling reaches the origin (${label}); names outside [A-Za-z0-9-] are dropped, plain ones kept`, async () => {
      const seen = await originSaw(await call('/about', { headers: spelled('user_admin'), ...(bearer ? { bearer: await mintToken() } : {}) }));
      const names = receivedNames(seen);
      for (const name of names) expect(name, name).toMatch(/^[a-z0-9-]+$/);
      const values = seen.rawHeaders.filter((_, i) => i % 2 === 1);
      expect(values).not.toContain('user_admin');
      expect(values).not.toContain('underscored');
      expect(values).not.toContain('dotted');
      expect(seen.headers['x-app-custom']).toBe('plain');
      expect(seen.headers['x-auth-user-id']).toBe(bearer ? 'user_1' : undefined);
    });
  }

  it('a protected route is still refused whatever the spelled identity', async () => {
    await expectRefusedBy('/dashboard/api', 401, { headers: spelled('user_admin') });
  });
});
