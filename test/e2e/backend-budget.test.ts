// One budget for every Backend API call a client can cause (handshake nonce, session refresh,
// JWKS refetch): 20 at once per isolate, then 5 a second. Before it, an expired token the
// instance once signed plus any `__refresh_<suffix>` cookie made one refresh call per request,
// without limit. The clock is injected: the budget never depends on the machine's speed.
// The budget on its own: test/unit/auth/backend-budget.test.ts.
import { describe, expect, it } from 'vitest';

import type { Env } from '../../src/env';
import { captureConsole, cookieSuffix, handshakeNonce, mintToken, nowSeconds, originSaw, scopedBackendApi, send, testEnv, type SendOptions } from '../helpers';

const scopedEnv = (mode: 'pem' | 'jwks') => scopedBackendApi('budget', { jwks: mode === 'jwks' });

const REFRESH = '/v1/sessions/:sid/refresh';
const NONCE = '/v1/clients/handshake_payload';

/**
 * A session token that expired a minute ago, and the `__client_uat` a browser holding it has: its
 * `iat`, from the same reading of the clock. (A `__client_uat` read after minting can be a second
 * later than `iat` on a slow machine, and Clerk then handshakes instead of refreshing.)
 */
async function expiredSession(): Promise<{ expired: string; uat: number }> {
  const t = nowSeconds();
  return { expired: await mintToken({ claims: { iat: t - 120, nbf: t - 120, exp: t - 60 } }), uat: t - 120 };
}

describe('Backend API budget', () => {
  for (const mode of ['pem', 'jwks'] as const) {
    it(`1,000 replayed refresh and nonce requests make at most 20 calls at one instant, 5 more a second later (${mode})`, async () => {
      const warn = captureConsole('warn');
      const { env, calls } = scopedEnv(mode);
      const suffix = await cookieSuffix();
      const { expired, uat } = await expiredSession();
      const t0 = Date.now();
      let now = t0;
      const clock = { env, now: () => now };
      const request = (i: number): [string, SendOptions] => {
        switch (i % 4) {
          case 0: // an expired cookie session with a refresh cookie (API request: no handshake possible)
            return ['/dashboard/api', { cookie: `__session=${expired}; __client_uat=${uat}; __refresh_${suffix}=r${i}` }];
          case 1: // the same as a bearer token
            return ['/dashboard/api', { bearer: expired, cookie: `__refresh_${suffix}=r${i}` }];
          case 2: // a navigation: Clerk would refresh before it handshakes
            return ['/dashboard', { headers: { 'sec-fetch-dest': 'document', accept: 'text/html' }, cookie: `__session=${expired}; __client_uat=${uat}; __refresh_${suffix}=r${i}` }];
          default: // a made-up handshake nonce
            return [`/about?__clerk_handshake_nonce=junk-${i}`, { headers: { 'sec-fetch-dest': 'document' } }];
        }
      };
      const sendNth = (i: number) => {
        const [path, options] = request(i);
        return send(path, { ...options, ...clock });
      };
      const statuses = new Map<number, number>();
      for (let i = 0; i < 1000; i++) {
        const res = await sendNth(i);
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
      expect(warn.calls().filter((line) => line.includes('budget exhausted'))).toHaveLength(1);

      now = t0 + 1000;
      for (let i = 0; i < 100; i++) await sendNth(i);
      const second = await calls();
      expect((second[REFRESH] ?? 0) + (second[NONCE] ?? 0) - made, JSON.stringify(second)).toBe(5);
      expect(second.jwks ?? 0).toBeLessThanOrEqual(mode === 'jwks' ? 2 : 0);
    }, 60_000);
  }

  it('past the budget a refresh is not attempted: the expired session is signed out, not forwarded', async () => {
    captureConsole('warn');
    const { env, calls } = scopedEnv('pem');
    const suffix = await cookieSuffix();
    const { expired } = await expiredSession();
    const frozen = Date.now();
    const refresh = () => send('/dashboard/api', { env, now: () => frozen, bearer: expired, cookie: `__refresh_${suffix}=x` });
    for (let i = 0; i < 20; i++) expect((await refresh()).status).toBe(401);
    expect((await calls())[REFRESH]).toBe(20);
    for (let i = 0; i < 30; i++) expect((await refresh()).status).toBe(401);
    expect((await calls())[REFRESH]).toBe(20);
  });

  it('a token that is not expiring spends nothing, with or without a refresh cookie', async () => {
    const { env, calls } = scopedEnv('pem');
    const suffix = await cookieSuffix();
    const frozen = Date.now();
    for (let i = 0; i < 30; i++) {
      const token = await mintToken({ claims: { sub: `user_fresh_${i}` } });
      const res = await send('/dashboard/api', { env, now: () => frozen, bearer: token, cookie: `__refresh_${suffix}=x` });
      expect(res.status).toBe(200);
    }
    expect((await calls())[REFRESH] ?? 0).toBe(0);
  });

  it('bounds handshake-nonce resolutions: past the budget even a good nonce is not resolved', async () => {
    const env: Env = { ...testEnv };
    // The budget runs on the request's clock: frozen here, so no call is regained however slow the machine.
    const frozen = Date.now();
    const now = () => frozen;
    const documentRequest = { 'sec-fetch-dest': 'document' };
    for (let i = 0; i < 20; i++) await send(`/about?__clerk_handshake_nonce=junk-${i}`, { env, now, headers: documentRequest });
    const fresh = await mintToken({ claims: { sub: 'user_nonce_late' } });
    const nonce = await handshakeNonce(fresh);
    const seen = await originSaw(await send(`/about?__clerk_handshake_nonce=${nonce}`, { env, now, headers: documentRequest }));
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
    // A fresh runtime (its own budget) resolves the same kind of nonce: the budget was the reason.
    const nonce2 = await handshakeNonce(fresh);
    const ok = await originSaw(await send(`/about?__clerk_handshake_nonce=${nonce2}`, { env: { ...testEnv }, headers: documentRequest }));
    expect(ok.headers['x-auth-user-id']).toBe('user_nonce_late');
  });
});
