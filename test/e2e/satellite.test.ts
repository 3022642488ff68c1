// Satellite domains (CLERK_IS_SATELLITE, CLERK_DOMAIN, CLERK_SATELLITE_AUTO_SYNC): one Worker serves
// the primary (https://gateway.test) and a satellite (https://shop.satellite.test), each host with
// Clerk's options for it; the satellite's sync with the primary goes through the gateway.
import { describe, expect, it } from 'vitest';

import type { Env } from '../../src/env';
import { clientUat, KID, mintToken, newProbe, originCount, originSaw, privateJwk, refusalCode, send, sessionCookie, signJwt, testEnv, GATEWAY } from '../helpers';

const SATELLITE = 'https://shop.satellite.test';
const satellite = (extra: Env = {}): Env => ({
  ...testEnv,
  CLERK_IS_SATELLITE: 'true',
  CLERK_DOMAIN: 'satellite.test',
  CLERK_SIGN_IN_URL: `${GATEWAY}/sign-in`,
  ...extra,
});
// A production satellite's tokens come from its own Frontend API (https://clerk.<domain>).
const satelliteToken = (claims: Record<string, unknown> = {}) => mintToken({ claims: { azp: SATELLITE, iss: 'https://clerk.satellite.test', ...claims } });

describe('satellite domains (production)', () => {
  it("a satellite's first page load without cookies is signed out (no sync): sent to the primary's sign-in page, to come back asking for a sync", async () => {
    const probe = newProbe('sat');
    const res = await send('/dashboard?x=1', { env: satellite(), origin: SATELLITE, navigate: true, probe });
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${GATEWAY}/sign-in`);
    // As @clerk/backend's createRedirect for a satellite: back with __clerk_synced=false, which makes Clerk sync.
    expect(location.searchParams.get('redirect_url')).toBe(`${SATELLITE}/dashboard?x=1&__clerk_synced=false`);
    expect(await originCount(probe)).toBe(0);
    const back = await send('/dashboard?x=1&__clerk_synced=false', { env: satellite(), origin: SATELLITE, navigate: true });
    expect(back.status).toBe(307);
    expect(new URL(back.headers.get('location')!).origin).toBe('https://clerk.satellite.test');
    // Pending sessions' task page on the primary, and API calls' sign-in URL, the same.
    const pending = await send('/dashboard', { env: satellite(), origin: SATELLITE, navigate: true, cookie: sessionCookie(await satelliteToken({ sts: 'pending' })) });
    expect(pending.headers.get('location')).toBe(`${GATEWAY}/sign-in/tasks?redirect_url=${encodeURIComponent(`${SATELLITE}/dashboard?__clerk_synced=false`)}`);
  });

  it("with CLERK_SATELLITE_AUTO_SYNC it is Clerk's handshake through the satellite's Frontend API", async () => {
    const res = await send('/dashboard', { env: satellite({ CLERK_SATELLITE_AUTO_SYNC: 'true' }), origin: SATELLITE, navigate: true });
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://clerk.satellite.test/v1/client/handshake');
    expect(location.searchParams.get('redirect_url')).toBe(`${SATELLITE}/dashboard`);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('__clerk_redirect_count=1'))).toBe(true);
  });

  it('a signed-in satellite session is forwarded; __clerk_synced=false asks for a sync even then (a handshake), as Clerk does', async () => {
    const token = await satelliteToken();
    const seen = await originSaw(await send('/dashboard', { env: satellite(), origin: SATELLITE, navigate: true, cookie: sessionCookie(token) }));
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
    // An API call takes the gateway's own checks.
    for (const credentials of [{ bearer: token }, { cookie: sessionCookie(token) }]) {
      expect((await originSaw(await send('/dashboard/api', { env: satellite(), origin: SATELLITE, ...credentials }))).headers['x-auth-user-id']).toBe('user_1');
    }
    const sync = await send('/dashboard?__clerk_synced=false', { env: satellite(), origin: SATELLITE, navigate: true, cookie: sessionCookie(token) });
    expect(sync.status).toBe(307);
    expect(new URL(sync.headers.get('location')!).origin).toBe('https://clerk.satellite.test');
  });

  it("completes the sync: the handshake's return to the satellite is resolved by Clerk and forwarded signed in, with its cookies", async () => {
    const fresh = await satelliteToken({ sub: 'user_synced', sid: 'sess_synced' });
    const uat = clientUat();
    const handshake = await signJwt({ handshake: [`__session=${fresh}; Path=/; Secure; SameSite=Lax`, `__client_uat=${uat}; Path=/; Secure`] }, privateJwk(), { kid: KID });
    const res = await send(`/dashboard?__clerk_handshake=${handshake}`, { env: satellite(), origin: SATELLITE, navigate: true });
    const cookies = res.headers.getSetCookie();
    const seen = await originSaw(res);
    expect(seen.headers['x-auth-user-id']).toBe('user_synced');
    expect(cookies.some((c) => c.startsWith(`__session=${fresh}`))).toBe(true);
    expect(cookies.some((c) => c.startsWith(`__client_uat=${uat}`))).toBe(true);
  });

  it("each host takes its own issuer: the satellite's not on the primary, the primary's or another's not on the satellite", async () => {
    const onPrimary = await mintToken({ claims: { iss: 'https://clerk.satellite.test' } });
    const primaryOnSatellite = await satelliteToken({ iss: 'https://clerk.gateway.test' });
    const other = await satelliteToken({ iss: 'https://clerk.other.test' });
    for (const [token, origin] of [[onPrimary, GATEWAY], [primaryOnSatellite, SATELLITE], [other, SATELLITE]] as const) {
      for (const credentials of [{ bearer: token }, { cookie: sessionCookie(token) }]) {
        const probe = newProbe('iss');
        expect((await send('/dashboard/api', { env: satellite(), origin, probe, ...credentials })).status).toBe(401);
        expect(await originCount(probe)).toBe(0);
      }
    }
  });

  it('the primary on the same Worker is no satellite: its page loads are signed out without Clerk, its sign-in page public', async () => {
    const env = satellite({ CLERK_SATELLITE_AUTO_SYNC: 'true' });
    const res = await send('/dashboard', { env, navigate: true });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${GATEWAY}/sign-in?redirect_url=${encodeURIComponent(`${GATEWAY}/dashboard`)}`);
    expect((await send('/sign-in', { env, navigate: true })).status).toBe(200);
  });

  it('without CLERK_DOMAIN every host is a satellite reached through the proxy, but the sign-in page host', async () => {
    const env = satellite({ CLERK_DOMAIN: undefined, CLERK_PROXY_URL: '/__clerk', CLERK_FRONTEND_API_PROXY_PATH: 'true', CLERK_FRONTEND_API_URL: `http://127.0.0.1:${testEnv.TEST_FAPI_PORT}`, CLERK_SATELLITE_AUTO_SYNC: 'true' });
    const res = await send('/dashboard', { env, origin: 'https://any.example', navigate: true });
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get('location')!).href.startsWith('https://any.example/__clerk/v1/client/handshake?')).toBe(true);
    const primary = await send('/dashboard', { env, navigate: true });
    expect(new URL(primary.headers.get('location')!).pathname).toBe('/sign-in');
  });
});

describe('satellite domains (development)', () => {
  const FRONTEND_API = 'foo-bar-12.clerk.accounts.dev';
  const dev = (extra: Env = {}): Env =>
    satellite({ CLERK_PUBLISHABLE_KEY: `pk_test_${btoa(`${FRONTEND_API}$`)}`, CLERK_SECRET_KEY: 'sk_test_testsecret', ...extra });

  it('syncs through the primary: satellite → primary sign-in with __clerk_redirect_url → back with the dev-browser token', async () => {
    const env = dev({ CLERK_SATELLITE_AUTO_SYNC: 'true' });
    const first = await send('/dashboard', { env, origin: SATELLITE, navigate: true });
    expect(first.status).toBe(307);
    const toPrimary = new URL(first.headers.get('location')!);
    expect(`${toPrimary.origin}${toPrimary.pathname}`).toBe(`${GATEWAY}/sign-in`);
    expect(toPrimary.searchParams.get('__clerk_redirect_url')).toBe(`${SATELLITE}/dashboard`);

    // The primary (same Worker) answers Clerk's primary-responds-to-syncing: back to the satellite.
    const back = await send(`${toPrimary.pathname}${toPrimary.search}`, { env, navigate: true, cookie: '__clerk_db_jwt=dvb_primary' });
    expect(back.status).toBe(307);
    const returned = new URL(back.headers.get('location')!);
    expect(`${returned.origin}${returned.pathname}`).toBe(`${SATELLITE}/dashboard`);
    expect(returned.searchParams.get('__clerk_db_jwt')).toBe('dvb_primary');
    expect(returned.searchParams.get('__clerk_synced')).toBe('true');
  });

  it('a __clerk_redirect_url outside the satellite domains is still a 400 on the primary', async () => {
    for (const target of ['https://evil.example/x', 'https://satellite.test.evil.example/', 'javascript:alert(1)']) {
      const res = await send(`/sign-in?__clerk_redirect_url=${encodeURIComponent(target)}`, { env: dev(), navigate: true, cookie: `__clerk_db_jwt=dvb; __client_uat=${clientUat()}` });
      expect(res.status, target).toBe(400);
      expect(await refusalCode(res)).toBe('ERR_CLERK_REDIRECT_URL');
    }
  });
});
