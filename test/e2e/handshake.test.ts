// Clerk's handshake through the gateway: expired sessions are refreshed via a redirect to the
// Frontend API on browser navigations, and a resolved handshake reaches the origin as the new session.
import { describe, expect, it } from 'vitest';

import {
  call,
  expectRefusedBy,
  expiredToken as expired,
  handshakeNonce,
  KID,
  mintToken,
  nowSeconds,
  originSaw,
  privateJwk,
  sessionCookie,
  signJwt,
  SIGN_IN,
 clientUat } from '../helpers';

/** A handshake token (Clerk's `__clerk_handshake`) carrying these Set-Cookie directives, signed with the instance key or another. */
function handshakeToken(directives: string[], key: 'instance' | 'foreign' = 'instance'): Promise<string> {
  return signJwt({ handshake: directives }, privateJwk(key), { kid: KID });
}

describe('handshake', () => {
  it('redirects a navigation with an expired session to Clerk, with the loop-guard cookie, without calling the origin', async () => {
    const token = await expired();
    const res = await expectRefusedBy('/dashboard?tab=1', 307, { navigate: true, cookie: sessionCookie(token, nowSeconds() - 900) });
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://clerk.gateway.test/v1/client/handshake');
    expect(location.searchParams.get('redirect_url')).toBe('https://gateway.test/dashboard?tab=1');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('__clerk_redirect_count=1'))).toBe(true);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('builds the handshake return URL from the canonical path and the gateway host, not X-Forwarded-Host', async () => {
    const res = await call('//Dashboard/./x', {
      navigate: true,
      cookie: sessionCookie(await expired(), nowSeconds() - 900),
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
    });
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('redirect_url')).toBe('https://gateway.test/Dashboard/x');
  });

  it('answers an API call with an expired session 401 (no handshake outside navigations)', async () => {
    const res = await call('/dashboard/api', { cookie: sessionCookie(await expired(), nowSeconds() - 900) });
    expect(res.status).toBe(401);
  });

  it('gives up after three handshakes and treats the browser as signed out', async () => {
    const res = await call('/dashboard', {
      navigate: true,
      cookie: `${sessionCookie(await expired(), nowSeconds() - 900)}; __clerk_redirect_count=3`,
    });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')!.startsWith(`${SIGN_IN}?`)).toBe(true);
  });

  it('forwards a resolved handshake (token) to the origin as the new session and sets its cookies on the browser', async () => {
    const fresh = await mintToken({ claims: { sub: 'user_fresh', sid: 'sess_fresh' } });
    const uat = clientUat();
    const hs = await handshakeToken([`__session=${fresh}; Path=/; Secure; SameSite=Lax`, `__client_uat=${uat}; Path=/; Secure`]);
    const res = await call(`/dashboard?__clerk_handshake=${hs}`, {
      navigate: true,
      cookie: sessionCookie(await expired(), nowSeconds() - 900),
    });
    const cookies = res.headers.getSetCookie();
    const seen = await originSaw(res);
    expect(seen.headers['x-auth-user-id']).toBe('user_fresh');
    expect(seen.headers['x-auth-session-id']).toBe('sess_fresh');
    expect(String(seen.headers.cookie)).toContain(`__session=${fresh}`);
    expect(cookies.some((c) => c.startsWith(`__session=${fresh}`))).toBe(true);
    expect(cookies.some((c) => c.startsWith(`__client_uat=${uat}`))).toBe(true);
  });

  it('resolves a handshake nonce through the Backend API', async () => {
    const fresh = await mintToken({ claims: { sub: 'user_nonce', sid: 'sess_nonce' } });
    const nonce = await handshakeNonce(fresh);
    const res = await call(`/dashboard?__clerk_handshake_nonce=${nonce}`, { navigate: true });
    const cookies = res.headers.getSetCookie();
    const seen = await originSaw(res);
    expect(seen.headers['x-auth-user-id']).toBe('user_nonce');
    expect(cookies.some((c) => c.startsWith(`__session=${fresh}`))).toBe(true);
  });

  it('does not trust a handshake token signed by another key', async () => {
    const forged = await mintToken({ key: 'foreign', claims: { sub: 'user_forged' } });
    const hs = await handshakeToken([`__session=${forged}; Path=/`, `__client_uat=${clientUat()}; Path=/`], 'foreign');
    await expectRefusedBy(`/dashboard?__clerk_handshake=${hs}`, 401);
  });
});
