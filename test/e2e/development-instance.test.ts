// Development instances (pk_test_…): sign-in and task redirects carry the dev-browser token as
// Clerk's own do, and `__clerk_redirect_url` pointing anywhere but this site is a 400, never an
// open redirect, a crash or a sign-in loop.
import { describe, expect, it } from 'vitest';

import type { Env } from '../../src/env';
import { mintToken, originSaw, refusalCode, send, testEnv, clientUat } from '../helpers';

const FRONTEND_API = 'foo-bar-12.clerk.accounts.dev';
const DEV: Env = { ...testEnv, CLERK_PUBLISHABLE_KEY: `pk_test_${btoa(`${FRONTEND_API}$`)}`, CLERK_SECRET_KEY: 'sk_test_testsecret' };
const ACCOUNTS = 'https://foo-bar-12.accounts.dev';

const navigate = (path: string, cookie: string, env: Env = DEV) => send(path, { env, navigate: true, cookie });

const devToken = (claims: Record<string, unknown> = {}) => mintToken({ claims: { iss: `https://${FRONTEND_API}`, ...claims } });

describe('development instance redirects', () => {
  it('a signed-out navigation goes to the Account Portal with redirect_url and the dev-browser token', async () => {
    const res = await navigate('/dashboard?x=1', '__clerk_db_jwt=dvb_abc');
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${ACCOUNTS}/sign-in`);
    expect(location.searchParams.get('redirect_url')).toBe('https://gateway.test/dashboard?x=1');
    expect(location.searchParams.get('__clerk_db_jwt')).toBe('dvb_abc');
  });

  it('a pending session goes to the task page with the dev-browser token', async () => {
    const token = await devToken({ sts: 'pending' });
    const res = await navigate('/dashboard', `__session=${token}; __client_uat=${clientUat()}; __clerk_db_jwt=dvb_abc`);
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${ACCOUNTS}/sign-in/tasks`);
    expect(location.searchParams.get('__clerk_db_jwt')).toBe('dvb_abc');
  });

  it('a sign-in page on the gateway itself gets no dev-browser token, nor does a production instance', async () => {
    const own = await navigate('/dashboard', '__clerk_db_jwt=dvb_abc', { ...DEV, CLERK_SIGN_IN_URL: '/sign-in' });
    expect(own.headers.get('location')).toBe('https://gateway.test/sign-in?redirect_url=https%3A%2F%2Fgateway.test%2Fdashboard');
    const production = await navigate('/dashboard', '__clerk_db_jwt=dvb_abc', testEnv);
    expect(production.headers.get('location')).not.toContain('dvb_abc');
  });

  it.each([
    ['a foreign origin', 'https://evil.example/x'],
    ['a malformed URL', 'notaurl'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a look-alike host', 'https://gateway.test.evil.example/'],
  ])('__clerk_redirect_url to %s is a 400, even for a signed-in user (no sign-in loop)', async (_, target) => {
    const token = await devToken();
    const res = await navigate(`/dashboard?__clerk_redirect_url=${encodeURIComponent(target)}`, `__session=${token}; __client_uat=${clientUat()}; __clerk_db_jwt=dvb_victim`);
    expect(res.status).toBe(400);
    expect(await refusalCode(res)).toBe('ERR_CLERK_REDIRECT_URL');
    expect(res.headers.get('location')).toBeNull();
  });

  it("refuses Clerk's redirect to a foreign __clerk_redirect_url on a development instance (no dev-browser token leak)", async () => {
    const res = await send(`/about?__clerk_redirect_url=${encodeURIComponent('https://evil.example/x')}`, {
      env: DEV,
      headers: { 'sec-fetch-dest': 'document' },
      cookie: '__clerk_db_jwt=dvb_victim',
    });
    expect(res.headers.get('location') ?? '').not.toContain('evil.example');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_CLERK_REDIRECT_URL');
  });

  it('a signed-in user reaches the origin on a development instance', async () => {
    const token = await devToken();
    const seen = await originSaw(await navigate('/dashboard', `__session=${token}; __client_uat=${clientUat()}; __clerk_db_jwt=dvb_abc`));
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
  });
});
