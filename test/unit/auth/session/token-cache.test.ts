// The per-isolate verified-token cache (src/auth/token-cache.ts): it re-checks on every use what
// Clerk would (exp, nbf, iat, azp against this request's parties) and keys on the whole token.
// Through the gateway: test/e2e/auth-cache.test.ts.
import { describe, expect, it } from 'vitest';

import { TokenCache, type VerifiedToken } from '../../../../src/auth/session/token-cache';

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
