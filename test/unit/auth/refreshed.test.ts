// A signed-in state says whether Clerk gave the browser a new session (a refresh, a resolved
// handshake): the gateway then forwards that session to the origin even if the request had none.
// Carried from Clerk's answer (src/auth/clerk/authenticate-request.ts), not inferred later.
import { describe, expect, it } from 'vitest';

import { authenticateWithClerk } from '../../../src/auth/clerk/authenticate-request';
import type { AuthContext } from '../../../src/auth/context';
import { BackendApiBudget } from '../../../src/auth/limits/backend-budget';
import { ClerkDeadline } from '../../../src/auth/limits/clerk-deadline';
import { SingleFlight } from '../../../src/auth/limits/single-flight';

const ORIGIN = 'https://gateway.test';

// A stand-in for @clerk/backend that signs in, with the given Set-Cookie headers.
function contextAnswering(setCookies: string[]): AuthContext {
  const claims = { sub: 'user_1', sid: 'sess_1', exp: 2_000_000_000, iat: 1_900_000_000 };
  const client = {
    authenticateRequest: async () => ({
      status: 'signed-in',
      reason: null,
      headers: new Headers(setCookies.map((cookie) => ['set-cookie', cookie] as [string, string])),
      token: 'new-token',
      toAuth: () => ({ sessionId: 'sess_1', userId: 'user_1', sessionClaims: claims, orgId: null, orgRole: null, orgSlug: null, orgPermissions: null, sessionStatus: 'active', tokenType: 'session_token' }),
    }),
  };
  const deadline = new ClerkDeadline({ timeoutMs: 10_000 });
  return {
    client,
    settings: { issuer: 'https://clerk.gateway.test' },
    deadline,
    budget: new BackendApiBudget(),
    refreshFlights: new SingleFlight({ deadline, maxEntries: 10 }),
    now: Date.now(),
    site: { origin: ORIGIN, authorizedParties: [ORIGIN], redirectOrigins: new Set([ORIGIN]), clerk: { issuer: 'https://clerk.gateway.test', tokenIssuer: 'https://clerk.gateway.test' } },
    url: new URL(`${ORIGIN}/dashboard`),
    publicHref: `${ORIGIN}/dashboard`,
    cookies: [],
  } as unknown as AuthContext;
}

describe('AuthState.refreshed', () => {
  it('is true when Clerk sets a new __session (plain or suffixed), false otherwise', async () => {
    const request = new Request(`${ORIGIN}/dashboard`);
    const answers = await Promise.all([
      authenticateWithClerk(request, [], contextAnswering(['__session=new; Path=/'])),
      authenticateWithClerk(request, [], contextAnswering(['__session_abc=new; Path=/'])),
      authenticateWithClerk(request, [], contextAnswering(['__client_uat=5; Path=/'])),
      authenticateWithClerk(request, [], contextAnswering([])),
    ]);
    expect(answers.map((state) => (state.kind === 'signed-in' ? state.refreshed : state.kind))).toEqual([true, true, false, false]);
  });
});
