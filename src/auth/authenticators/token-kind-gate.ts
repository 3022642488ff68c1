import type { TokenKind } from '../../config/types';
import type { Credentials } from '../credentials';
import { signedOut, type AuthState } from '../result';

/**
 * A kind of token the route does not take is signed out before anything verifies it, so a
 * made-up API key on a session-only route never reaches Clerk: a machine token where the route
 * accepts no such kind, or a session where it accepts machine tokens only. `undefined` when the
 * route takes the kind (or there is no token to judge).
 */
export function tokenKindRefusal(credentials: Credentials, accept: readonly TokenKind[]): AuthState | undefined {
  if (credentials.kind === 'machine') {
    return accept.includes(credentials.tokenKind) ? undefined : signedOut({ code: 'ERR_TOKEN_KIND_NOT_ACCEPTED', tokenKind: credentials.tokenKind });
  }
  if (credentials.kind === 'none' || credentials.kind === 'ambiguous' || accept.includes('session_token')) return undefined;
  return signedOut({ code: 'ERR_TOKEN_KIND_NOT_ACCEPTED', tokenKind: 'session_token' });
}
