// Fault injection, Clerk side, through the gateway's request path (issue 16): the fake Backend
// API of test/servers.ts, scoped per test, made to be down, answer 500 or garbage, be slow or
// hang (POST <scope>/__fault). Each case asserts that the request fails closed (never forwarded
// as signed in; "auth_unavailable", never "token_invalid"), that it is answered within the
// deadline plus a margin (CLERK_TIMEOUT_MS is short here so the suite is quick; the bound checked
// is the 8 s, which a hang would blow through), and how long recovery takes once the
// fault ends. Exact bounds with an injected clock: clerk-jwks.test.ts.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { cookieSuffix, mintToken, newProbe, nowSeconds, originCount, originSaw, scopedBackendApi, send, sessionCookie, type CallOptions } from '../helpers';

/** A fault of the fake Backend API (test/servers.ts, POST <scope>/__fault; that file is Node-side, so not imported here). */
interface Fault {
  mode: 'ok' | 'down' | '500' | 'garbage' | 'slow' | 'hang';
  ms?: number;
}

const TIMEOUT_MS = 500;
/** The bound with default settings; a hung call would never meet it. */
const BOUND_MS = 8_000;
/** After a fault ends, signed-in requests succeed again within this. */
const RECOVERY_MS = 10_000;
const FAULTS: Fault[] = [{ mode: 'down' }, { mode: '500' }, { mode: 'garbage' }, { mode: 'slow', ms: 3_000 }, { mode: 'hang' }];

const config = defineConfig({
  routes: [
    { match: '/api/keys(.*)', protect: true, accept: ['api_key'] },
    { match: '/dashboard(.*)', protect: true },
  ],
});

/** A Backend API scope of its own, with a short Clerk deadline and a fault switch. */
function faultyApi(label: string, { jwks = false, timeoutMs = TIMEOUT_MS } = {}) {
  const scoped = scopedBackendApi(label, { jwks });
  const api = scoped.env.CLERK_API_URL!;
  return {
    ...scoped,
    env: { ...scoped.env, CLERK_TIMEOUT_MS: String(timeoutMs) },
    fault: async (fault: Fault) => {
      await fetch(`${api}/__fault`, { method: 'POST', body: JSON.stringify(fault) });
    },
  };
}

/** Sends and times the answer (wall clock, only compared with bounds far above the deadline). */
async function timed(path: string, options: Parameters<typeof send>[1]): Promise<{ res: Response; ms: number }> {
  const started = Date.now();
  const res = await send(path, options);
  return { res, ms: Date.now() - started };
}

/** Retries every 100 ms until `ok(res)`; the wall-clock time it took. */
async function timeToRecover(path: string, options: Parameters<typeof send>[1], ok: (res: Response) => boolean): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < RECOVERY_MS * 2) {
    const res = await send(path, options);
    const good = ok(res);
    await res.body?.cancel();
    if (good) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  return Number.POSITIVE_INFINITY;
}

const unavailable = (res: Response) => [res.status, res.headers.get('x-auth-reason'), res.headers.get('retry-after')];

describe('Backend API faults: machine tokens (a valid API key)', () => {
  for (const fault of FAULTS) {
    it(`${fault.mode}: 503 auth_unavailable within the bound, not forwarded, not kept; works again as soon as the fault ends`, async () => {
      const { env, fault: setFault } = faultyApi(`mtf${fault.mode}`);
      await setFault(fault);
      const probe = newProbe(`mt-${fault.mode}`);
      const { res, ms } = await timed('/api/keys', { env, config, bearer: 'ak_valid_fault', probe });
      expect(unavailable(res)).toEqual([503, 'auth_unavailable', '5']);
      expect(await res.json()).toMatchObject({ error: 'auth_unavailable', code: 'ERR_CLERK_UNAVAILABLE' });
      expect(ms).toBeLessThan(BOUND_MS);
      expect(await originCount(probe)).toBe(0);
      await setFault({ mode: 'ok' });
      const recovery = await timeToRecover('/api/keys', { env, config, bearer: 'ak_valid_fault' }, (r) => r.status === 200);
      expect(recovery).toBeLessThan(RECOVERY_MS);
    });
  }

  it('20 concurrent requests with one unverified API key make one Backend API call and share its verdict', async () => {
    const { env, calls, fault } = faultyApi('mtsingle', { timeoutMs: 5_000 });
    // Slow enough that every request asks while the first call runs.
    await fault({ mode: 'slow', ms: 300 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => send('/api/keys', { env, config, bearer: 'ak_valid_shared' })));
    for (const res of responses) expect((await originSaw(res)).headers['x-auth-token-type']).toBe('api_key');
    expect((await calls())['/api_keys/verify']).toBe(1);
  });

  it('10 concurrent requests of one browser whose session needs a refresh make one refresh call', async () => {
    const { env, calls, fault } = faultyApi('refreshsingle', { timeoutMs: 5_000 });
    await fault({ mode: 'slow', ms: 300 });
    const now = nowSeconds();
    const expired = await mintToken({ claims: { iat: now - 120, nbf: now - 120, exp: now - 60 } });
    const cookie = `__session=${expired}; __client_uat=${now - 120}; __refresh_${await cookieSuffix()}=shared`;
    const responses = await Promise.all(Array.from({ length: 10 }, () => send('/dashboard/api', { env, config, cookie })));
    // The fake Backend API refuses the refresh token: all signed out, none forwarded, one call.
    for (const res of responses) expect(res.status).toBe(401);
    expect((await calls())['/v1/sessions/:sid/refresh']).toBe(1);
  });

  it('a made-up key is still token_invalid when the Backend API answers', async () => {
    const { env } = faultyApi('mtinvalid');
    const res = await send('/api/keys', { env, config, bearer: 'ak_made_up' });
    expect([res.status, res.headers.get('x-auth-reason')]).toEqual([401, 'token_invalid']);
  });
});

describe('Backend API faults: JWKS mode (no CLERK_JWT_KEY), session tokens', () => {
  for (const fault of FAULTS) {
    it(`${fault.mode}: protected 503 (API and page), public served signed out, all within the bound; signed in again within 10 s of the fault ending`, async () => {
      const { env, fault: setFault } = faultyApi(`jwf${fault.mode}`, { jwks: true });
      await setFault(fault);
      const token = await mintToken();
      const probe = newProbe(`jwks-${fault.mode}`);
      const cookie = sessionCookie(token);
      const requests: [string, CallOptions, (res: Response) => Promise<void>][] = [
        ['/dashboard/api', { bearer: token, probe }, async (res) => expect(unavailable(res)).toEqual([503, 'auth_unavailable', '5'])],
        // A signed-in user is not sent to sign in: the page says to retry.
        [
          '/dashboard',
          { cookie, navigate: true, probe },
          async (res) => {
            expect(unavailable(res)).toEqual([503, 'auth_unavailable', '5']);
            expect(await res.text()).toContain('data-code="ERR_CLERK_UNAVAILABLE"');
          },
        ],
        [
          '/public/page',
          { cookie, navigate: true },
          async (res) => {
            const seen = await originSaw(res);
            expect(seen.headers['x-auth-session-status']).toBe('signed-out');
            expect(seen.headers['x-auth-user-id']).toBeUndefined();
          },
        ],
      ];
      for (const [path, options, check] of requests) {
        const { res, ms } = await timed(path, { env, config, ...options });
        expect(ms, `${path} answered in ${ms} ms`).toBeLessThan(BOUND_MS);
        await check(res);
      }
      expect(await originCount(probe)).toBe(0);
      await setFault({ mode: 'ok' });
      const recovery = await timeToRecover('/dashboard/api', { env, config, bearer: token }, (r) => r.status === 200);
      expect(recovery).toBeLessThan(RECOVERY_MS);
    });
  }
});

describe('PEM mode (CLERK_JWT_KEY): signed-in users do not need the Backend API', () => {
  for (const fault of FAULTS) {
    it(`${fault.mode}: a valid session token is forwarded signed in, without waiting`, async () => {
      const { env, fault: setFault } = faultyApi(`pem${fault.mode}`);
      await setFault(fault);
      const token = await mintToken({ claims: { sub: `user_pem_${fault.mode}` } });
      const { res, ms } = await timed('/dashboard/api', { env, config, bearer: token });
      expect((await originSaw(res)).headers['x-auth-user-id']).toBe(`user_pem_${fault.mode}`);
      expect(ms).toBeLessThan(BOUND_MS);
    });
  }
});

describe('Backend API hangs on the other calls: handshake nonce, refresh, sign-out', () => {
  it('a handshake nonce the Backend API never resolves: answered within the bound, not forwarded', async () => {
    const { env, fault } = faultyApi('hsnonce');
    await fault({ mode: 'hang' });
    const probe = newProbe('nonce-hang');
    const { res, ms } = await timed('/dashboard?__clerk_handshake_nonce=nonce-hung', { env, config, navigate: true, probe });
    expect(ms).toBeLessThan(BOUND_MS);
    expect(unavailable(res)).toEqual([503, 'auth_unavailable', '5']);
    expect(await originCount(probe)).toBe(0);
  });

  it('a refresh the Backend API never answers: answered within the bound, not forwarded', async () => {
    const { env, fault } = faultyApi('refresh');
    await fault({ mode: 'hang' });
    const now = nowSeconds();
    const expired = await mintToken({ claims: { iat: now - 120, nbf: now - 120, exp: now - 60 } });
    const probe = newProbe('refresh-hang');
    const { res, ms } = await timed('/dashboard', { env, config, navigate: true, probe, cookie: `__session=${expired}; __client_uat=${now - 120}; __refresh_${await cookieSuffix()}=r` });
    expect(ms).toBeLessThan(BOUND_MS);
    expect(unavailable(res)).toEqual([503, 'auth_unavailable', '5']);
    expect(await originCount(probe)).toBe(0);
  });

  it('sign-out whose revocation hangs: 303 with the cookies cleared, within the bound', async () => {
    const { env, fault } = faultyApi('signout');
    await fault({ mode: 'hang' });
    const { res, ms } = await timed('/__gateway/sign-out', { env, config, method: 'POST', headers: { origin: 'https://gateway.test' }, cookie: sessionCookie(await mintToken()) });
    expect(ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('__session=; '))).toBe(true);
  });
});
