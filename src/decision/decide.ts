import type { AuthState, Identity } from '../auth/state';
import type { CompiledRoute } from '../config/types';

/** What `decide()` needs to know about the request; computed at the edge, no I/O here. */
export interface RequestFacts {
  /** GET/HEAD document or iframe navigation (or `Accept` starting with `text/html`, without Sec-Fetch-Dest). */
  isNavigation: boolean;
  /** The URL to come back to after sign-in: the gateway's own origin, canonical path, query. */
  returnUrl: string;
  /** Absolute sign-in URL. */
  signInUrl: string;
  /**
   * Development instances: the browser's dev-browser token, which Clerk adds to sign-in and task
   * redirects that leave the gateway's origin, so the Account Portal sees the same client.
   */
  devBrowserToken?: string;
}

export type SessionStatus = 'active' | 'pending' | 'signed-out';

export type Decision =
  | { kind: 'forward'; status: SessionStatus; identity?: Identity }
  | { kind: 'redirect'; code: 'REDIRECT_SIGN_IN' | 'REDIRECT_SESSION_TASK' | 'REDIRECT_HANDSHAKE'; location: string }
  | { kind: 'deny'; code: 'ERR_UNAUTHENTICATED'; }
  | { kind: 'deny'; code: 'ERR_SESSION_PENDING'; tasksUrl: string };

function withRedirectUrl(base: string, facts: RequestFacts): string {
  const url = new URL(base);
  url.searchParams.set('redirect_url', facts.returnUrl);
  // As @clerk/backend's createRedirect: only when the target is on another host.
  if (facts.devBrowserToken && url.host !== new URL(facts.returnUrl).host) url.searchParams.set('__clerk_db_jwt', facts.devBrowserToken);
  return url.toString();
}

/** `<sign-in URL>/tasks?redirect_url=…`: clerk-js routes a pending session to its open task from there. */
export function tasksUrl(facts: RequestFacts): string {
  return withRedirectUrl(`${facts.signInUrl.replace(/\/+$/, '')}/tasks`, facts);
}

/**
 * The gateway's whole policy, as a pure function of the request facts, the auth state and the
 * matched rule (`undefined`: public). See the decision table in README.md.
 */
export function decide(facts: RequestFacts, auth: AuthState, rule: CompiledRoute | undefined): Decision {
  if (auth.kind === 'redirect') return { kind: 'redirect', code: 'REDIRECT_HANDSHAKE', location: auth.location };

  const treatPendingAsSignedOut = rule?.treatPendingAsSignedOut ?? true;
  const identity = auth.kind === 'signed-in' ? auth.identity : undefined;
  const pendingHeldBack = identity?.status === 'pending' && treatPendingAsSignedOut;

  if (identity && !pendingHeldBack) return { kind: 'forward', status: identity.status, identity };
  if (!rule?.protect) return { kind: 'forward', status: 'signed-out' };

  if (pendingHeldBack) {
    return facts.isNavigation
      ? { kind: 'redirect', code: 'REDIRECT_SESSION_TASK', location: tasksUrl(facts) }
      : { kind: 'deny', code: 'ERR_SESSION_PENDING', tasksUrl: tasksUrl(facts) };
  }
  return facts.isNavigation
    ? { kind: 'redirect', code: 'REDIRECT_SIGN_IN', location: withRedirectUrl(facts.signInUrl, facts) }
    : { kind: 'deny', code: 'ERR_UNAUTHENTICATED' };
}

/** Browser navigation, the same test Clerk uses to decide whether a handshake is possible (plus HEAD). */
export function isNavigation(method: string, headers: Headers): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const dest = headers.get('sec-fetch-dest');
  if (dest) return dest === 'document' || dest === 'iframe';
  return (headers.get('accept') ?? '').toLowerCase().startsWith('text/html');
}
