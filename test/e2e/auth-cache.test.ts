// The verified-token cache through the gateway: a cached token is re-checked against this request
// (its __client_uat, its host's parties) and never shared across settings. The cache, the JWKS gate
// and the credential reader on their own: test/unit/auth/.
import { describe, expect, it } from 'vitest';

import { call, mintToken, nowSeconds, originSaw, send, sessionCookie, testEnv, clientUat } from '../helpers';

describe('cache through the gateway', () => {
  it('does not accept a cached cookie session once __client_uat is newer than the token', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { cookie: sessionCookie(token) }))).headers['x-auth-user-id']).toBe('user_1');
    const res = await call('/dashboard/api', { cookie: sessionCookie(token, nowSeconds() + 30) });
    expect(res.status).toBe(401);
  });

  it('re-checks azp for another host serving the same token', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
    const res = await send('/dashboard/api', { origin: 'https://other.test', bearer: token });
    expect(res.status).toBe(401);
  });

  it('never shares verified tokens with a runtime of other settings', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
    // Same token, a runtime whose secret key the Backend API refuses: it can load no keys.
    const env = { ...testEnv, CLERK_JWT_KEY: undefined, CLERK_SECRET_KEY: 'sk_live_wrongsecret' };
    const res = await send('/dashboard/api', { env, bearer: token });
    // No keys, so nobody can tell whether the token is good: 503 auth_unavailable (issue 16), not signed in.
    expect([res.status, res.headers.get('x-auth-reason')]).toEqual([503, 'auth_unavailable']);
  });

  it('treats duplicate __session cookies with different values as signed out', async () => {
    const a = await mintToken({ claims: { sub: 'user_a' } });
    const b = await mintToken({ claims: { sub: 'user_b' } });
    const res = await call('/dashboard/api', { cookie: `__session=${a}; __client_uat=${clientUat()}; __session=${b}` });
    expect(res.status).toBe(401);
  });
});
