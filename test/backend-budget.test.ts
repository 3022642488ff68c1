// One budget for every Backend API call a client can cause (handshake nonce, session refresh,
// JWKS refetch): 20 at once per isolate, then 5 a second. Before it, an expired token the
// instance once signed plus any `__refresh_<suffix>` cookie made one refresh call per request,
// without limit. The clock is injected: the budget never depends on the machine's speed.
import { getCookieSuffix } from '@clerk/shared/keys';
import { afterEach, describe, expect, it, vi } from 'vitest';

import routes from '../routes.config';
import type { Env } from '../src/env';
import { handleRequest } from '../src/gateway';
import { mintToken, nowSeconds, testEnv } from './helpers';

function scopedEnv(mode: 'pem' | 'jwks'): { env: Env; calls: () => Promise<Record<string, number>> } {
  const scope = `budget${crypto.randomUUID().replace(/-/g, '')}`;
  const api = `http://127.0.0.1:${testEnv.TEST_BAPI_PORT}/__scoped/${scope}`;
  const env: Env = { ...testEnv, CLERK_API_URL: api, ...(mode === 'jwks' ? { CLERK_JWT_KEY: undefined } : {}) };
  return { env, calls: async () => (await (await fetch(`${api}/__calls`)).json()) as Record<string, number> };
}

const REFRESH = '/v1/sessions/:sid/refresh';
const NONCE = '/v1/clients/handshake_payload';

async function expiredToken(): Promise<string> {
  const t = nowSeconds();
  return mintToken({ claims: { iat: t - 120, nbf: t - 120, exp: t - 60 } });
}

afterEach(() => vi.restoreAllMocks());

describe('Backend API budget', () => {
  for (const mode of ['pem', 'jwks'] as const) {
    it(`1,000 replayed refresh and nonce requests make at most 20 calls at one instant, 5 more a second later (${mode})`, async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const { env, calls } = scopedEnv(mode);
      const suffix = await getCookieSuffix(testEnv.CLERK_PUBLISHABLE_KEY!, crypto.subtle);
      const expired = await expiredToken();
      const uat = nowSeconds() - 120;
      const t0 = Date.now();
      let now = t0;
      const options = { config: routes, now: () => now };
      const requests = (i: number): Request => {
        switch (i % 4) {
          case 0: // an expired cookie session with a refresh cookie (API request: no handshake possible)
            return new Request('https://gateway.test/dashboard/api', { headers: { cookie: `__session=${expired}; __client_uat=${uat}; __refresh_${suffix}=r${i}` } });
          case 1: // the same as a bearer token
            return new Request('https://gateway.test/dashboard/api', { headers: { authorization: `Bearer ${expired}`, cookie: `__refresh_${suffix}=r${i}` } });
          case 2: // a navigation: Clerk would refresh before it handshakes
            return new Request('https://gateway.test/dashboard', {
              headers: { 'sec-fetch-dest': 'document', accept: 'text/html', cookie: `__session=${expired}; __client_uat=${uat}; __refresh_${suffix}=r${i}` },
            });
          default: // a made-up handshake nonce
            return new Request(`https://gateway.test/about?__clerk_handshake_nonce=junk-${i}`, { headers: { 'sec-fetch-dest': 'document' } });
        }
      };
      const statuses = new Map<number, number>();
      for (let i = 0; i < 1000; i++) {
        const res = await handleRequest(requests(i), env, options);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
      const first = await calls();
      const made = (first[REFRESH] ?? 0) + (first[NONCE] ?? 0);
      // In JWKS mode the gate's first JWKS fetch (an unknown kid) spent one call of the same budget.
      expect(made, JSON.stringify(first)).toBe(mode === 'jwks' ? 19 : 20);
      expect(first[REFRESH], JSON.stringify(first)).toBeGreaterThan(0);
      expect(first[NONCE], JSON.stringify(first)).toBeGreaterThan(0);
      // Nothing was forwarded as signed in, nothing crashed: 401 (API), 307 (handshake or sign-in), 200 (public, signed out).
      expect([...statuses.keys()].sort()).toEqual([200, 307, 401]);
      expect(warn.mock.calls.filter(([line]) => String(line).includes('budget exhausted'))).toHaveLength(1);

      now = t0 + 1000;
      for (let i = 0; i < 100; i++) await handleRequest(requests(i), env, options);
      const second = await calls();
      expect((second[REFRESH] ?? 0) + (second[NONCE] ?? 0) - made, JSON.stringify(second)).toBe(5);
      expect(second.jwks ?? 0).toBeLessThanOrEqual(mode === 'jwks' ? 2 : 0);
    }, 60_000);
  }

  it('past the budget a refresh is not attempted: the expired session is signed out, not forwarded', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { env, calls } = scopedEnv('pem');
    const suffix = await getCookieSuffix(testEnv.CLERK_PUBLISHABLE_KEY!, crypto.subtle);
    const expired = await expiredToken();
    const frozen = Date.now();
    const send = () =>
      handleRequest(new Request('https://gateway.test/dashboard/api', { headers: { authorization: `Bearer ${expired}`, cookie: `__refresh_${suffix}=x` } }), env, {
        config: routes,
        now: () => frozen,
      });
    for (let i = 0; i < 20; i++) expect((await send()).status).toBe(401);
    expect((await calls())[REFRESH]).toBe(20);
    for (let i = 0; i < 30; i++) expect((await send()).status).toBe(401);
    expect((await calls())[REFRESH]).toBe(20);
  });

  it('a token that is not expiring spends nothing, with or without a refresh cookie', async () => {
    const { env, calls } = scopedEnv('pem');
    const suffix = await getCookieSuffix(testEnv.CLERK_PUBLISHABLE_KEY!, crypto.subtle);
    const frozen = Date.now();
    for (let i = 0; i < 30; i++) {
      const token = await mintToken({ claims: { sub: `user_fresh_${i}` } });
      const res = await handleRequest(new Request('https://gateway.test/dashboard/api', { headers: { authorization: `Bearer ${token}`, cookie: `__refresh_${suffix}=x` } }), env, {
        config: routes,
        now: () => frozen,
      });
      expect(res.status).toBe(200);
    }
    expect((await calls())[REFRESH] ?? 0).toBe(0);
  });
});
