// Settings and routes config through the gateway: every problem is reported, named, and the
// gateway forwards nothing. Validation of the routes config on its own: test/unit/config/validate.test.ts.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import type { Env } from '../../src/env';
import { gatewayWorker } from '../../src/app';
import { captureConsole, mintToken, newProbe, originCount, originSaw, send, testEnv, testRequest, type SendOptions } from '../helpers';

/**
 * The problems the gateway logs for these settings. The client gets a bare 500: the problems can
 * name internal URLs (ORIGIN_URL), so they are never in the body.
 */
async function problemsOf(env: Env, path = '/about', options: SendOptions = {}): Promise<string[]> {
  const error = captureConsole('error');
  const res = await send(path, { ...options, env });
  expect(res.status).toBe(500);
  const body = await res.text();
  expect(JSON.parse(body)).toEqual({ error: 'gateway_misconfigured', code: 'ERR_GATEWAY_MISCONFIGURED', message: expect.any(String) });
  for (const value of Object.values(env)) if (typeof value === 'string' && value.length > 8) expect(body).not.toContain(value);
  return error
    .text()
    .split('\n')
    .filter((line) => line.trim().startsWith('- ') || /CLERK_SIGN_IN_URL/.test(line));
}

describe('settings', () => {
  it('names every missing required setting and forwards nothing, on public routes too', async () => {
    const probe = newProbe('unconfigured');
    const env = { ORIGIN_URL: testEnv.ORIGIN_URL };
    const problems = await problemsOf(env, '/about', { probe });
    expect(problems.join('\n')).toMatch(/CLERK_PUBLISHABLE_KEY is missing/);
    expect(problems.join('\n')).toMatch(/CLERK_SECRET_KEY is missing/);
    expect(await originCount(probe)).toBe(0);
    expect((await problemsOf({ ...testEnv, ORIGIN_URL: undefined })).join()).toMatch(/ORIGIN_URL is missing/);
  });

  it.each([
    [{ ORIGIN_URL: 'ftp://origin' }, /ORIGIN_URL must be an absolute http\(s\) URL/],
    [{ ORIGIN_URL: 'not a url' }, /ORIGIN_URL must be an absolute http\(s\) URL/],
    [{ ORIGIN_URL: 'https://u:p@origin.example' }, /ORIGIN_URL must not carry/],
    [{ CLERK_PUBLISHABLE_KEY: 'pk_live_garbage' }, /CLERK_PUBLISHABLE_KEY starts like a publishable key but does not decode to a Frontend API host \(pk_live_…\): copy the whole key/],
    [{ CLERK_PUBLISHABLE_KEY: 'garbage' }, /CLERK_PUBLISHABLE_KEY is malformed: expected pk_live_… or pk_test_…/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of error, info, debug/],
    [{ LOG_ORIGIN_BODY_FAILURES: 'yes' }, /LOG_ORIGIN_BODY_FAILURES must be true or false, got "yes"/],
    [{ HEALTH_PATH: 'health' }, /HEALTH_PATH must be a plain path/],
    [{ SIGN_OUT_PATH: '/__gateway/health' }, /HEALTH_PATH and SIGN_OUT_PATH are both/],
    [{ SIGN_OUT_REDIRECT_URL: 'javascript:alert(1)' }, /SIGN_OUT_REDIRECT_URL must be/],
    [{ CLERK_SECRET_KEY: 'secret' }, /CLERK_SECRET_KEY is malformed/],
    [{ CLERK_SECRET_KEY: 'sk_test_abc' }, /different instances/],
    [{ CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----abc-----END PUBLIC KEY-----' }, /CLERK_JWT_KEY is not a PEM RSA-2048 public key/],
    [{ CLERK_JWT_KEY: '-----BEGIN PUBLIC KEY-----' }, /must be quoted in .dev.vars/],
    [{ CLERK_AUTHORIZED_PARTIES: 'https://ok.example, https://bad.example/path' }, /CLERK_AUTHORIZED_PARTIES: "https:\/\/bad.example\/path"/],
    [{ CLERK_SIGN_IN_URL: 'javascript:alert(1)' }, /CLERK_SIGN_IN_URL must be/],
    [{ CLERK_SIGN_UP_URL: 'javascript:alert(1)' }, /CLERK_SIGN_UP_URL must be an absolute http\(s\) URL or a path/],
    [{ CLERK_TASKS_URL: '/\\evil.example' }, /CLERK_TASKS_URL must be an absolute http\(s\) URL or a path/],
    [{ CLERK_TASKS_URL: '/onboarding?step=1' }, /CLERK_TASKS_URL must not carry a query or fragment/],
    // Browsers read `/\host` as `//host`: another site, for the sign-in page and after sign-out alike.
    [{ CLERK_SIGN_IN_URL: '/\\evil.example' }, /CLERK_SIGN_IN_URL must be an absolute http\(s\) URL or a path starting with "\/" \(one slash, no "\\", no white space\), got "\/\\\\evil.example"/],
    [{ SIGN_OUT_REDIRECT_URL: '/\\evil.example' }, /SIGN_OUT_REDIRECT_URL must be an absolute http\(s\) URL or a path starting with "\/" \(one slash, no "\\", no white space\), got "\/\\\\evil.example"/],
    [{ ORIGIN_TIMEOUT_MS: '0' }, /ORIGIN_TIMEOUT_MS must be/],
    [{ CLERK_TIMEOUT_MS: '3s' }, /CLERK_TIMEOUT_MS must be a whole number of milliseconds from 1 to 30000, got "3s"/],
    [{ CLERK_TIMEOUT_MS: '60000' }, /CLERK_TIMEOUT_MS must be/],
  ])('refuses %j', async (override, message) => {
    expect((await problemsOf({ ...testEnv, ...override })).join('\n')).toMatch(message);
  });

  it('an authorized-parties setting that names no origin is a config error, not "any azp"', async () => {
    const error = captureConsole('error');
    const res = await send('/dashboard/api', {
      env: { ...testEnv, CLERK_AUTHORIZED_PARTIES: ' , ' },
      bearer: await mintToken({ claims: { azp: 'https://evil.example' } }),
    });
    expect(res.status).toBe(500);
    expect(error.text()).toMatch(/CLERK_AUTHORIZED_PARTIES names no origin/);
  });

  it('verifies with the JWKS from the Backend API when CLERK_JWT_KEY is not set', async () => {
    const env = { ...testEnv, CLERK_JWT_KEY: undefined };
    const res = await send('/dashboard', { env, bearer: await mintToken() });
    expect((await originSaw(res)).headers['x-auth-user-id']).toBe('user_1');
    const foreign = await send('/dashboard', { env, bearer: await mintToken({ key: 'foreign' }) });
    expect(foreign.status).toBe(401);
  });

  it('checks azp against CLERK_AUTHORIZED_PARTIES when set', async () => {
    const env = { ...testEnv, CLERK_AUTHORIZED_PARTIES: 'https://app.example.com' };
    const ok = await send('/dashboard', { env, bearer: await mintToken({ claims: { azp: 'https://app.example.com' } }) });
    expect((await originSaw(ok)).headers['x-auth-user-id']).toBe('user_1');
    const own = await send('/dashboard', { env, bearer: await mintToken() });
    expect(own.status).toBe(401);
  });

  it('uses CLERK_SIGN_IN_URL, relative to the gateway host', async () => {
    const env = { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in' };
    const res = await send('/dashboard', { env, headers: { 'sec-fetch-dest': 'document' } });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('https://gateway.test/sign-in?redirect_url=https%3A%2F%2Fgateway.test%2Fdashboard');
  });

  it('refuses a sign-in URL whose own path a route protects (pending users would loop)', async () => {
    const config = defineConfig({ routes: [{ match: '/(.*)', protect: true }] });
    for (const signIn of ['/sign-in', 'https://gateway.test/sign-in']) {
      const error = captureConsole('error');
      const res = await send('/x', { env: { ...testEnv, CLERK_SIGN_IN_URL: signIn }, config });
      expect(res.status).toBe(500);
      expect(await res.text()).not.toMatch(/CLERK_SIGN_IN_URL/);
      expect(error.text()).toMatch(/CLERK_SIGN_IN_URL .*protected by route #1/);
      error.restore();
    }
    // A sign-in page on another host is not served by this gateway: no loop.
    const other = await send('/x', { env: { ...testEnv, CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in' }, config });
    expect(other.status).toBe(401);
  });
});

describe('an invalid routes.config.ts while the Worker runs (npm run dev, a bad edit saved)', () => {
  it('answers 500 gateway_misconfigured to every request, forwards nothing, and logs each problem once, without a stack trace', async () => {
    const app = gatewayWorker(async () => defineConfig({ routes: [{ match: '/admin(.*)', protected: true, name: 'admin' } as never] }));
    const error = captureConsole('error');
    const probe = newProbe('bad-routes');
    for (const path of ['/', '/admin', '/about']) {
      const res = await app.fetch(testRequest(path, { probe, navigate: path === '/admin' }), testEnv);
      expect(res.status, path).toBe(500);
      const body = await res.text();
      expect(body, path).toContain('ERR_GATEWAY_MISCONFIGURED');
      expect(body, path).not.toContain('protected');
    }
    expect(await originCount(probe)).toBe(0);
    expect(error.calls()).toHaveLength(1);
    expect(error.text()).toMatch(/routes\.config\.ts is invalid, forwarding nothing[^]*route #1 \("admin"\): protected is not a route field .*did you mean "protect"\?/);
    expect(error.text()).not.toMatch(/\n\s+at /);
  });

  it('a valid one is loaded once and used for every request', async () => {
    let loads = 0;
    const app = gatewayWorker(async () => {
      loads++;
      return defineConfig({ routes: [{ match: '/admin(.*)', protect: true }] });
    });
    expect((await app.fetch(testRequest('/admin'), testEnv)).status).toBe(401);
    expect((await app.fetch(testRequest('/about'), testEnv)).status).toBe(200);
    expect(loads).toBe(1);
  });
});

describe('routes config', () => {
  it('matches like createRouteMatcher: case-insensitive, optional trailing slash, :path*, RegExp; first match wins', async () => {
    const config = defineConfig({
      routes: [
        { match: '/api/public/:path*', protect: false },
        { match: ['/api/:path*', /^\/admin(\/|$)/i], protect: true },
      ],
    });
    const status = async (path: string) => (await send(path, { config })).status;
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
  const via = (path: string, token: string) => send(path, { config, bearer: token });

  it('forwards a pending session there with its identity and status pending', async () => {
    const seen = await originSaw(await via('/onboarding/choose-org', await mintToken({ claims: { sts: 'pending' } })));
    expect(seen.headers['x-auth-session-status']).toBe('pending');
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
  });

  it('changes nothing elsewhere: a pending session is still refused on a protected route', async () => {
    expect((await via('/dashboard', await mintToken({ claims: { sts: 'pending' } }))).status).toBe(401);
  });
});
