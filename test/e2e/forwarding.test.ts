// What the origin receives and what the client gets back: header hygiene, identity headers,
// body and Set-Cookie fidelity, redirects passed through, origin down or slow (and what is logged
// then), WebSockets.
import { describe, expect, it } from 'vitest';

import { call, captureConsole, mintToken, originSaw, send, testEnv } from '../helpers';

const SPOOFED: Record<string, string> = {
  'X-Auth-User-Id': 'user_admin',
  'x-auth-session-status': 'active',
  'X-AUTH-ORG-ROLE': 'org:admin',
  'x_auth_user_id': 'user_admin',
  'X_Auth_Org_Permissions': 'org:everything',
  'x-auth-anything-else': 'x',
  'X-Forwarded-Host': 'evil.example',
  'X-Forwarded-Proto': 'http',
  'X-Forwarded-For': '6.6.6.6',
  'x_forwarded_for': '6.6.6.6',
  'X-Forwarded-Prefix': '/admin',
  'Forwarded': 'for=6.6.6.6;host=evil.example',
  'X-Real-IP': '6.6.6.6',
  'X-HTTP-Method-Override': 'DELETE',
  'X-Method-Override': 'DELETE',
  'x-middleware-subrequest': 'middleware:middleware:middleware',
  'X-Original-URL': '/dashboard',
  'X-Clerk-Auth-Status': 'signed-in',
};

function headerNames(raw: string[]): string[] {
  return raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

describe('header hygiene', () => {
  for (const [label, path, withToken] of [
    ['public route, signed out', '/about', false],
    ['protected route, active session', '/dashboard', true],
  ] as const) {
    it(`removes every client copy of identity, forwarding and override headers (${label})`, async () => {
      const headers = new Headers(SPOOFED);
      headers.set('cf-connecting-ip', '203.0.113.7');
      // workerd removes `Connection` before a deployed Worker runs, so the gateway cannot honour
      // the names it lists; only reserved names are removed, whatever Connection says.
      headers.set('connection', 'x-hop-custom, x-auth-user-id');
      headers.set('x-hop-custom', 'passes');
      headers.set('x-kept', 'kept');
      const seen = await originSaw(await call(path, { headers, ...(withToken ? { bearer: await mintToken() } : {}) }));
      const names = headerNames(seen.rawHeaders);
      for (const name of names) {
        const normalized = name.replace(/_/g, '-');
        expect(normalized.startsWith('x-middleware-'), name).toBe(false);
        expect(normalized.startsWith('x-clerk-'), name).toBe(false);
        expect(['forwarded', 'x-real-ip', 'x-http-method-override', 'x-method-override', 'x-original-url', 'connection'], name).not.toContain(normalized);
      }
      // Exactly one copy of each identity/forwarding header, all the gateway's own.
      const authNames = names.filter((n) => n.replace(/_/g, '-').startsWith('x-auth-'));
      expect(new Set(authNames).size).toBe(authNames.length);
      expect(names.filter((n) => n.replace(/_/g, '-').startsWith('x-forwarded-')).sort()).toEqual([
        'x-forwarded-for',
        'x-forwarded-host',
        'x-forwarded-proto',
      ]);
      expect(seen.headers['x-forwarded-host']).toBe('gateway.test');
      expect(seen.headers['x-forwarded-proto']).toBe('https');
      expect(seen.headers['x-forwarded-for']).toBe('203.0.113.7');
      expect(seen.headers['x-kept']).toBe('kept');
      expect(seen.headers['x-hop-custom']).toBe('passes');
      expect(seen.headers['x-auth-org-role']).toBeUndefined();
      expect(seen.headers['x-auth-org-permissions']).toBeUndefined();
      if (withToken) {
        expect(seen.headers['x-auth-user-id']).toBe('user_1');
        expect(seen.headers['x-auth-session-status']).toBe('active');
      } else {
        expect(names).not.toContain('x-auth-user-id');
        expect(seen.headers['x-auth-session-status']).toBe('signed-out');
      }
      expect(seen.method).toBe('GET');
    });
  }

  it('keeps the method even when an override header asks for another', async () => {
    const seen = await originSaw(await call('/about', { method: 'POST', body: 'x', headers: { 'x-http-method-override': 'DELETE' } }));
    expect(seen.method).toBe('POST');
  });
});

describe('fidelity', () => {
  it('returns every Set-Cookie header of the origin', async () => {
    const res = await call('/about?__origin=set-cookies');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure', 'c=3; Max-Age=60']);
  });

  it('streams a binary response body byte for byte', async () => {
    const res = await call('/about?__origin=binary');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(256 * 1024);
    let mismatches = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== (i * 31 + 7) % 256) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('streams a 2 MiB request body to the origin unchanged', async () => {
    const body = new Uint8Array(2 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 13) % 251;
    const res = await call('/dashboard/upload?__origin=reflect', {
      method: 'PUT',
      body,
      bearer: await mintToken(),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    const echoed = new Uint8Array(await res.arrayBuffer());
    expect(echoed.length).toBe(body.length);
    expect(echoed.every((b, i) => b === body[i])).toBe(true);
  });

  it('passes origin redirects through without following them', async () => {
    const res = await call('/about?__origin=redirect');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere?x=1');
  });

  it('passes the origin status, headers and body through', async () => {
    const res = await call('/about?__origin=status');
    expect(res.status).toBe(418);
    expect(res.headers.get('x-origin-header')).toBe('kept');
    expect(await res.text()).toBe('teapot');
  });

  it('forwards the query string untouched and the canonical path', async () => {
    const seen = await originSaw(await call('//about/./x/../y?a=%2F..&b=1&b=2', {}));
    expect(seen.url).toBe('/about/y?a=%2F..&b=1&b=2');
  });
});

// workerd prints a stack trace for every refused connection; the origin's fetch is replaced by one
// that fails as workerd's does, so the output carries no expected stack traces.
const refusedConnection = () => Promise.reject(new TypeError('Network connection lost.'));

describe('origin failures', () => {
  it('answers 502 origin_unreachable when the origin refuses connections', async () => {
    const res = await send('/about', { fetch: refusedConnection });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'origin_unreachable' });
  });

  it('answers 504 origin_timeout when the origin does not answer in time', async () => {
    const env = { ...testEnv, ORIGIN_TIMEOUT_MS: '20' };
    const res = await send('/about', { env, fetch: () => new Promise<Response>(() => undefined) });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: 'origin_timeout' });
  });

  it('prefixes the path of ORIGIN_URL', async () => {
    const env = { ...testEnv, ORIGIN_URL: `http://127.0.0.1:${testEnv.TEST_ORIGIN_PORT}/app/` };
    const seen = await originSaw(await send('/about?x=1', { env }));
    expect(seen.url).toBe('/app/about?x=1');
  });
});

describe('no secrets in logs or bodies', () => {
  it('a failed origin call is logged without its query string', async () => {
    const error = captureConsole('error');
    const res = await send('/about?token=s3cr3t-query', { fetch: refusedConnection });
    expect(res.status).toBe(502);
    const logged = error.text();
    expect(logged).toMatch(/origin request GET http:\/\/127\.0\.0\.1:\d+\/about failed/);
    expect(logged).not.toContain('s3cr3t-query');
    expect(await res.text()).not.toContain('127.0.0.1');
  });
});

describe('WebSockets', () => {
  it('proxies a WebSocket upgrade with the identity of the session', async () => {
    const res = await call('/dashboard/ws', { bearer: await mintToken(), headers: { upgrade: 'websocket' } });
    expect(res.status).toBe(101);
    const socket = res.webSocket!;
    const message = new Promise<string>((resolve) => socket.addEventListener('message', (e) => resolve(String(e.data))));
    socket.accept();
    expect(await message).toBe('hello user_1');
    socket.close();
  });

  it('refuses a WebSocket upgrade on a protected route without a session', async () => {
    const res = await call('/dashboard/ws', { headers: { upgrade: 'websocket' } });
    expect(res.status).toBe(401);
    expect(res.webSocket).toBeNull();
  });
});
