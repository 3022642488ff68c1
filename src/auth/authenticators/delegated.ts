import { authenticateWithClerk } from '../clerk/authenticate-request';
import type { ClerkOutcome } from '../clerk/outcome';
import type { AuthContext } from '../context';
import type { Credentials } from '../credentials';
import { gateFailure } from '../limits/jwks-gate';
import { signedOut } from '../result';

/**
 * What only `@clerk/backend` can decide: handshakes and their nonces, refresh and suffixed
 * cookies, development instances, cross-site navigations. The gateway only bounds what it costs:
 * a nonce spends the Backend API budget, and every JWT must name a known `kid`.
 */
export async function delegated(request: Request, credentials: Extract<Credentials, { kind: 'delegated' }>, context: AuthContext): Promise<ClerkOutcome> {
  const { budget, gate, now } = context;
  if (credentials.nonce && !budget.take('handshake-nonce', now)) return signedOut({ code: 'ERR_BACKEND_BUDGET', call: 'handshake-nonce' });
  const admitted = gate ? await gate.admits(credentials.tokens, now) : 'admitted';
  if (admitted !== 'admitted') return signedOut(gateFailure(admitted));
  // A signed-in outcome also carries its claims; nothing here caches them.
  return authenticateWithClerk(request, credentials.tokens, context);
}
