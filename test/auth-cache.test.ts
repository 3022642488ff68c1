// The per-isolate token cache, the JWKS gate and the credential reader that decides when Clerk
// can be skipped: each re-checks what Clerk would, and is never shared across configs.
import { describe, expect, it } from 'vitest';

import routes from '../routes.config';
import { readCredentials } from '../src/auth/credentials';
import { JwksGate, jwtKid } from '../src/auth/jwks-gate';
import { TokenCache, type VerifiedToken } from '../src/auth/token-cache';
import { handleRequest } from '../src/gateway';
import { call, mintToken, nowSeconds, originSaw, sessionCookie, testEnv } from './helpers';

const identity = { userId: 'user_1', sessionId: 'sess_1', status: 'active' as const };
const T0 = 1_800_000_000_000;
const PARTIES = ['https://gateway.test'];
const entry = (over: Partial<VerifiedToken> = {}): VerifiedToken => ({
  identity,
  exp: T0 / 1000 + 60,
  nbf: T0 / 1000 - 1,
  iat: T0 / 1000 - 1,
  azp: 'https://gateway.test',
  ...over,
});

describe('TokenCache', () => {
  it('re-checks exp on every use, with the 5 s skew', () => {
    const cache = new TokenCache();
    cache.set('t', entry());
    expect(cache.get('t', T0, PARTIES)).toBeDefined();
    expect(cache.get('t', T0 + 64_000, PARTIES)).toBeDefined();
    expect(cache.get('t', T0 + 65_000, PARTIES)).toBeUndefined();
    // Gone for good once expired.
    expect(cache.get('t', T0, PARTIES)).toBeUndefined();
  });

  it('re-checks nbf and iat against the clock', () => {
    const cache = new TokenCache();
    cache.set('future', entry({ nbf: T0 / 1000 + 30, iat: T0 / 1000 - 1 }));
    cache.set('iat', entry({ nbf: undefined, iat: T0 / 1000 + 30 }));
    expect(cache.get('future', T0, PARTIES)).toBeUndefined();
    expect(cache.get('iat', T0, PARTIES)).toBeUndefined();
  });

  it('checks azp against the parties of the current request', () => {
    const cache = new TokenCache();
    cache.set('t', entry());
    expect(cache.get('t', T0, ['https://gateway.test'])).toBeDefined();
    expect(cache.get('t', T0, ['https://other.test'])).toBeUndefined();
    // As @clerk/backend with parties set: no azp, no entry (and no parties never means "any").
    cache.set('no-azp', entry({ azp: undefined }));
    expect(cache.get('no-azp', T0, PARTIES)).toBeUndefined();
    expect(cache.get('t', T0, [])).toBeUndefined();
  });

  it('keys on the whole token and evicts the least recently used beyond its bound', () => {
    const cache = new TokenCache({ maxEntries: 2 });
    cache.set('a', entry());
    cache.set('b', entry());
    cache.get('a', T0, PARTIES);
    cache.set('c', entry());
    expect(cache.size).toBe(2);
    expect(cache.get('b', T0, PARTIES)).toBeUndefined();
    expect(cache.get('a', T0, PARTIES)).toBeDefined();
    expect(cache.get('a ', T0, PARTIES)).toBeUndefined();
  });
});

describe('JwksGate', () => {
  const kidToken = (kid: string) => `${btoa(JSON.stringify({ alg: 'RS256', kid })).replace(/=+$/, '')}.e30.sig`;

  function gate(now: { t: number }) {
    let calls = 0;
    const g = new JwksGate({
      secretKey: 'sk_live_x',
      apiUrl: 'https://api.test',
      now: () => now.t,
      fetch: (async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        return new Response(JSON.stringify({ keys: [{ kid: 'ins_good' }] }));
      }) as typeof fetch,
    });
    return { g, calls: () => calls };
  }

  it('reads the kid of a JWT header', () => {
    expect(jwtKid(kidToken('ins_good'))).toBe('ins_good');
    expect(jwtKid('garbage')).toBeUndefined();
    // JSON headers without a string kid make Clerk fetch the JWKS for kid undefined: the gate refuses them.
    for (const header of ['[]', '"x"', '{"kid":7}', '{}']) expect(jwtKid(`${btoa(header)}.e30.sig`)).toBeNull();
  });

  it('fetches once for a flood of unknown kids (single flight, then cool-down)', async () => {
    const now = { t: T0 };
    const { g, calls } = gate(now);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => g.admits([kidToken(`ins_fake_${i}`)])));
    expect(results.every((r) => r === false)).toBe(true);
    expect(calls()).toBe(1);
    for (let i = 0; i < 50; i++) expect(await g.admits([kidToken(`ins_more_${i}`)])).toBe(false);
    expect(calls()).toBe(1);
    expect(await g.admits([kidToken('ins_good')])).toBe(true);
    now.t += 30_000;
    expect(await g.admits([kidToken('ins_new')])).toBe(false);
    expect(calls()).toBe(2);
  });

  it('lets known kids through without fetching again', async () => {
    const now = { t: T0 };
    const { g, calls } = gate(now);
    expect(await g.admits([kidToken('ins_good')])).toBe(true);
    for (let i = 0; i < 20; i++) expect(await g.admits([kidToken('ins_good')])).toBe(true);
    expect(calls()).toBe(1);
  });
});

describe('readCredentials', () => {
  const url = new URL('https://gateway.test/dashboard');
  const read = (headers: Record<string, string>, u = url, production = true) => readCredentials(new Request(u, { headers }), u, production);

  it('follows Clerk: Bearer token, a lone word is a token, other schemes fall back to cookies', () => {
    expect(read({ authorization: 'Bearer abc' })).toEqual({ kind: 'bearer', token: 'abc' });
    expect(read({ authorization: 'abc' })).toEqual({ kind: 'bearer', token: 'abc' });
    expect(read({ authorization: 'Basic abc' })).toEqual({ kind: 'none' });
  });

  it('finds the plain cookie session, and leaves handshakes, suffixed cookies and dev instances to Clerk', () => {
    expect(read({ cookie: '__session=t; __client_uat=5' })).toEqual({ kind: 'cookie', token: 't', clientUat: 5 });
    expect(read({ cookie: '__client_uat=0' })).toEqual({ kind: 'none' });
    expect(read({ cookie: '__session=t' }).kind).toBe('clerk');
    expect(read({ cookie: '__session=t; __client_uat=5; __session_abc=u' }).kind).toBe('clerk');
    expect(read({ cookie: '__session=t; __client_uat=5' }, new URL('https://gateway.test/x?__clerk_handshake=h')).kind).toBe('clerk');
    expect(read({ cookie: '__session=t; __client_uat=5' }, url, false).kind).toBe('clerk');
    expect(read({ cookie: '__session=t; __client_uat=5', 'sec-fetch-dest': 'document', referer: 'https://elsewhere.test/' }).kind).toBe('clerk');
  });

  it('calls two different __session values ambiguous', () => {
    expect(read({ cookie: '__session=a; __client_uat=5; __session=b' })).toEqual({ kind: 'ambiguous' });
    expect(read({ cookie: '__session=a; __client_uat=5; __session=a' }).kind).toBe('cookie');
  });
});

describe('cache through the gateway', () => {
  it('does not accept a cached cookie session once __client_uat is newer than the token', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { cookie: sessionCookie(token) }))).headers['x-auth-user-id']).toBe('user_1');
    const res = await call('/dashboard/api', { cookie: sessionCookie(token, nowSeconds() + 30) });
    expect(res.status).toBe(401);
  });

  it('re-checks azp for another host serving the same token', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
    const res = await handleRequest(new Request('https://other.test/dashboard/api', { headers: { authorization: `Bearer ${token}` } }), testEnv, { config: routes });
    expect(res.status).toBe(401);
  });

  it('never shares verified tokens with a runtime of other settings', async () => {
    const token = await mintToken();
    expect((await originSaw(await call('/dashboard/api', { bearer: token }))).headers['x-auth-user-id']).toBe('user_1');
    // Same token, a runtime whose secret key the Backend API refuses: it can load no keys.
    const env = { ...testEnv, CLERK_JWT_KEY: undefined, CLERK_SECRET_KEY: 'sk_live_wrongsecret' };
    const res = await handleRequest(new Request('https://gateway.test/dashboard/api', { headers: { authorization: `Bearer ${token}` } }), env, { config: routes });
    expect(res.status).toBe(401);
  });

  it('treats duplicate __session cookies with different values as signed out', async () => {
    const a = await mintToken({ claims: { sub: 'user_a' } });
    const b = await mintToken({ claims: { sub: 'user_b' } });
    const res = await call('/dashboard/api', { cookie: `__session=${a}; __client_uat=${nowSeconds() - 1}; __session=${b}` });
    expect(res.status).toBe(401);
  });
});
