// Settings and routes config: every problem is reported, named, and the gateway forwards nothing.
import { afterEach, describe, expect, it, vi } from 'vitest';

import routes from '../routes.config';
import { ConfigError, defineConfig } from '../src/config';
import { validateConfig } from '../src/config/validate';
import type { Env } from '../src/env';
import { handleRequest } from '../src/gateway';
import { mintToken, newProbe, originCount, originSaw, testEnv } from './helpers';

async function through(env: Env, path = '/about', init: RequestInit = {}) {
  return handleRequest(new Request(`https://gateway.test${path}`, init), env, { config: routes });
}

afterEach(() => vi.restoreAllMocks());

/**
 * The problems the gateway logs for these settings. The client gets a bare 500: the problems can
 * name internal URLs (ORIGIN_URL), so they are never in the body.
 */
async function problemsOf(env: Env, path = '/about', init: RequestInit = {}): Promise<string[]> {
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const res = await through(env, path, init);
  expect(res.status).toBe(500);
  const body = await res.text();
  expect(JSON.parse(body)).toEqual({ error: 'gateway_misconfigured', code: 'ERR_GATEWAY_MISCONFIGURED', message: expect.any(String) });
  const logged = error.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
  for (const value of Object.values(env)) if (typeof value === 'string' && value.length > 8) expect(body).not.toContain(value);
  return logged.split('\n').filter((line) => line.trim().startsWith('- ') || /CLERK_SIGN_IN_URL/.test(line));
}

describe('settings', () => {
  it('names every missing required setting and forwards nothing, on public routes too', async () => {
    const probe = newProbe('unconfigured');
    const env = { ORIGIN_URL: testEnv.ORIGIN_URL };
    const problems = await problemsOf(env, '/about', { headers: { 'x-test-probe': probe } });
    expect(problems.join('\n')).toMatch(/CLERK_PUBLISHABLE_KEY is missing/);
    expect(problems.join('\n')).toMatch(/CLERK_SECRET_KEY is missing/);
    expect(await originCount(probe)).toBe(0);
    expect((await problemsOf({ ...testEnv, ORIGIN_URL: undefined })).join()).toMatch(/ORIGIN_URL is missing/);
  });

  it.each([
    [{ ORIGIN_URL: 'ftp://origin' }, /ORIGIN_URL must be an absolute http\(s\) URL/],
    [{ ORIGIN_URL: 'not a url' }, /ORIGIN_URL must be an absolute http\(s\) URL/],
    [{ ORIGIN_URL: 'https://u:p@origin.example' }, /ORIGIN_URL must not carry/],
    [{ CLERK_PUBLISHABLE_KEY: 'pk_live_garbage' }, /CLERK_PUBLISHABLE_KEY is malformed/],
    [{ CLERK_SECRET_KEY: 'secret' }, /CLERK_SECRET_KEY is malformed/],
    [{ CLERK_SECRET_KEY: 'sk_test_abc' }, /different instances/],
    [{ CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----abc-----END PUBLIC KEY-----' }, /CLERK_JWT_KEY is not a PEM RSA-2048 public key/],
    [{ CLERK_AUTHORIZED_PARTIES: 'https://ok.example, https://bad.example/path' }, /CLERK_AUTHORIZED_PARTIES: "https:\/\/bad.example\/path"/],
    [{ CLERK_SIGN_IN_URL: 'javascript:alert(1)' }, /CLERK_SIGN_IN_URL must be/],
    [{ ORIGIN_TIMEOUT_MS: '0' }, /ORIGIN_TIMEOUT_MS must be/],
  ])('refuses %j', async (override, message) => {
    expect((await problemsOf({ ...testEnv, ...override })).join('\n')).toMatch(message);
  });

  it('verifies with the JWKS from the Backend API when CLERK_JWT_KEY is not set', async () => {
    const env = { ...testEnv, CLERK_JWT_KEY: undefined };
    const res = await through(env, '/dashboard', { headers: { authorization: `Bearer ${await mintToken()}` } });
    expect((await originSaw(res)).headers['x-auth-user-id']).toBe('user_1');
    const foreign = await through(env, '/dashboard', { headers: { authorization: `Bearer ${await mintToken({ key: 'foreign' })}` } });
    expect(foreign.status).toBe(401);
  });

  it('checks azp against CLERK_AUTHORIZED_PARTIES when set', async () => {
    const env = { ...testEnv, CLERK_AUTHORIZED_PARTIES: 'https://app.example.com' };
    const ok = await through(env, '/dashboard', { headers: { authorization: `Bearer ${await mintToken({ claims: { azp: 'https://app.example.com' } })}` } });
    expect((await originSaw(ok)).headers['x-auth-user-id']).toBe('user_1');
    const own = await through(env, '/dashboard', { headers: { authorization: `Bearer ${await mintToken()}` } });
    expect(own.status).toBe(401);
  });

  it('uses CLERK_SIGN_IN_URL, relative to the gateway host', async () => {
    const env = { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in' };
    const res = await through(env, '/dashboard', { headers: { 'sec-fetch-dest': 'document' } });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('https://gateway.test/sign-in?redirect_url=https%3A%2F%2Fgateway.test%2Fdashboard');
  });

  it('refuses a sign-in URL whose own path a route protects (pending users would loop)', async () => {
    const config = defineConfig({ routes: [{ match: '/(.*)', protect: true }] });
    for (const signIn of ['/sign-in', 'https://gateway.test/sign-in']) {
      const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const res = await handleRequest(new Request('https://gateway.test/x'), { ...testEnv, CLERK_SIGN_IN_URL: signIn }, { config });
      expect(res.status).toBe(500);
      expect(await res.text()).not.toMatch(/CLERK_SIGN_IN_URL/);
      expect(error.mock.calls.map((args) => args.map(String).join(' ')).join('\n')).toMatch(/CLERK_SIGN_IN_URL .*protected by route #1/);
      error.mockRestore();
    }
    // A sign-in page on another host is not served by this gateway: no loop.
    const other = await handleRequest(new Request('https://gateway.test/x'), { ...testEnv, CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in' }, { config });
    expect(other.status).toBe(401);
  });
});

describe('routes config', () => {
  it('collects every problem, naming the route and the field', () => {
    const result = validateConfig({
      routes: [
        { match: '/ok(.*)', protect: true },
        { match: 'dashboard', protect: true },
        { match: '/forum(.*)', protected: true },
        { match: '/x', protect: 'yes' },
        { match: /admin/g, protect: true },
        { match: '/bad(', protect: true },
        { match: '/p', protect: { treatPendingAsSignedout: false } },
        { protect: true },
      ],
      extra: 1,
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^route #2 \("dashboard"\): match "dashboard" must start with "\/"/),
        expect.stringMatching(/^route #3 \("\/forum\(\.\*\)"\): protected is not a route field/),
        expect.stringMatching(/^route #3 .*protect must be true, false or/),
        expect.stringMatching(/^route #4 \("\/x"\): protect must be/),
        expect.stringMatching(/^route #5 \(\/admin\/g\): match \/admin\/g has the g or y flag/),
        expect.stringMatching(/^route #6 \("\/bad\("\): match "\/bad\(" is not a valid path-to-regexp v6 pattern/),
        expect.stringMatching(/^route #7 .*protect.treatPendingAsSignedout is not an option/),
        expect.stringMatching(/^route #8: match is missing/),
        expect.stringMatching(/^config.extra is not an option/),
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it('defineConfig throws a ConfigError listing the problems', () => {
    expect(() => defineConfig({ routes: [{ match: 'nope', protect: true }] })).toThrowError(ConfigError);
    expect(() => defineConfig({ routes: [{ match: 'nope', protect: true }] })).toThrowError(/route #1 \("nope"\)/);
  });

  it('matches like createRouteMatcher: case-insensitive, optional trailing slash, :path*, RegExp; first match wins', async () => {
    const config = defineConfig({
      routes: [
        { match: '/api/public/:path*', protect: false },
        { match: ['/api/:path*', /^\/admin(\/|$)/i], protect: true },
      ],
    });
    const status = async (path: string) =>
      (await handleRequest(new Request(`https://gateway.test${path}`), testEnv, { config })).status;
    expect(await status('/API/users')).toBe(401);
    expect(await status('/api/users/')).toBe(401);
    expect(await status('/admin')).toBe(401);
    expect(await status('/Admin/x')).toBe(401);
    expect(await status('/administrator')).toBe(200);
    expect(await status('/api/public/x')).toBe(200);
    expect(await status('/apiary')).toBe(200);
  });
});

describe('treatPendingAsSignedOut on a public route', () => {
  const config = defineConfig({
    routes: [
      { match: '/onboarding(.*)', protect: false, treatPendingAsSignedOut: false },
      { match: '/dashboard(.*)', protect: true },
    ],
  });
  const via = async (path: string, token: string) =>
    handleRequest(new Request(`https://gateway.test${path}`, { headers: { authorization: `Bearer ${token}` } }), testEnv, { config });

  it('forwards a pending session there with its identity and status pending', async () => {
    const seen = await originSaw(await via('/onboarding/choose-org', await mintToken({ claims: { sts: 'pending' } })));
    expect(seen.headers['x-auth-session-status']).toBe('pending');
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
  });

  it('changes nothing elsewhere: a pending session is still refused on a protected route', async () => {
    expect((await via('/dashboard', await mintToken({ claims: { sts: 'pending' } }))).status).toBe(401);
  });

  it('refuses a rule whose two settings disagree, or a non-boolean', () => {
    const result = validateConfig({
      routes: [
        { match: '/a', protect: { treatPendingAsSignedOut: true }, treatPendingAsSignedOut: false },
        { match: '/b', protect: false, treatPendingAsSignedOut: 'no' },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^route #1 \("\/a"\): treatPendingAsSignedOut and protect.treatPendingAsSignedOut disagree/),
      expect.stringMatching(/^route #2 \("\/b"\): treatPendingAsSignedOut must be true or false/),
    ]);
  });
});
