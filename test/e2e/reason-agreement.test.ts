// Reasons that agree: the same failure reads the same public reason whether the token came as a
// bearer or as a cookie, and every refusal the gateway answers itself carries X-Auth-Reason, the
// 400 path refusals and the 5xx included. Enumerated from ReasonCode: a new code fails to compile
// here until it has a case.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import type { Env } from '../../src/env';
import { publicReason, type ReasonCode } from '../../src/respond/reasons';
import { refuse } from '../../src/respond/respond';
import { captureConsole, mintToken, nowSeconds, send, sessionCookie, testEnv, type SendOptions } from '../helpers';

describe('the same failure, the same public reason, from a bearer and from a cookie', () => {
  const now = nowSeconds();
  // Each token's iat is older than the cookie's __client_uat (now - 1), as in a browser whose
  // token stopped being refreshed: Clerk's cookie path stops at __client_uat before the token.
  it.each<[string, () => Promise<string>, string]>([
    ['an expired token', () => mintToken({ claims: { iat: now - 600, nbf: now - 600, exp: now - 300 } }), 'token_expired'],
    ['a token not yet valid', () => mintToken({ claims: { iat: now - 30, nbf: now + 120 } }), 'token_not_yet_valid'],
    ['another site’s azp', () => mintToken({ claims: { iat: now - 30, azp: 'https://evil.example' } }), 'token_invalid'],
    ['a forged signature', () => mintToken({ key: 'foreign', claims: { iat: now - 30 } }), 'token_invalid'],
  ])('%s → %s', async (_, token, reason) => {
    const minted = await token();
    const bearer = await send('/dashboard/api', { bearer: minted });
    const cookie = await send('/dashboard/api', { cookie: sessionCookie(minted, now - 1) });
    expect([bearer.status, bearer.headers.get('x-auth-reason')]).toEqual([401, reason]);
    expect([cookie.status, cookie.headers.get('x-auth-reason')]).toEqual([401, reason]);
  });

  it('another instance’s token is token_invalid as a bearer, but as a cookie it is not this instance’s: no_credentials', async () => {
    // Clerk ignores a __session cookie another instance issued (apps sharing a parent domain
    // share cookies): not a failure of this instance's token but the absence of one.
    const other = await mintToken({ claims: { iat: now - 30, iss: 'https://clerk.other.example' } });
    expect((await send('/dashboard/api', { bearer: other })).headers.get('x-auth-reason')).toBe('token_invalid');
    expect((await send('/dashboard/api', { cookie: sessionCookie(other, now - 1) })).headers.get('x-auth-reason')).toBe('no_credentials');
  });

  it('the log line keeps what Clerk said and adds what the token fails on', async () => {
    const logs = captureConsole('log');
    const expired = await mintToken({ claims: { iat: now - 600, nbf: now - 600, exp: now - 300 } });
    await send('/dashboard/api', { cookie: sessionCookie(expired, now - 1) });
    const line = JSON.parse(logs.calls().find((l) => l.startsWith('{"msg":"request"'))!) as Record<string, string>;
    expect(line.reason).toBe('ERR_CLERK_SIGNED_OUT');
    expect(line.detail).toBe('session-token-iat-before-client-uat (the token is expired)');
    expect(line.public_reason).toBe('token_expired');
  });

  it('a current token older than __client_uat (signed in again elsewhere) still reads token_invalid', async () => {
    const res = await send('/dashboard/api', { cookie: sessionCookie(await mintToken({ claims: { iat: now - 30 } }), now - 1) });
    expect([res.status, res.headers.get('x-auth-reason')]).toEqual([401, 'token_invalid']);
  });
});

const UNCONFIGURED = { ORIGIN_URL: testEnv.ORIGIN_URL } as Env;
const DEV: Env = { ...testEnv, CLERK_PUBLISHABLE_KEY: `pk_test_${btoa('foo-bar-12.clerk.accounts.dev$')}`, CLERK_SECRET_KEY: 'sk_test_testsecret' };
const ORG = { id: 'org_1', slg: 'acme' };
// JWKS mode with a Backend API that refuses connections: Clerk cannot be asked.
const CLERK_DOWN: Env = { ...testEnv, CLERK_JWT_KEY: undefined, CLERK_API_URL: 'http://127.0.0.1:1', CLERK_TIMEOUT_MS: '2000' } as Env;
const CORS = defineConfig({ cors: { origins: ['https://app.example'], headers: ['content-type'] }, routes: [{ match: '/api(.*)', protect: true }] });
// The forward-auth endpoint (src/forward-auth/), asked by a proxy holding its secret, or by anyone.
const FORWARD_AUTH_SECRET = 'f'.repeat(40);
const FORWARD_AUTH: Env = { ...testEnv, FORWARD_AUTH_PATH: '/__gateway/forward-auth', FORWARD_AUTH_SECRET };
const askForwardAuth = (headers: Record<string, string>) => async (): Promise<SendOptions> => ({ env: FORWARD_AUTH, headers: { 'x-forward-auth-secret': FORWARD_AUTH_SECRET, ...headers } });
const preflight = (origin: string, method: string, headers?: string) => async (): Promise<SendOptions> => ({
  config: CORS,
  method: 'OPTIONS',
  headers: { origin, 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
});

/**
 * Every code the gateway answers itself, and a request through the gateway that gets it; `null`
 * for the few a request cannot provoke without a config of its own (checked through refuse()).
 */
const THROUGH_THE_GATEWAY: Record<ReasonCode, [path: string, options: () => Promise<SendOptions>] | null> = {
  ERR_PATH_MALFORMED_ENCODING: ['/a%zz', async () => ({})],
  ERR_PATH_ENCODED_SEPARATOR: ['/a%2Fb', async () => ({})],
  ERR_PATH_DOUBLE_ENCODING: ['/a%252e', async () => ({})],
  ERR_PATH_CONTROL_CHARACTER: ['/a%00b', async () => ({})],
  ERR_PATH_PARAMETER: ['/a;jsessionid=1', async () => ({})],
  ERR_PATH_AMBIGUOUS_SEGMENT: ['/a./b', async () => ({})],
  ERR_PATH_NORMALIZATION: ['/%EF%BC%8F..%EF%BC%8Fadmin', async () => ({})],
  ERR_UNAUTHENTICATED: ['/dashboard/api', async () => ({})],
  ERR_SESSION_PENDING: ['/dashboard/api', async () => ({ bearer: await mintToken({ claims: { sts: 'pending' } }) })],
  ERR_CLERK_REDIRECT_URL: ['/about?__clerk_redirect_url=https%3A%2F%2Fevil.example%2F', async () => ({ env: DEV })],
  ERR_INSUFFICIENT_SCOPE: null,
  ERR_FORBIDDEN: ['/orgs/acme/settings', async () => ({ bearer: await mintToken({ claims: { o: { ...ORG, rol: 'member' } } }) })],
  ERR_ORGANIZATION_MISMATCH: ['/orgs/other/settings', async () => ({ bearer: await mintToken({ claims: { o: { ...ORG, rol: 'admin' } } }) })],
  ERR_REVERIFICATION_REQUIRED: null,
  ERR_METHOD_NOT_ALLOWED: ['/__gateway/sign-out', async () => ({})],
  ERR_CROSS_SITE: ['/__gateway/sign-out', async () => ({ method: 'POST', headers: { origin: 'https://evil.example' } })],
  ERR_GATEWAY_MISCONFIGURED: ['/about', async () => ({ env: UNCONFIGURED })],
  ERR_ORIGIN_UNREACHABLE: ['/about', async () => ({ fetch: () => Promise.reject(new TypeError('connection refused')) })],
  ERR_ORIGIN_TIMEOUT: ['/about', async () => ({ env: { ...testEnv, ORIGIN_TIMEOUT_MS: '1' }, fetch: () => new Promise<Response>(() => undefined) })],
  ERR_INTERNAL: null,
  ERR_CLERK_UNAVAILABLE: ['/dashboard/api', async () => ({ env: CLERK_DOWN, bearer: await mintToken() })],
  ERR_PATH_TOO_LONG: [`/${'a'.repeat(3000)}`, async () => ({})],
  ERR_FORWARD_AUTH_UNTRUSTED: ['/__gateway/forward-auth', async () => ({ env: FORWARD_AUTH, headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/about', 'x-forwarded-host': 'gateway.test', 'x-forwarded-proto': 'https' } })],
  ERR_FORWARD_AUTH_REQUEST: ['/__gateway/forward-auth', askForwardAuth({ 'x-forwarded-uri': '/about', 'x-forwarded-host': 'gateway.test', 'x-forwarded-proto': 'https' })],
  ERR_FORWARD_AUTH_ENDPOINT: ['/__gateway/forward-auth', askForwardAuth({ 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/__gateway/health', 'x-forwarded-host': 'gateway.test', 'x-forwarded-proto': 'https' })],
  ERR_CORS_ORIGIN: ['/api/x', preflight('https://evil.example', 'GET')],
  ERR_CORS_METHOD: ['/api/x', preflight('https://app.example', 'PUT')],
  ERR_CORS_HEADERS: ['/api/x', preflight('https://app.example', 'GET', 'x-secret')],
};

describe('every refusal the gateway answers itself carries X-Auth-Reason', () => {
  it.each(Object.entries(THROUGH_THE_GATEWAY).filter(([, how]) => how !== null) as [ReasonCode, [string, () => Promise<SendOptions>]][])(
    '%s, through the gateway',
    async (code, [path, options]) => {
      captureConsole('error');
      const res = await send(path, await options());
      expect(res.status).toBe(publicReason(code).status);
      expect(((await res.json()) as { code: string }).code).toBe(code);
      const reason = res.headers.get('x-auth-reason');
      expect(reason).toMatch(/^[a-z_]+$/);
      // A 401 or 403 says why more precisely (no_credentials, role_required…); the others say the refusal's error.
      if (![401, 403].includes(res.status)) expect(reason).toBe(publicReason(code).error);
    },
  );

  it.each(Object.keys(THROUGH_THE_GATEWAY) as ReasonCode[])('%s, as refuse() answers it (JSON and HTML)', (code) => {
    for (const html of [false, true]) {
      const res = refuse(code, { html });
      expect(res.status).toBe(publicReason(code).status);
      expect(res.headers.get('x-auth-reason')).toBe(publicReason(code).error);
    }
    expect(refuse(code, { authReason: 'role_required' }).headers.get('x-auth-reason')).toBe('role_required');
  });
});
