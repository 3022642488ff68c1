import { authenticateWithClerk } from '../clerk/authenticate-request';
import type { AuthContext } from '../context';
import type { Credentials } from '../credentials';
import { gateFailure } from '../limits/jwks-gate';
import { signedOut, type AuthState } from '../result';
import { acceptSessionClaims, checkSessionClaims, readSessionClaims } from '../session/session-claims';
import { keptClaims } from '../session/token-cache';
import { issuedBeforeClient } from '../time-claims';

// @clerk/backend's reason when a cookie's token is older than `__client_uat` (checked before the token's own claims).
const OLDER_THAN_CLIENT = 'session-token-iat-before-client-uat';

/**
 * One session token on the plain path (`Authorization: Bearer`, or `__session` with
 * `__client_uat`). A token seen before is answered from the cache (time claims, `azp` and
 * `__client_uat` re-checked). A new one must name a known `kid` and carry a valid signature; its
 * claims are then checked as `@clerk/backend` checks them, with the key imported once, and a
 * token Clerk would sign in is signed in and cached without asking Clerk. Anything else (expired,
 * wrong `azp`, older than `__client_uat`…) goes to `@clerk/backend`, the authority for refusals,
 * handshakes and refreshes.
 */
export async function sessionToken(request: Request, credentials: Extract<Credentials, { kind: 'bearer' | 'cookie' }>, context: AuthContext): Promise<AuthState> {
  const { token } = credentials;
  const { verifiedTokens, site, now } = context;
  const hit = verifiedTokens.get(token, now, site.authorizedParties);
  // A __client_uat newer than the token means the client signed in or out since: Clerk handshakes.
  if (hit && (credentials.kind === 'bearer' || !issuedBeforeClient(hit.iat, credentials.clientUat))) {
    return { kind: 'signed-in', identity: hit.identity, sessionToken: token, headers: [], refreshed: false };
  }
  const admitted = context.gate ? await context.gate.admits([token], now) : 'admitted';
  if (admitted !== 'admitted') return signedOut(gateFailure(admitted));
  const signed = await context.verifier.verified(token, credentials.kind === 'bearer' ? credentials.json : undefined);
  if (!signed) return signedOut({ code: 'ERR_TOKEN_SIGNATURE' });

  const claimsOptions = {
    issuer: site.clerk.tokenIssuer,
    authorizedParties: site.authorizedParties,
    nowMs: now,
    clientUat: credentials.kind === 'cookie' ? credentials.clientUat : undefined,
  };
  const read = readSessionClaims(() => acceptSessionClaims(signed.header, signed.payload, claimsOptions));
  if (!read.ok) return signedOut(read.failure);
  const identity = read.value;
  if (identity) {
    // Its claims were accepted, so `exp` is a number and `azp` one of the parties; without a numeric `iat` it is not kept.
    const kept = keptClaims(signed.payload);
    // Field by field: a spread is a generic copy (CopyDataProperties) on every first-seen token.
    if (kept) verifiedTokens.set(token, { identity, exp: kept.exp, nbf: kept.nbf, iat: kept.iat, azp: kept.azp });
    return { kind: 'signed-in', identity, sessionToken: token, headers: [], refreshed: false };
  }

  const outcome = await authenticateWithClerk(request, [token], context);
  if (outcome.kind === 'signed-out' && outcome.failure.code === 'ERR_CLERK_SIGNED_OUT' && outcome.failure.clerkReason.startsWith(OLDER_THAN_CLIENT)) {
    // Clerk's cookie path stops at __client_uat before the token's own checks; an expired token
    // then reads token_invalid where the same token as a bearer reads token_expired. Its signature
    // holds: say what the token fails on by itself, as the bearer path would.
    const verdict = checkSessionClaims(signed.header, signed.payload, { ...claimsOptions, clientUat: undefined });
    if (verdict === 'expired' || verdict === 'not-yet-valid') return { ...outcome, failure: { ...outcome.failure, tokenVerdict: verdict } };
  }
  if (outcome.kind !== 'signed-in') return outcome;
  const { claims, ...state } = outcome;
  // Only a token verified as it is, with nothing for the browser (no refresh), is worth keeping.
  if (claims && state.headers.length === 0 && state.sessionToken === token) verifiedTokens.set(token, { identity: state.identity, ...claims });
  return state;
}
