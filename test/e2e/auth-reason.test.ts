// X-Auth-Reason: a stable public code on every refusal and redirect the gateway answers itself,
// read from the typed failure of the authenticator that answered. Coarse on purpose: it tells a
// client what to do (sign in, retry, finish the task) and nothing about keys or configuration.
import { describe, expect, it } from 'vitest';

import { call, expiredToken, mintToken, originSaw, sessionCookie } from '../helpers';

describe('X-Auth-Reason', () => {
  it.each<[string, () => Promise<{ bearer?: string; cookie?: string }>, string]>([
    ['no credentials', async () => ({}), 'no_credentials'],
    ['an expired token', async () => ({ bearer: await expiredToken() }), 'token_expired'],
    ['a token not yet valid', async () => ({ bearer: await mintToken({ claims: { nbf: Math.floor(Date.now() / 1000) + 120 } }) }), 'token_not_yet_valid'],
    ['a forged signature', async () => ({ bearer: await mintToken({ key: 'foreign' }) }), 'token_invalid'],
    ['another site’s azp', async () => ({ bearer: await mintToken({ claims: { azp: 'https://evil.example' } }) }), 'token_invalid'],
    ['another instance’s iss', async () => ({ bearer: await mintToken({ claims: { iss: 'https://clerk.other.example' } }) }), 'token_invalid'],
    ['garbage', async () => ({ bearer: 'garbage' }), 'token_invalid'],
    ['two different __session cookies', async () => ({ cookie: `__session=a; __session=b; __client_uat=1` }), 'ambiguous_session'],
    ['a pending session', async () => ({ bearer: await mintToken({ claims: { sts: 'pending' } }) }), 'session_pending'],
  ])('%s → 401 with %s', async (_, credentials, reason) => {
    const res = await call('/dashboard/api', await credentials());
    expect(res.status).toBe(401);
    expect(res.headers.get('x-auth-reason')).toBe(reason);
  });

  it('on redirects: sign-in, the task page, Clerk’s handshake', async () => {
    expect((await call('/dashboard', { navigate: true })).headers.get('x-auth-reason')).toBe('no_credentials');
    const pending = await call('/dashboard', { navigate: true, bearer: await mintToken({ claims: { sts: 'pending' } }) });
    expect([pending.status, pending.headers.get('x-auth-reason')]).toEqual([307, 'session_pending']);
    // An expired cookie session on a navigation: Clerk refreshes it through a handshake.
    const handshake = await call('/dashboard', { navigate: true, cookie: sessionCookie(await expiredToken(), Math.floor(Date.now() / 1000) - 120) });
    expect([handshake.status, handshake.headers.get('x-auth-reason')]).toEqual([307, 'handshake']);
  });

  it('never on what the origin answers', async () => {
    const res = await call('/dashboard', { bearer: await mintToken() });
    expect(res.headers.get('x-auth-reason')).toBeNull();
    expect((await originSaw(res)).headers['x-auth-user-id']).toBe('user_1');
  });
});
