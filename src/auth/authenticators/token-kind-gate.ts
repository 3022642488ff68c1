import type { Authenticator } from '../authenticate';
import { NOT_RESPONSIBLE } from '../authenticate';
import { signedOut } from '../result';

/**
 * A kind of token the route does not take is signed out before anything verifies it, so a
 * made-up API key on a session-only route never reaches Clerk: a machine token where the route
 * accepts no such kind, or a session where it accepts machine tokens only.
 */
export const tokenKindGate: Authenticator = (_request, credentials, { accept }) => {
  if (credentials.kind === 'machine') {
    return accept.includes(credentials.tokenKind) ? NOT_RESPONSIBLE : signedOut({ code: 'ERR_TOKEN_KIND_NOT_ACCEPTED', tokenKind: credentials.tokenKind });
  }
  if (credentials.kind === 'none' || credentials.kind === 'ambiguous' || accept.includes('session_token')) return NOT_RESPONSIBLE;
  return signedOut({ code: 'ERR_TOKEN_KIND_NOT_ACCEPTED', tokenKind: 'session_token' });
};
