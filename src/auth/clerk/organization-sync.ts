import type { OrganizationTarget } from '../../config/types';
import { isNavigation } from '../../request/navigation';
import type { AuthContext } from '../context';
import type { AuthState, Identity } from '../result';
import { authenticateWithClerk } from './authenticate-request';

/** Clerk's test (`handleMaybeOrganizationSyncHandshake`): the URL names another organization than the active one, or the personal account while one is active. */
function mustActivate(target: OrganizationTarget, identity: Identity): boolean {
  if (target.type === 'personal-account') return identity.orgId !== undefined;
  return (target.slug !== undefined && target.slug !== identity.orgSlug) || (target.id !== undefined && target.id !== identity.orgId);
}

/** Clerk handshakes only a GET page load (`isRequestEligibleForHandshake`); for anything else it answers signed in, so it is not asked. */
const handshakeEligible = (request: Request) => request.method === 'GET' && isNavigation(request.method, request.headers);

/**
 * `organizationSyncOptions` for a session cookie the gateway verified without Clerk (the fast path
 * and its cache): when the URL names another organization than the session's active one, Clerk
 * is asked, with the options, and answers its handshake that activates it (or, after three
 * handshakes, the session as it is). Active sessions only, as Clerk (`toAuth()` gives a pending
 * one no user); bearer tokens never (Clerk syncs cookies only). Every other request costs one
 * `undefined` check. What is forwarded is still decided by the rule (`organizationParam`).
 */
export async function withOrganizationSync(state: AuthState, request: Request, token: string, context: AuthContext): Promise<AuthState> {
  const sync = context.organizationSync;
  if (!sync || state.kind !== 'signed-in' || state.identity.status !== 'active') return state;
  const target = sync.target(new URL(context.publicHref).pathname);
  if (!target || !mustActivate(target, state.identity) || !handshakeEligible(request)) return state;
  const outcome = await authenticateWithClerk(request, [token], context);
  if (outcome.kind !== 'signed-in') return outcome;
  const { claims: _claims, ...signedIn } = outcome;
  return signedIn;
}
