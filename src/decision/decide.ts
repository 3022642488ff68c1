import { publicAuthReason, type AuthState, type Identity, type MachinePrincipal } from '../auth/result';
import type { CompiledRoute } from '../config/types';

/** What `decide()` needs to know about the request; computed at the edge, no I/O here. */
export interface RequestFacts {
  /** GET/HEAD document or iframe navigation (or `Accept` starting with `text/html`, without Sec-Fetch-Dest). */
  isNavigation: boolean;
  /** The URL to come back to after sign-in: the gateway's own origin, canonical path, query. */
  returnUrl: string;
  /** Absolute sign-in URL. */
  signInUrl: string;
  /** Absolute URL of the task page pending sessions go to (`<sign-in URL>/tasks`). */
  tasksUrl: string;
  /**
   * Development instances: the browser's dev-browser token, which Clerk adds to sign-in and task
   * redirects that leave the gateway's origin, so the Account Portal sees the same client.
   */
  devBrowserToken?: string;
}

export type SessionStatus = 'active' | 'pending' | 'signed-out' | 'machine';

/** Every decision but forward carries `reason`, the public code sent as `X-Auth-Reason`. */
export type Decision =
  | { kind: 'forward'; status: SessionStatus; identity?: Identity; principal?: MachinePrincipal }
  | { kind: 'redirect'; code: 'REDIRECT_SIGN_IN' | 'REDIRECT_SESSION_TASK' | 'REDIRECT_HANDSHAKE'; location: string; reason: string }
  | { kind: 'deny'; code: 'ERR_UNAUTHENTICATED'; reason: string }
  | { kind: 'deny'; code: 'ERR_INSUFFICIENT_SCOPE'; reason: string; missing: readonly string[] }
  | { kind: 'deny'; code: 'ERR_SESSION_PENDING'; tasksUrl: string; reason: string };

function withRedirectUrl(base: string, facts: RequestFacts): string {
  const url = new URL(base);
  url.searchParams.set('redirect_url', facts.returnUrl);
  // As @clerk/backend's createRedirect: only when the target is on another host.
  if (facts.devBrowserToken && url.host !== new URL(facts.returnUrl).host) url.searchParams.set('__clerk_db_jwt', facts.devBrowserToken);
  return url.toString();
}

/**
 * The gateway's whole policy, as a pure function of the request facts, the auth state and the
 * matched rule (`undefined`: public). See the decision table in README.md.
 */
export function decide(facts: RequestFacts, auth: AuthState, rule: CompiledRoute | undefined): Decision {
  if (auth.kind === 'redirect') return { kind: 'redirect', code: 'REDIRECT_HANDSHAKE', location: auth.location, reason: 'handshake' };
  // Only a route that accepts its kind lets a machine token this far (see tokenKindGate).
  if (auth.kind === 'machine') {
    const missing = (rule?.scopes ?? []).filter((scope) => !auth.principal.scopes.includes(scope));
    if (missing.length > 0) return { kind: 'deny', code: 'ERR_INSUFFICIENT_SCOPE', reason: 'insufficient_scope', missing };
    return { kind: 'forward', status: 'machine', principal: auth.principal };
  }

  const treatPendingAsSignedOut = rule?.treatPendingAsSignedOut ?? true;
  const identity = auth.kind === 'signed-in' ? auth.identity : undefined;
  const pendingHeldBack = identity?.status === 'pending' && treatPendingAsSignedOut;

  if (identity && !pendingHeldBack) return { kind: 'forward', status: identity.status, identity };
  if (!rule?.protect) return { kind: 'forward', status: 'signed-out' };

  if (pendingHeldBack) {
    const tasksUrl = withRedirectUrl(facts.tasksUrl, facts);
    const reason = 'session_pending';
    return facts.isNavigation
      ? { kind: 'redirect', code: 'REDIRECT_SESSION_TASK', location: tasksUrl, reason }
      : { kind: 'deny', code: 'ERR_SESSION_PENDING', tasksUrl, reason };
  }
  const reason = auth.kind === 'signed-out' ? publicAuthReason(auth.failure) : 'no_credentials';
  return facts.isNavigation
    ? { kind: 'redirect', code: 'REDIRECT_SIGN_IN', location: withRedirectUrl(facts.signInUrl, facts), reason }
    : { kind: 'deny', code: 'ERR_UNAUTHENTICATED', reason };
}
