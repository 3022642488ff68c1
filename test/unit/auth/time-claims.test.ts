// The one home of time-claim arithmetic (src/auth/time-claims.ts): `@clerk/backend` computes a
// claim's instant with Date#setUTCSeconds, which drops fractions of a second, so a token with a
// fractional exp/nbf/iat expires (and becomes valid) on the whole second, not `claim * 1000`.
// Pinned here against Clerk's own verifyJwt, and through every check that uses it: the session
// claims check, the verified-token cache and the refresh guess.
import { verifyJwt } from '@clerk/backend/jwt';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { refreshLikely } from '../../../src/auth/clerk/refresh';
import { checkSessionClaims } from '../../../src/auth/session/session-claims';
import { TokenCache } from '../../../src/auth/session/token-cache';
import { checkTimeClaims, claimMs, issuedBeforeClient, type TimeClaims, type TimeVerdict } from '../../../src/auth/time-claims';
import { GATEWAY, ISSUER, mintToken, testEnv } from '../../helpers';

// A whole second, so the fractions below fall on either side of Clerk's truncation.
const T0 = 1_800_000_000_000;
const S0 = T0 / 1000;
const identity = { userId: 'user_1', sessionId: 'sess_1', status: 'active' as const };

afterEach(() => {
  vi.useRealTimers();
});

describe('claimMs: a time claim as @clerk/backend reads it', () => {
  it('truncates fractions toward zero and is NaN past the range of a Date', () => {
    expect(claimMs(1.9)).toBe(1000);
    expect(claimMs(-1.9)).toBe(-1000);
    expect(claimMs(S0 + 0.999)).toBe(T0);
    expect(claimMs(1e13)).toBeNaN();
  });

  it('is what a Date says for every value, at the edges of its range too', () => {
    const date = (seconds: number) => new Date(0).setUTCSeconds(seconds);
    for (const seconds of [0, -0, 1, -1, S0, 8.64e12, -8.64e12, 8.64e12 + 1, -8.64e12 - 1, 8.64e12 + 0.5, 2 ** 53, 1.5, -0.5, Number.NaN, Infinity, -Infinity]) {
      expect(Object.is(claimMs(seconds), date(seconds)), String(seconds)).toBe(true);
    }
  });
});

describe('checkTimeClaims', () => {
  const at = (claims: TimeClaims, nowMs = T0) => checkTimeClaims(claims, { nowMs });

  it('fractional exp: expired on the whole second (5 s skew)', () => {
    // exp - skew is 0.9 s after now by `exp * 1000`, but Clerk reads exp as S0 - 5: expired.
    expect(at({ exp: S0 - 5 + 0.9 })).toBe('expired');
    expect(at({ exp: S0 - 4 + 0.1 })).toBe('ok');
  });

  it('fractional nbf and iat: valid on the whole second', () => {
    // Clerk reads S0 + 5.9 as S0 + 5, which is not after now + skew.
    expect(at({ exp: S0 + 60, nbf: S0 + 5 + 0.9 })).toBe('ok');
    expect(at({ exp: S0 + 60, iat: S0 + 5 + 0.9 })).toBe('ok');
    expect(at({ exp: S0 + 60, nbf: S0 + 6 + 0.1 })).toBe('not-yet-valid');
    expect(at({ exp: S0 + 60, iat: S0 + 6 + 0.1 })).toBe('not-yet-valid');
  });

  it('exp is required and numeric; nbf and iat may be absent but not of another type; out-of-range claims trip nothing, as in Clerk', () => {
    expect(at({})).toBe('expired');
    expect(at({ exp: '9999999999' })).toBe('expired');
    expect(at({ exp: S0 + 60, nbf: 'soon' })).toBe('not-yet-valid');
    expect(at({ exp: S0 + 60, iat: null })).toBe('not-yet-valid');
    expect(at({ exp: 1e13, nbf: 1e13, iat: 1e13 })).toBe('ok');
  });

  it('issuedBeforeClient compares the raw seconds, fractions included, as Clerk does', () => {
    expect(issuedBeforeClient(S0 + 0.5, S0 + 1)).toBe(true);
    expect(issuedBeforeClient(S0 + 0.5, S0)).toBe(false);
    expect(issuedBeforeClient(S0, S0)).toBe(false);
  });
});

// @clerk/backend's verdict for a token's time claims at T0 (its clock pinned there).
async function clerkVerdict(claims: Record<string, number>): Promise<TimeVerdict> {
  const token = await mintToken({ claims: { exp: S0 + 60, nbf: S0 - 10, iat: S0 - 10, ...claims } });
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  try {
    await verifyJwt(token, { key: testEnv.CLERK_JWT_KEY!, issuer: ISSUER, authorizedParties: [GATEWAY] });
    return 'ok';
  } catch (error) {
    const reason = (error as { reason?: string }).reason;
    if (reason === 'token-expired') return 'expired';
    if (reason === 'token-not-active-yet' || reason === 'token-iat-in-the-future') return 'not-yet-valid';
    throw error;
  } finally {
    vi.useRealTimers();
  }
}

describe('every time check agrees with @clerk/backend on fractional claims', () => {
  const offsets = [-6.1, -5.9, -5.5, -5.1, -5, -4.9, -4.1, 4.1, 4.9, 5, 5.1, 5.5, 5.9, 6.1];
  const cases = [
    ...offsets.map((d) => ({ exp: S0 + d })),
    ...offsets.map((d) => ({ nbf: S0 + d })),
    ...offsets.map((d) => ({ iat: S0 + d })),
  ];

  it(`verifyJwt, checkTimeClaims, the session claims check and the token cache give one verdict (${cases.length} tokens)`, async () => {
    for (const claims of cases) {
      const full = { exp: S0 + 60, nbf: S0 - 10, iat: S0 - 10, ...claims };
      const theirs = await clerkVerdict(claims);
      const label = JSON.stringify(claims);
      expect(checkTimeClaims(full, { nowMs: T0 }), label).toBe(theirs);
      const payload = { sub: 'user_1', azp: GATEWAY, iss: ISSUER, ...full };
      expect(checkSessionClaims({ alg: 'RS256' }, payload, { issuer: ISSUER, authorizedParties: [GATEWAY], nowMs: T0 }), label).toBe(theirs);
      const cache = new TokenCache();
      cache.set('t', { identity, azp: GATEWAY, ...full });
      expect(cache.get('t', T0, [GATEWAY]) ? 'ok' : 'not ok', label).toBe(theirs === 'ok' ? 'ok' : 'not ok');
    }
  });

  it('the refresh guess reads exp the same way: expired by now + the skew', async () => {
    const token = async (exp: number) => mintToken({ claims: { exp, iat: S0 - 60, nbf: S0 - 60 } });
    const refresh = [['__refresh_abc', 'R']] as const;
    // S0 + 5.9 is S0 + 5 for Clerk: expired at T0 + 5 s.
    expect(refreshLikely('GET', refresh, [await token(S0 + 5 + 0.9)], T0)).toBe(true);
    expect(refreshLikely('GET', refresh, [await token(S0 + 6 + 0.1)], T0)).toBe(false);
    expect(refreshLikely('GET', [], [await token(S0 - 60)], T0)).toBe(false);
    expect(refreshLikely('POST', refresh, [await token(S0 - 60)], T0)).toBe(false);
  });
});
