// One browser's refresh is shared only on its own site: each site has its own authorized parties
// (the token's azp) and its own cookies, so a request on another site, with the same expired token
// and refresh cookie at the same moment, must be decided by Clerk for that site.
import { describe, expect, it } from 'vitest';

import type { AuthContext } from '../../../src/auth/context';
import { authenticateWithClerk } from '../../../src/auth/clerk/authenticate-request';
import { BackendApiBudget } from '../../../src/auth/limits/backend-budget';
import { ClerkDeadline } from '../../../src/auth/limits/clerk-deadline';
import { SingleFlight } from '../../../src/auth/limits/single-flight';
import { cookiePairs } from '../../../src/request/cookies';
import { mintToken, nowSeconds } from '../../helpers';

describe('refresh single-flight and sites', () => {
  it('a request on site B (azp not allowed there) does not get site A’s refreshed session', async () => {
    const now = nowSeconds();
    const expired = await mintToken({ claims: { exp: now - 120, iat: now - 180, nbf: now - 180, azp: 'https://a.test' } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    // A stand-in for @clerk/backend that signs in only where the site's parties include the azp.
    const client = {
      authenticateRequest: async (_request: Request, options: { authorizedParties: string[] }) => {
        calls++;
        await gate;
        if (!options.authorizedParties.includes('https://a.test')) {
          return { status: 'signed-out', reason: 'token-invalid-authorized-parties', message: 'azp', headers: new Headers(), toAuth: () => null };
        }
        const claims = { sub: 'user_1', sid: 'sess_1', exp: now + 60, iat: now };
        return {
          status: 'signed-in',
          reason: null,
          headers: new Headers([['set-cookie', '__session=new; Path=/']]),
          token: 'new-token',
          toAuth: () => ({ sessionId: 'sess_1', userId: 'user_1', sessionClaims: claims, orgId: null, orgRole: null, orgSlug: null, orgPermissions: null, factorVerificationAge: null, actor: null, sessionStatus: 'active', tokenType: 'session_token', isAuthenticated: true, has: () => false, getToken: async () => 'new-token', debug: () => ({}) }),
        };
      },
    };
    const deadline = new ClerkDeadline({ timeoutMs: 10_000 });
    const shared = { client, settings: { issuer: 'https://clerk.gateway.test' }, deadline, budget: new BackendApiBudget(), refreshFlights: new SingleFlight({ deadline, maxEntries: 100 }), now: Date.now() };
    const cookie = `__session=${expired}; __client_uat=1; __refresh_abc=R`;
    const context = (origin: string) =>
      ({ ...shared, site: { origin, authorizedParties: [origin], redirectOrigins: new Set([origin]), clerk: { issuer: 'https://clerk.gateway.test', tokenIssuer: 'https://clerk.gateway.test' } }, url: new URL(`${origin}/dashboard`), publicHref: `${origin}/dashboard`, cookies: cookiePairs(cookie) }) as unknown as AuthContext;
    const request = (origin: string) => new Request(`${origin}/dashboard`, { headers: { cookie } });
    const a = authenticateWithClerk(request('https://a.test'), [expired], context('https://a.test'));
    const b = authenticateWithClerk(request('https://b.test'), [expired], context('https://b.test'));
    release();
    const [onA, onB] = await Promise.all([a, b]);
    expect(onA.kind).toBe('signed-in');
    expect(onB.kind).toBe('signed-out');
    expect(calls).toBe(2);
  });
});
