// The Frontend API proxy (CLERK_FRONTEND_API_PROXY_PATH): @clerk/backend's clerkFrontendApiProxy
// serves Clerk's Frontend API on the gateway's own host, against a fake Frontend API on 127.0.0.1
// (test/servers.ts startFrontendApi). Its requests never reach the origin nor any rule; the
// gateway's own Clerk calls use the proxy URL, and tokens minted through it are accepted.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import type { Env } from '../../src/env';
import { clientUat, cookieSuffix, expiredToken, mintToken, newProbe, nowSeconds, originCount, originSaw, refusalCode, send, sessionCookie, testEnv, GATEWAY } from '../helpers';

const FAPI = `http://127.0.0.1:${testEnv.TEST_FAPI_PORT}`;
// Each test's own settings object: its own runtime, so no test sees another's.
const proxied = (extra: Env = {}): Env => ({ ...testEnv, CLERK_FRONTEND_API_PROXY_PATH: 'true', CLERK_FRONTEND_API_URL: FAPI, ...extra });

interface FapiEcho {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string | undefined>;
  body: string;
}

async function fapiSaw(res: Response): Promise<FapiEcho> {
  if (res.status !== 200) throw new Error(`expected the Frontend API's 200, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as FapiEcho;
}

describe('Frontend API proxy', () => {
  it('serves /__clerk/* from the Frontend API with the proxy URL and secret key, never the origin', async () => {
    const probe = newProbe('fapi');
    const res = await send('/__clerk/v1/environment?_clerk_js_version=5', {
      env: proxied(),
      probe,
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', 'x-forwarded-for': '6.6.6.6', 'clerk-proxy-url': 'https://evil.example/__clerk' },
    });
    const seen = await fapiSaw(res);
    expect(seen.path).toBe('/v1/environment');
    expect(seen.search).toBe('?_clerk_js_version=5');
    // The public URL is the gateway's own, whatever the client claims.
    expect(seen.headers['clerk-proxy-url']).toBe(`${GATEWAY}/__clerk`);
    expect(seen.headers['x-forwarded-host']).toBe('gateway.test');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-for']).toBeUndefined();
    expect(seen.headers['clerk-secret-key']).toBe(testEnv.CLERK_SECRET_KEY);
    expect(res.headers.getSetCookie()).toEqual(['__client=fapi_client; Path=/; HttpOnly; Secure; SameSite=Lax']);
    expect(await originCount(probe)).toBe(0);
  });

  it('is never subject to the rules: a POST with a body passes under defaultPolicy protect, signed out', async () => {
    const config = defineConfig({ defaultPolicy: 'protect', routes: [{ name: 'all', match: '/(.*)', protect: true }] });
    const res = await send('/__clerk/v1/client/sign_ins', { env: proxied(), config, method: 'POST', body: 'identifier=a%40b.test', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const seen = await fapiSaw(res);
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe('identifier=a%40b.test');
    // The same path without the proxy is the protected origin's.
    const off = await send('/__clerk/v1/client/sign_ins', { config, method: 'POST', body: 'x' });
    expect(off.status).toBe(401);
  });

  it("rewrites the Frontend API's redirect onto the proxy URL", async () => {
    const res = await send('/__clerk/v1/redirect', { env: proxied() });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${GATEWAY}/__clerk/v1/client/sign_ins?step=2`);
  });

  it('serves a path of its own, and nothing beside it', async () => {
    const env = proxied({ CLERK_FRONTEND_API_PROXY_PATH: '/clerk-fapi/' });
    expect((await fapiSaw(await send('/clerk-fapi', { env }))).path).toBe('/');
    expect((await fapiSaw(await send('/clerk-fapi/v1/client', { env }))).headers['clerk-proxy-url']).toBe(`${GATEWAY}/clerk-fapi`);
    // Look-alikes are the origin's (public /about-like paths are echoed by it), as @clerk/backend's matchProxyPath says.
    for (const path of ['/clerk-fapix/v1', '/CLERK-FAPI/v1', '/__clerk/v1/environment']) {
      const seen = await originSaw(await send(path, { env }));
      expect(new URL(seen.url, 'http://o').pathname, path).toBe(path);
    }
  });

  it('answers 503 auth_unavailable when the Frontend API does not answer within CLERK_TIMEOUT_MS', async () => {
    const res = await send('/__clerk/v1/hang', { env: proxied({ CLERK_TIMEOUT_MS: '200' }) });
    expect(res.status).toBe(503);
    expect(await refusalCode(res)).toBe('ERR_CLERK_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it("answers @clerk/backend's own 502 when the Frontend API cannot be reached", async () => {
    const res = await send('/__clerk/v1/environment', { env: proxied({ CLERK_FRONTEND_API_URL: 'http://127.0.0.1:9' }) });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe('proxy_request_failed');
  });

  it("sends Clerk's handshake through the proxy URL", async () => {
    const res = await send('/dashboard', { env: proxied(), navigate: true, cookie: sessionCookie(await expiredToken(), nowSeconds() - 900) });
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${GATEWAY}/__clerk/v1/client/handshake`);
    expect(location.searchParams.get('redirect_url')).toBe(`${GATEWAY}/dashboard`);
  });

  it("accepts a token issued under the proxy URL (iss) only with the proxy on, through Clerk, and the instance's own either way", async () => {
    const suffix = await cookieSuffix();
    const viaProxy = await mintToken({ claims: { iss: `${GATEWAY}/__clerk` } });
    const direct = await mintToken();
    const otherProxy = await mintToken({ claims: { iss: 'https://evil.example/__clerk' } });
    // clerk-js sets the suffixed cookies beside the plain ones; a token of another `iss` than the
    // key's makes @clerk/backend read the suffixed ones.
    const both = (token: string) => `${sessionCookie(token)}; __session_${suffix}=${token}; __client_uat_${suffix}=${clientUat()}`;
    const cases: [string, Env, { bearer?: string; cookie?: string }, number][] = [
      ['proxy iss, bearer', proxied(), { bearer: viaProxy }, 200],
      ['proxy iss, both cookies', proxied(), { cookie: both(viaProxy) }, 200],
      // As clerkMiddleware: only the plain cookie of a token not of the key's issuer is signed out.
      ['proxy iss, plain cookie only', proxied(), { cookie: sessionCookie(viaProxy) }, 401],
      ['instance iss, bearer', proxied(), { bearer: direct }, 200],
      ['instance iss, cookie', proxied(), { cookie: sessionCookie(direct) }, 200],
      ['proxy iss without the proxy', testEnv, { bearer: viaProxy }, 401],
      ['another proxy iss', proxied(), { bearer: otherProxy }, 401],
      ['another proxy iss, both cookies', proxied(), { cookie: both(otherProxy) }, 401],
      // A proxy URL set explicitly (the proxy elsewhere) is an issuer too.
      ['CLERK_PROXY_URL iss', { ...testEnv, CLERK_PROXY_URL: 'https://fapi-proxy.example/clerk' }, { bearer: await mintToken({ claims: { iss: 'https://fapi-proxy.example/clerk' } }) }, 200],
    ];
    for (const [label, env, credentials, status] of cases) {
      const res = await send('/dashboard/api', { env, ...credentials });
      expect(res.status, label).toBe(status);
      if (status === 200) expect((await originSaw(res)).headers['x-auth-user-id'], label).toBe('user_1');
    }
  });
});
