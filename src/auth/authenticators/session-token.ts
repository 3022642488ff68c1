import type { Authenticator } from '../authenticate';
import { NOT_RESPONSIBLE } from '../authenticate';
import { authenticateWithClerk } from '../clerk/authenticate-request';
import { signedOut } from '../result';

/**
 * One session token on the plain path (`Authorization: Bearer`, or `__session` with
 * `__client_uat`). A token seen before is answered from the cache (time claims, `azp` and
 * `__client_uat` re-checked); a new one must name a known `kid` and carry a valid signature
 * before `@clerk/backend` checks its claims, and is then cached.
 */
export const sessionToken: Authenticator = async (request, credentials, context) => {
  if (credentials.kind !== 'bearer' && credentials.kind !== 'cookie') return NOT_RESPONSIBLE;
  const { token } = credentials;
  const { verifiedTokens, site, now } = context;
  const hit = verifiedTokens.get(token, now, site.authorizedParties);
  // A __client_uat newer than the token means the client signed in or out since: Clerk handshakes.
  if (hit && (credentials.kind === 'bearer' || credentials.clientUat <= hit.iat)) {
    return { kind: 'signed-in', identity: hit.identity, sessionToken: token, headers: [] };
  }
  if (context.gate && !(await context.gate.admits([token], now))) return signedOut({ code: 'ERR_UNKNOWN_KID' });
  if (!(await context.verifier.verify(token))) return signedOut({ code: 'ERR_TOKEN_SIGNATURE' });

  const outcome = await authenticateWithClerk(request, [token], context);
  if (outcome.kind !== 'signed-in') return outcome;
  const { claims, ...state } = outcome;
  // Only a token verified as it is, with nothing for the browser (no refresh), is worth keeping.
  if (claims && state.headers.length === 0 && state.sessionToken === token) verifiedTokens.set(token, { identity: state.identity, ...claims });
  return state;
};
