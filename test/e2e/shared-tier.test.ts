// The shared tier (src/auth/limits/shared-cache.ts) in workerd's own Cache API: two runtimes of the
// same instance (two isolates of one data center: distinct settings objects get distinct runtimes)
// ask the Backend API once between them, for the JWKS and for an opaque machine token; a new kid
// still goes to the Backend API; session tokens never touch the tier.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { mintToken, originSaw, scopedBackendApi, send } from '../helpers';

const config = defineConfig({ routes: [{ match: '/api/reports(.*)', protect: true, accept: ['api_key'] }, { match: '/dashboard(.*)', protect: true }] });
const VERIFY = '/api_keys/verify';

describe('the shared tier (Cache API)', () => {
  it('a second isolate takes the JWKS the first fetched; the Backend API is asked once', async () => {
    const { env, jwksHits } = scopedBackendApi('shared_jwks', { jwks: true });
    const token = await mintToken();
    expect((await send('/dashboard', { env, config, bearer: token })).status).toBe(200);
    expect(await jwksHits()).toBe(1);
    // Another isolate (another runtime), a token it has never seen.
    const other = { ...env };
    expect((await send('/dashboard', { env: other, config, bearer: await mintToken({ claims: { sid: 'sess_2' } }) })).status).toBe(200);
    expect(await jwksHits()).toBe(1);
  });

  it('a kid the shared key set lacks goes to the Backend API (key rotation is never hidden by the tier)', async () => {
    const { env, jwksHits } = scopedBackendApi('shared_rotation', { jwks: true });
    expect((await send('/dashboard', { env, config, bearer: await mintToken() })).status).toBe(200);
    expect(await jwksHits()).toBe(1);
    // The fake Backend API has no such key: the fetch happens, and the token is refused.
    const res = await send('/dashboard', { env: { ...env }, config, bearer: await mintToken({ header: { kid: 'ins_rotated' } }) });
    expect(res.status).toBe(401);
    expect(await jwksHits()).toBe(2);
  });

  it('a second isolate takes an opaque machine token verdict, verified or refused, without a Backend API call', async () => {
    const { env, calls } = scopedBackendApi('shared_machine');
    const seen = await originSaw(await send('/api/reports/1', { env, config, bearer: 'ak_valid_scopes_reports.read' }));
    expect(seen.headers['x-auth-token-type']).toBe('api_key');
    expect((await send('/api/reports/1', { env, config, bearer: 'ak_made_up_shared' })).status).toBe(401);
    expect((await calls())[VERIFY]).toBe(2);
    const other = { ...env };
    const again = await originSaw(await send('/api/reports/1', { env: other, config, bearer: 'ak_valid_scopes_reports.read' }));
    expect(again.headers).toMatchObject({ 'x-auth-token-type': 'api_key', 'x-auth-subject': seen.headers['x-auth-subject'], 'x-auth-scopes': 'reports.read' });
    expect((await send('/api/reports/1', { env: other, config, bearer: 'ak_made_up_shared' })).status).toBe(401);
    expect((await calls())[VERIFY]).toBe(2);
  });

  it('a machine verdict lapses in the shared tier when it would in the isolate (MACHINE_TOKEN_CACHE_MS after Clerk gave it)', async () => {
    const { env, calls } = scopedBackendApi('shared_lapse');
    const t0 = Date.now();
    await send('/api/reports/1', { env, config, bearer: 'ak_valid_lapse', now: () => t0 });
    // 9.9 s later, another isolate: still the shared verdict; 10 s later, a third asks Clerk again.
    await send('/api/reports/1', { env: { ...env }, config, bearer: 'ak_valid_lapse', now: () => t0 + 9_900 });
    expect((await calls())[VERIFY]).toBe(1);
    await send('/api/reports/1', { env: { ...env }, config, bearer: 'ak_valid_lapse', now: () => t0 + 10_000 });
    expect((await calls())[VERIFY]).toBe(2);
  });

  it('session tokens are not put in the shared tier', async () => {
    const { env } = scopedBackendApi('shared_sessions');
    // Every Cache's put, counted (each runtime opens its own Cache object).
    const put = Cache.prototype.put;
    let puts = 0;
    Cache.prototype.put = function (this: Cache, ...args: Parameters<Cache['put']>) {
      puts++;
      return put.apply(this, args);
    };
    try {
      for (let i = 0; i < 3; i++) expect((await send('/dashboard', { env: { ...env }, config, bearer: await mintToken({ claims: { sid: `sess_s${i}` } }) })).status).toBe(200);
      expect(puts).toBe(0);
      // The control: a machine token's verdict is put, through the same cache.
      await send('/api/reports/1', { env: { ...env }, config, bearer: 'ak_valid_control' });
      expect(puts).toBe(1);
    } finally {
      Cache.prototype.put = put;
    }
  });
});
