import type { Authenticator } from '../authenticate';
import { NOT_RESPONSIBLE } from '../authenticate';
import { signedOut } from '../result';

/** Nothing to verify, or nothing that can be verified unambiguously: signed out, no Clerk. */
export const withoutSession: Authenticator = (_request, credentials) => {
  switch (credentials.kind) {
    case 'none':
      return signedOut({ code: 'ERR_NO_CREDENTIALS' });
    case 'ambiguous':
      return signedOut({ code: 'ERR_AMBIGUOUS_SESSION_COOKIE' });
    default:
      return NOT_RESPONSIBLE;
  }
};
