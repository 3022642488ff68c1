import type { AuthContext } from '../context';
import type { Credentials } from '../credentials';
import { ClerkTimeoutError } from '../limits/clerk-deadline';
import { gateFailure } from '../limits/jwks-gate';
import { isOpaque } from '../machine/token-kind';
import type { MachineVerdict } from '../machine/verdict-cache';
import { signedOut } from '../result';

// @clerk/backend's reasons for "the Backend API did not answer usefully" (down, 5xx, garbage, or
// our secret key refused): nothing is known about the token, so it is not refused as invalid.
const CLERK_COULD_NOT_CHECK = new Set(['unexpected-error', 'secret-key-invalid']);

/**
 * An API key, M2M token or OAuth access token the route accepts, verified by `@clerk/backend`:
 * JWT-format ones with the instance's key, opaque ones by a Backend API call that spends the
 * budget. One call per token at a time: concurrent requests with the same token share its
 * verdict (and its one budget unit). Verdicts are kept briefly, verified and refused alike; a
 * Backend API that could not answer is `ERR_CLERK_UNAVAILABLE`, never kept.
 */
export async function machineToken(request: Request, credentials: Extract<Credentials, { kind: 'machine' }>, context: AuthContext): Promise<MachineVerdict> {
  const { token, tokenKind } = credentials;
  const { machineVerdicts, machineFlights, budget, gate, now } = context;
  const known = machineVerdicts.get(token, now);
  if (known) return known;

  const verify = async (): Promise<MachineVerdict> => {
    const opaque = isOpaque(token);
    if (opaque) {
      // Another isolate of the data center may have asked already (the shared tier): no call, no budget.
      const shared = await machineVerdicts.fromShared(token, now);
      if (shared) return shared;
      if (!budget.take('machine-token', now)) return signedOut({ code: 'ERR_BACKEND_BUDGET', call: 'machine-token' });
    } else if (gate) {
      const admitted = await gate.admits([token], now);
      if (admitted !== 'admitted') return signedOut(gateFailure(admitted));
    }
    const state = await context.client.authenticateRequest(new Request(context.publicHref, { method: request.method, headers: { authorization: `Bearer ${token}` } }), {
      acceptsToken: tokenKind,
    });
    const auth = state.status === 'signed-in' ? state.toAuth() : null;
    let verdict: MachineVerdict;
    if (auth && auth.tokenType === tokenKind && typeof auth.id === 'string' && typeof auth.subject === 'string') {
      const scopes = 'scopes' in auth && Array.isArray(auth.scopes) ? auth.scopes.filter((s): s is string => typeof s === 'string') : [];
      const clientId = 'clientId' in auth && typeof auth.clientId === 'string' ? auth.clientId : undefined;
      verdict = { kind: 'machine', principal: { tokenKind, id: auth.id, subject: auth.subject, scopes, ...(clientId ? { clientId } : {}) }, headers: [] };
    } else if (CLERK_COULD_NOT_CHECK.has(String(state.reason))) {
      console.error(`edge-auth-gateway: the Backend API could not verify a ${tokenKind} (${String(state.reason)}); answering auth_unavailable`);
      return signedOut({ code: 'ERR_CLERK_UNAVAILABLE', call: 'machine-token' });
    } else {
      verdict = signedOut({ code: 'ERR_MACHINE_TOKEN_INVALID', clerkReason: String(state.reason ?? 'not verified') });
    }
    machineVerdicts.set(token, verdict, now);
    if (opaque) await machineVerdicts.share(token, verdict, now);
    return verdict;
  };

  try {
    return (await machineFlights.run(token, now, verify)).value;
  } catch (error) {
    if (error instanceof ClerkTimeoutError) {
      console.error(`edge-auth-gateway: machine token verification: ${error.message}; answering auth_unavailable`);
      return signedOut({ code: 'ERR_CLERK_UNAVAILABLE', call: 'machine-token' });
    }
    console.error('edge-auth-gateway: machine token verification failed, treating the request as signed out:', error);
    return signedOut({ code: 'ERR_AUTH_UNEXPECTED' });
  }
}
