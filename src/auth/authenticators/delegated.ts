import type { Authenticator } from '../authenticate';
import { NOT_RESPONSIBLE } from '../authenticate';
import { authenticateWithClerk } from '../clerk/authenticate-request';
import { signedOut } from '../result';

/**
 * What only `@clerk/backend` can decide: handshakes and their nonces, refresh and suffixed
 * cookies, development instances, cross-site navigations. The gateway only bounds what it costs:
 * a nonce spends the Backend API budget, and every JWT must name a known `kid`.
 */
export const delegated: Authenticator = async (request, credentials, context) => {
  if (credentials.kind !== 'delegated') return NOT_RESPONSIBLE;
  const { budget, gate, now } = context;
  if (credentials.nonce && !budget.take('handshake-nonce', now)) return signedOut({ code: 'ERR_BACKEND_BUDGET', call: 'handshake-nonce' });
  if (gate && !(await gate.admits(credentials.tokens, now))) return signedOut({ code: 'ERR_UNKNOWN_KID' });
  // A signed-in outcome also carries its claims; nothing here caches them.
  return authenticateWithClerk(request, credentials.tokens, context);
};
