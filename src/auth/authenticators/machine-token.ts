import type { Authenticator } from '../authenticate';
import { NOT_RESPONSIBLE } from '../authenticate';
import { isOpaque } from '../machine/token-kind';
import { signedOut, type AuthState } from '../result';

/**
 * An API key, M2M token or OAuth access token the route accepts, verified by `@clerk/backend`:
 * JWT-format ones with the instance's key, opaque ones by a Backend API call that spends the
 * budget. Verdicts are kept briefly, verified and refused alike.
 */
export const machineToken: Authenticator = async (request, credentials, context) => {
  if (credentials.kind !== 'machine') return NOT_RESPONSIBLE;
  const { token, tokenKind } = credentials;
  const { machineVerdicts, budget, gate, now } = context;
  const known = machineVerdicts.get(token, now);
  if (known) return known;

  if (isOpaque(token)) {
    if (!budget.take('machine-token', now)) return signedOut({ code: 'ERR_BACKEND_BUDGET', call: 'machine-token' });
  } else if (gate && !(await gate.admits([token], now))) {
    return signedOut({ code: 'ERR_UNKNOWN_KID' });
  }

  let verdict: Extract<AuthState, { kind: 'machine' } | { kind: 'signed-out' }>;
  try {
    const state = await context.client.authenticateRequest(new Request(context.publicHref, { method: request.method, headers: { authorization: `Bearer ${token}` } }), {
      acceptsToken: tokenKind,
    });
    const auth = state.status === 'signed-in' ? state.toAuth() : null;
    if (auth && auth.tokenType === tokenKind && typeof auth.id === 'string' && typeof auth.subject === 'string') {
      const scopes = 'scopes' in auth && Array.isArray(auth.scopes) ? auth.scopes.filter((s): s is string => typeof s === 'string') : [];
      const clientId = 'clientId' in auth && typeof auth.clientId === 'string' ? auth.clientId : undefined;
      verdict = { kind: 'machine', principal: { tokenKind, id: auth.id, subject: auth.subject, scopes, ...(clientId ? { clientId } : {}) }, headers: [] };
    } else {
      
      verdict = signedOut({ code: 'ERR_MACHINE_TOKEN_INVALID', clerkReason: String(state.reason ?? 'not verified') });
    }
  } catch (error) {
    console.error('edge-auth-gateway: machine token verification failed, treating the request as signed out:', error);
    return signedOut({ code: 'ERR_AUTH_UNEXPECTED' });
  }
  machineVerdicts.set(token, verdict, now);
  return verdict;
};
