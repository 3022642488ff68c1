// Machine tokens, per route: `accept` chooses what a route takes (sessions only by default, never
// an accidental "any"), `scopes` what a machine token must carry. Opaque tokens are verified by the
// (fake) Backend API within its budget, and verdicts are kept briefly, so a flood of made-up keys
// cannot make the gateway call Clerk beyond the budget.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { validateConfig } from '../../src/config/validate';
import { captureConsole, mintToken, originSaw, scopedBackendApi, send } from '../helpers';

const config = defineConfig({
  routes: [
    { match: '/api/reports(.*)', protect: true, accept: ['api_key', 'm2m_token'], scopes: ['reports.read'] },
    { match: '/api/both(.*)', protect: true, accept: ['session_token', 'api_key'] },
    { match: '/api/machines(.*)', protect: true, accept: ['m2m_token'] },
    { match: '/api(.*)', protect: true },
  ],
});

// @clerk/backend calls the API-key endpoint without the /v1 prefix.
const VERIFY = '/api_keys/verify';

describe('machine tokens', () => {
  it('an API key where the route accepts it: forwarded with its kind, subject and scopes', async () => {
    const { env, calls } = scopedBackendApi('mt_ok');
    const seen = await originSaw(await send('/api/reports/1', { env, config, bearer: 'ak_valid_scopes_reports.read~reports.write' }));
    expect(seen.headers).toMatchObject({
      'x-auth-session-status': 'machine',
      'x-auth-token-type': 'api_key',
      'x-auth-subject': 'user_1',
      'x-auth-scopes': 'reports.read,reports.write',
    });
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
    expect((await calls())[VERIFY]).toBe(1);
  });

  it('an opaque M2M token likewise', async () => {
    const { env } = scopedBackendApi('mt_m2m');
    const seen = await originSaw(await send('/api/machines', { env, config, bearer: 'mt_valid_scopes_x' }));
    expect(seen.headers).toMatchObject({ 'x-auth-token-type': 'm2m_token', 'x-auth-subject': 'mch_1', 'x-auth-scopes': 'x' });
  });

  it('a JWT-format M2M token is verified with the instance key, without a Backend API call', async () => {
    const { env, calls } = scopedBackendApi('mt_jwt');
    const now = Math.floor(Date.now() / 1000);
    const token = await mintToken({ claims: { sub: 'mch_jwt', scopes: 'x y', jti: 'mt_jti_1', iat: now - 1, nbf: now - 1, exp: now + 60 }, omit: ['sid', 'azp', 'v', 'sts'] });
    const seen = await originSaw(await send('/api/machines', { env, config, bearer: token }));
    expect(seen.headers).toMatchObject({ 'x-auth-token-type': 'm2m_token', 'x-auth-subject': 'mch_jwt' });
    expect(Object.keys(await calls()).filter((k) => k !== 'jwks')).toEqual([]);
    // Signed by another key: refused.
    expect((await send('/api/machines', { env, config, bearer: await mintToken({ key: 'foreign', claims: { sub: 'mch_jwt' } }) })).status).toBe(401);
  });

  it('a missing scope is 403 with the scopes named; a kind the route does not take is 401 without calling Clerk', async () => {
    const { env, calls } = scopedBackendApi('mt_scope');
    const scoped = await send('/api/reports', { env, config, bearer: 'ak_valid_scopes_other' });
    expect(scoped.status).toBe(403);
    expect(scoped.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(await scoped.json()).toMatchObject({ error: 'insufficient_scope', missing_scopes: ['reports.read'] });
    const wrongKind = await send('/api/machines', { env, config, bearer: 'ak_valid_scopes_reports.read' });
    expect([wrongKind.status, wrongKind.headers.get('x-auth-reason')]).toEqual([401, 'token_kind_not_accepted']);
    const sessionRoute = await send('/api/other', { env, config, bearer: 'ak_valid_scopes_reports.read' });
    expect(sessionRoute.status).toBe(401);
    expect((await calls())[VERIFY]).toBe(1);
  });

  it('sessions where the route takes only machine tokens are refused; where it takes both, both work', async () => {
    const { env } = scopedBackendApi('mt_both');
    const token = await mintToken();
    expect((await send('/api/reports', { env, config, bearer: token })).status).toBe(401);
    expect((await originSaw(await send('/api/both', { env, config, bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
    expect((await originSaw(await send('/api/both', { env, config, bearer: 'ak_valid_x' }))).headers['x-auth-token-type']).toBe('api_key');
  });

  it('an unknown key is 401, and its verdict is kept: replays do not reach Clerk', async () => {
    const { env, calls } = scopedBackendApi('mt_unknown');
    for (let i = 0; i < 5; i++) {
      const res = await send('/api/reports', { env, config, bearer: 'ak_made_up' });
      expect([res.status, res.headers.get('x-auth-reason')]).toEqual([401, 'token_invalid']);
    }
    expect((await calls())[VERIFY]).toBe(1);
  });

  it('a flood of 1,000 made-up keys makes at most the budget of Backend API calls (20 at once)', async () => {
    const { env, calls } = scopedBackendApi('mt_flood');
    captureConsole('warn');
    const frozen = Date.now();
    for (let i = 0; i < 1000; i++) {
      const res = await send('/api/reports', { env, config, bearer: `ak_made_up_${i}`, now: () => frozen });
      expect(res.status).toBe(401);
    }
    expect((await calls())[VERIFY]).toBe(20);
  }, 60_000);

  it('accept and scopes are checked at startup: no "any", no unknown kind, scopes only with machine tokens', () => {
    const result = validateConfig({
      routes: [
        { match: '/a', protect: true, accept: ['any'] },
        { match: '/b', protect: true, accept: [] },
        { match: '/c', protect: true, scopes: ['x'] },
        { match: '/d', protect: true, accept: ['api_key'], scopes: 'x' },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/route #1 \("\/a"\): accept has "any"; known: session_token, api_key, m2m_token, oauth_token \(there is no "any"/),
      expect.stringMatching(/route #2 \("\/b"\): accept must be a non-empty list/),
      expect.stringMatching(/route #3 \("\/c"\): scopes apply to machine tokens/),
      expect.stringMatching(/route #4 \("\/d"\): scopes must be a list of scope names/),
    ]);
  });
});
