// Regressions for what the internal review found: each test failed before its fix.
import { describe, expect, it, vi } from 'vitest';

import routes from '../routes.config';
import { BackendApiBudget } from '../src/auth/backend-budget';
import { defineConfig } from '../src/config';
import { validateConfig } from '../src/config/validate';
import type { Env } from '../src/env';
import { handleRequest } from '../src/gateway';
import { call, mintToken, nowSeconds, originSaw, testEnv } from './helpers';
import { getCookieSuffix } from '@clerk/shared/keys';

const send = (env: Env, path: string, headers: Record<string, string> = {}, now?: () => number) =>
  handleRequest(new Request(`https://gateway.test${path}`, { headers }), env, { config: routes, ...(now ? { now } : {}) });

describe('review fixes', () => {
  it('an authorized-parties setting that names no origin is a config error, not "any azp"', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const res = await send({ ...testEnv, CLERK_AUTHORIZED_PARTIES: ' , ' }, '/dashboard/api', {
      authorization: `Bearer ${await mintToken({ claims: { azp: 'https://evil.example' } })}`,
    });
    expect(res.status).toBe(500);
    expect(error.mock.calls.flat().join('\n')).toMatch(/CLERK_AUTHORIZED_PARTIES names no origin/);
    error.mockRestore();
  });

  it('suffixed __session cookies with unknown kids go through the JWKS gate too', async () => {
    const scope = `suffix${crypto.randomUUID().replace(/-/g, '')}`;
    const api = `http://127.0.0.1:${testEnv.TEST_BAPI_PORT}/__scoped/${scope}`;
    const env: Env = { ...testEnv, CLERK_JWT_KEY: undefined, CLERK_API_URL: api };
    const suffix = await getCookieSuffix(testEnv.CLERK_PUBLISHABLE_KEY!, crypto.subtle);
    for (let i = 0; i < 30; i++) {
      const token = await mintToken({ header: { kid: `ins_${crypto.randomUUID()}` } });
      const res = await send(env, '/dashboard/api', { cookie: `__session_${suffix}=${token}; __client_uat_${suffix}=${nowSeconds() - 5}` });
      expect(res.status).toBe(401);
    }
    const hits = ((await (await fetch(`${api}/__jwks_hits`)).json()) as { count: number }).count;
    expect(hits).toBeLessThanOrEqual(2);
  });

  it('bounds handshake-nonce resolutions: past the budget even a good nonce is not resolved', async () => {
    const env: Env = { ...testEnv };
    // The budget runs on the request's clock: frozen here, so no call is regained however slow the machine.
    const frozen = Date.now();
    const now = () => frozen;
    for (let i = 0; i < 20; i++) await send(env, `/about?__clerk_handshake_nonce=junk-${i}`, { 'sec-fetch-dest': 'document' }, now);
    const fresh = await mintToken({ claims: { sub: 'user_nonce_late' } });
    const nonce = `nonce-${crypto.randomUUID()}`;
    await fetch(`http://127.0.0.1:${testEnv.TEST_BAPI_PORT}/__nonce`, {
      method: 'POST',
      body: JSON.stringify({ nonce, directives: [`__session=${fresh}; Path=/`, `__client_uat=${nowSeconds() - 1}; Path=/`] }),
    });
    const seen = await originSaw(await send(env, `/about?__clerk_handshake_nonce=${nonce}`, { 'sec-fetch-dest': 'document' }, now));
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
    // A fresh runtime (its own budget) resolves the same kind of nonce: the budget was the reason.
    const nonce2 = `nonce-${crypto.randomUUID()}`;
    await fetch(`http://127.0.0.1:${testEnv.TEST_BAPI_PORT}/__nonce`, {
      method: 'POST',
      body: JSON.stringify({ nonce: nonce2, directives: [`__session=${fresh}; Path=/`, `__client_uat=${nowSeconds() - 1}; Path=/`] }),
    });
    const ok = await originSaw(await send({ ...testEnv }, `/about?__clerk_handshake_nonce=${nonce2}`, { 'sec-fetch-dest': 'document' }));
    expect(ok.headers['x-auth-user-id']).toBe('user_nonce_late');
  });

  it('the Backend API budget refills at its rate and says once when it runs out and once when it is back', () => {
    const lines: string[] = [];
    const budget = new BackendApiBudget({ burst: 2, perSecond: 1, log: (line) => lines.push(line) });
    const t = 1_000_000;
    expect([budget.take('handshake-nonce', t), budget.take('session-refresh', t), budget.take('jwks-refetch', t), budget.take('jwks-refetch', t)]).toEqual([true, true, false, false]);
    expect(lines).toEqual([expect.stringMatching(/budget exhausted .*refusing a jwks-refetch call/)]);
    expect([budget.take('session-refresh', t + 1000), budget.take('session-refresh', t + 1000)]).toEqual([true, false]);
    expect(lines[1]).toMatch(/available again after refusing 2 calls/);
    // A clock that steps back regains nothing.
    expect(budget.take('session-refresh', t)).toBe(false);
  });

  it("refuses Clerk's redirect to a foreign __clerk_redirect_url on a development instance (no dev-browser token leak)", async () => {
    const env: Env = {
      ...testEnv,
      CLERK_PUBLISHABLE_KEY: `pk_test_${btoa('foo-bar-12.clerk.accounts.dev$')}`,
      CLERK_SECRET_KEY: 'sk_test_testsecret',
    };
    const res = await send(env, `/about?__clerk_redirect_url=${encodeURIComponent('https://evil.example/x')}`, {
      'sec-fetch-dest': 'document',
      cookie: '__clerk_db_jwt=dvb_victim',
    });
    expect(res.headers.get('location') ?? '').not.toContain('evil.example');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_CLERK_REDIRECT_URL');
  });

  it('Accept merely mentioning text/html is not a navigation (Clerk: starts with)', async () => {
    expect((await call('/dashboard/api', { headers: { accept: 'application/json, text/html;q=0.1' } })).status).toBe(401);
    expect((await call('/dashboard', { headers: { accept: 'text/html, */*' } })).status).toBe(307);
  });

  it('accepts optional parameters (`?` modifier) and refuses RegExps that would be case-sensitive', () => {
    expect(() => defineConfig({ routes: [{ match: '/api/:id?', protect: true }] })).not.toThrow();
    const result = validateConfig({ routes: [{ match: /^\/admin/, protect: true }] });
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/lacks the i flag/)]);
  });
});
