// The forward-auth endpoint (FORWARD_AUTH_PATH, src/forward-auth/): a proxy asks about a request it
// describes in headers, and the answer is the gateway's own decision for that request, the one it
// makes when it proxies it (compared here request by request); only a proxy holding the secret is
// heard, a client's own X-Forwarded-Uri / X-Original-URI never changes a decision, and the body
// is never read.
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';

import { parseSettings } from '../../src/settings/settings';
import { IDENTITY_HEADERS } from '../../src/proxy/headers';
import type { Env } from '../../src/env';
import { handshakeNonce, mintToken, newProbe, originCount, send, sessionCookie, testEnv, type SendOptions } from '../helpers';

const PATH = '/__gateway/forward-auth';
const SECRET = 's3cret-'.repeat(6);
const ENV: Env = { ...testEnv, FORWARD_AUTH_PATH: PATH, FORWARD_AUTH_SECRET: SECRET };

type Style = 'nginx' | 'caddy' | 'traefik';

/** What a proxy sends for a request of `method` `target` on https://gateway.test: its headers, the secret, the client's own. */
function asked(target: string, options: { method?: string; style?: Style; headers?: Record<string, string>; secret?: string | null; env?: Env } = {}): Promise<Response> {
  const { method = 'GET', style = 'caddy', headers = {}, secret = SECRET, env = ENV } = options;
  const described: Record<string, string> =
    style === 'nginx' ? { 'x-original-method': method, 'x-original-uri': target } : { 'x-forwarded-method': method, 'x-forwarded-uri': target };
  const proxy: Record<string, string> = { ...described, 'x-forwarded-host': 'gateway.test', 'x-forwarded-proto': 'https', ...(secret === null ? {} : { 'x-forward-auth-secret': secret }) };
  // The client's headers first, the proxy's over them (as proxy_set_header and header_up replace).
  return send(`${PATH}?proxy=${style}`, { env, headers: { ...headers, ...proxy }, origin: 'http://gateway.internal:8080' });
}

/** The request as the gateway proxies it, for comparison. */
function proxied(target: string, options: SendOptions = {}): Promise<Response> {
  return send(target, { env: ENV, ...options });
}

const NAVIGATE = { 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml' };
const API = { accept: 'application/json' };

describe('forward auth: the same decision as a proxied request', () => {
  it('decides each request as the gateway decides it when it proxies it', async () => {
    const active = await mintToken();
    const pending = await mintToken({ claims: { sts: 'pending' } });
    const cases: [string, string, Record<string, string>][] = [
      ['GET', '/dashboard', NAVIGATE],
      ['GET', '/dashboard?tab=1', API],
      ['GET', '/DashBoard/../dashboard/x', NAVIGATE],
      ['GET', '/dashboard', { ...NAVIGATE, cookie: sessionCookie(pending) }],
      ['GET', '/dashboard', { ...API, authorization: `Bearer ${pending}` }],
      ['GET', '/account/status', { ...NAVIGATE, cookie: sessionCookie(pending) }],
      ['GET', '/about', NAVIGATE],
      ['GET', '/a%2Fb', API],
      ['GET', '/dashboard%2e', API],
      ['POST', '/forum/new', { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html', referer: 'https://gateway.test/' }],
      ['GET', '/orgs/acme/settings', { ...API, authorization: `Bearer ${active}` }],
    ];
    for (const [method, target, headers] of cases) {
      const label = `${method} ${target} ${JSON.stringify(Object.keys(headers))}`;
      const direct = await proxied(target, { method, headers });
      const answer = await asked(target, { method, headers });
      // The proxied request reached the origin exactly when forward auth says 200.
      const forwarded = direct.headers.get('x-auth-reason') === null && direct.status < 500;
      expect(answer.status === 200, label).toBe(forwarded);
      if (!forwarded) {
        expect(answer.status, label).toBe(direct.status);
        expect(answer.headers.get('location'), label).toBe(direct.headers.get('location'));
        expect(answer.headers.get('x-auth-reason'), label).toBe(direct.headers.get('x-auth-reason'));
      }
    }
  });

  it('200 with every identity header present (empty when unset) and no body, for an active session', async () => {
    const res = await asked('/dashboard', { headers: { ...API, authorization: `Bearer ${await mintToken()}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-auth-user-id')).toBe('user_1');
    expect(res.headers.get('x-auth-session-id')).toBe('sess_1');
    expect(res.headers.get('x-auth-session-status')).toBe('active');
    for (const name of IDENTITY_HEADERS) expect(res.headers.has(name), name).toBe(true);
    expect(res.headers.get('x-auth-org-id')).toBe('');
    // Without a signing key the assertion header is there, empty: a proxy's fixed list never misses it.
    expect(res.headers.get('x-auth-assertion')).toBe('');
    expect(await res.text()).toBe('');
  });

  it('200 with the Cookie header the origin would get: the verified session only, the rest kept', async () => {
    const token = await mintToken();
    const forged = await mintToken({ key: 'foreign', claims: { sub: 'user_admin' } });
    // A lenient parser reads the URL-decoded name as a second __session; the gateway drops that pair.
    const res = await asked('/dashboard', { headers: { ...API, cookie: `theme=dark; %5F_session=${forged}; ${sessionCookie(token)}` } });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('x-auth-cookie')!;
    expect(cookie).toContain(`__session=${token}`);
    expect(cookie).toContain('theme=dark');
    expect(cookie).not.toContain(forged);
  });

  it('200 signed-out on a public path, with the identity headers empty: the proxy overwrites any client copy', async () => {
    const res = await asked('/about', { headers: { ...NAVIGATE, 'x-auth-user-id': 'user_admin' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-auth-session-status')).toBe('signed-out');
    expect(res.headers.get('x-auth-user-id')).toBe('');
  });

  it('nginx: a redirect comes as 401 with its Location (auth_request makes a 3xx a 500); API answers unchanged', async () => {
    const direct = await proxied('/dashboard', { headers: NAVIGATE });
    const nginx = await asked('/dashboard', { style: 'nginx', headers: NAVIGATE });
    expect(direct.status).toBe(307);
    expect(nginx.status).toBe(401);
    expect(nginx.headers.get('location')).toBe(direct.headers.get('location'));
    expect(nginx.headers.get('x-auth-redirect-status')).toBe('307');
    const api = await asked('/dashboard', { style: 'nginx', headers: API });
    expect([api.status, api.headers.get('location'), ((await api.json()) as { error: string }).error]).toEqual([401, null, 'unauthenticated']);
  });

  it('a handshake Clerk resolved: a redirect back to the page without the nonce, with Clerk’s cookies (nginx: as X-Auth-Set-Cookie-<n>)', async () => {
    const fresh = await mintToken({ claims: { sub: 'user_nonce' } });
    const caddy = await asked(`/dashboard?a=1&__clerk_handshake_nonce=${await handshakeNonce(fresh)}`, { headers: NAVIGATE });
    expect([caddy.status, caddy.headers.get('location')]).toEqual([307, 'https://gateway.test/dashboard?a=1']);
    expect(caddy.headers.getSetCookie().some((c) => c.startsWith(`__session=${fresh}`))).toBe(true);
    const nginx = await asked(`/dashboard?__clerk_handshake_nonce=${await handshakeNonce(fresh)}`, { style: 'nginx', headers: NAVIGATE });
    expect([nginx.status, nginx.headers.get('location')]).toEqual([401, 'https://gateway.test/dashboard']);
    expect(nginx.headers.get('x-auth-set-cookie-1')).toMatch(/^__(session|client_uat)=/);
    expect([nginx.headers.get('x-auth-set-cookie-1'), nginx.headers.get('x-auth-set-cookie-2')].some((c) => c?.startsWith(`__session=${fresh}`))).toBe(true);
  });

  it('a pending session: to the task page (navigation), 401 session_pending (API)', async () => {
    const cookie = sessionCookie(await mintToken({ claims: { sts: 'pending' } }));
    const page = await asked('/dashboard', { headers: { ...NAVIGATE, cookie } });
    expect(page.status).toBe(307);
    expect(new URL(page.headers.get('location')!).pathname).toBe('/sign-in/tasks');
    const api = await asked('/dashboard', { headers: { ...API, cookie } });
    expect([api.status, ((await api.json()) as { error: string }).error]).toEqual([401, 'session_pending']);
  });

  it('with GATEWAY_SIGNING_KEY: the assertion, bound to the request-target the app receives', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const env = { ...ENV, GATEWAY_SIGNING_KEY: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'fa-test' }) };
    const res = await asked('/dashboard/x?y=1', { env, headers: { ...API, authorization: `Bearer ${await mintToken()}` } });
    expect(res.status).toBe(200);
    const assertion = res.headers.get('x-auth-assertion')!;
    const claims = JSON.parse(atob(assertion.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('GET /dashboard/x?y=1')));
    const binding = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect([claims.sub, claims.sts, claims.req]).toEqual(['user_1', 'active', binding]);
    // Signed out on a public path: the assertion says so.
    const open = await asked('/about', { env });
    expect(open.headers.get('x-auth-assertion')).toMatch(/^ey/);
  });
});

describe('forward auth: trust', () => {
  it('is off unless FORWARD_AUTH_PATH is set: the path is routed like any other', async () => {
    const probe = newProbe('fa-off');
    const res = await send(PATH, { probe, headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/dashboard' } });
    expect(res.status).toBe(200);
    expect(await originCount(probe)).toBe(1);
  });

  it('refuses a request without the secret, or with another, whatever it describes', async () => {
    for (const secret of [null, '', 'wrong', SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase()]) {
      const res = await asked('/about', { secret });
      expect(res.status, String(secret)).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('ERR_FORWARD_AUTH_UNTRUSTED');
    }
  });

  it('a client’s own X-Forwarded-Uri (nginx) or X-Original-URI (Caddy, Traefik) never changes the decision', async () => {
    const nginx = await asked('/dashboard', { style: 'nginx', headers: { ...NAVIGATE, 'x-forwarded-uri': '/about', 'x-forwarded-method': 'GET' } });
    expect([nginx.status, new URL(nginx.headers.get('location')!).searchParams.get('redirect_url')]).toEqual([401, 'https://gateway.test/dashboard']);
    const caddy = await asked('/dashboard', { style: 'caddy', headers: { ...NAVIGATE, 'x-original-uri': '/about', 'x-original-method': 'GET', 'x-original-url': 'https://gateway.test/about' } });
    expect([caddy.status, new URL(caddy.headers.get('location')!).searchParams.get('redirect_url')]).toEqual([307, 'https://gateway.test/dashboard']);
  });

  it('refuses with ERR_FORWARD_AUTH_REQUEST what does not say which request, or says it malformed', async () => {
    const base = { 'x-forward-auth-secret': SECRET, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/about', 'x-forwarded-host': 'gateway.test', 'x-forwarded-proto': 'https' };
    const variants: Record<string, string | null>[] = [
      { 'x-forwarded-method': null },
      { 'x-forwarded-uri': null },
      { 'x-forwarded-host': null },
      { 'x-forwarded-proto': null },
      { 'x-forwarded-method': 'G ET' },
      { 'x-forwarded-method': 'CONNECT' },
      { 'x-forwarded-uri': 'https://evil.example/dashboard' },
      { 'x-forwarded-uri': '/a b' },
      { 'x-forwarded-host': 'evil.example/x' },
      { 'x-forwarded-host': 'gateway.test, evil.example' },
      { 'x-forwarded-host': 'user@gateway.test' },
      { 'x-forwarded-proto': 'ftp' },
    ];
    for (const variant of variants) {
      const headers = Object.fromEntries(Object.entries({ ...base, ...variant }).filter((e): e is [string, string] => e[1] !== null));
      const res = await send(PATH, { env: ENV, headers });
      expect([res.status, ((await res.json()) as { code: string }).code], JSON.stringify(variant)).toEqual([400, 'ERR_FORWARD_AUTH_REQUEST']);
    }
    const unknown = await send(`${PATH}?proxy=haproxy`, { env: ENV, headers: base });
    expect(unknown.status).toBe(400);
  });

  it('a target like //evil.example/… stays a path on the proxy’s host', async () => {
    const res = await asked('//dashboard', { headers: NAVIGATE });
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_url')).toBe('https://gateway.test/dashboard');
    const other = await asked('//evil.example/dashboard', { headers: NAVIGATE });
    expect(other.status).toBe((await proxied('//evil.example/dashboard', { headers: NAVIGATE })).status);
  });

  it('the gateway’s own endpoints are not answered through it', async () => {
    for (const target of ['/__gateway/health', '/__gateway/sign-out', PATH, '/.well-known/edge-auth-gateway/jwks.json']) {
      const res = await asked(target);
      expect([res.status, ((await res.json()) as { code: string }).code], target).toEqual([403, 'ERR_FORWARD_AUTH_ENDPOINT']);
    }
  });

  it('never reads the body the proxy may pass on', async () => {
    let pulled = false;
    // highWaterMark 0: pulled only when someone reads.
    const body = new ReadableStream(
      {
        pull() {
          pulled = true;
          throw new Error('the forward-auth endpoint read the body');
        },
      },
      { highWaterMark: 0 },
    );
    const res = await send(`${PATH}?proxy=caddy`, {
      env: ENV,
      method: 'POST',
      body,
      headers: { 'x-forward-auth-secret': SECRET, 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/forum/new', 'x-forwarded-host': 'gateway.test', 'x-forwarded-proto': 'https', ...API },
    });
    expect(res.status).toBe(401);
    expect(pulled).toBe(false);
  });

  it('settings: the path needs a secret of 32 characters or more, and a path of its own', () => {
    const problems = (env: Partial<Env>) => {
      const r = parseSettings({ ...testEnv, ...env });
      return r.ok ? [] : r.problems;
    };
    expect(problems({ FORWARD_AUTH_PATH: PATH })).toEqual([expect.stringMatching(/FORWARD_AUTH_SECRET must be set with FORWARD_AUTH_PATH/)]);
    expect(problems({ FORWARD_AUTH_PATH: PATH, FORWARD_AUTH_SECRET: 'short' })).toEqual([expect.stringMatching(/at least 32 characters/)]);
    expect(problems({ FORWARD_AUTH_SECRET: SECRET })).toEqual([expect.stringMatching(/FORWARD_AUTH_PATH is not/)]);
    expect(problems({ FORWARD_AUTH_PATH: '/__gateway/health', FORWARD_AUTH_SECRET: SECRET })).toEqual([expect.stringMatching(/already another endpoint/)]);
    expect(problems({ FORWARD_AUTH_PATH: '/a/../b', FORWARD_AUTH_SECRET: SECRET })).toEqual([expect.stringMatching(/FORWARD_AUTH_PATH must be a plain path/)]);
    expect(problems({ FORWARD_AUTH_PATH: PATH, FORWARD_AUTH_SECRET: SECRET })).toEqual([]);
  });
});
