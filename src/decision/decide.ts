import { publicAuthReason, type AuthState, type Identity, type MachinePrincipal } from '../auth/result';
import type { ReverificationConfig } from '../config/types';
import { pendingHeldBack as heldBack } from '../policy/pending';
import type { Policy } from '../policy/policy';
import { CLERK_QUERY, CLERK_SYNC_NEEDED } from '../request/clerk-cookies';
import { unmetCondition, type ConditionFailure } from './conditions';

import type { Client } from '../request/navigation';

/** What `decide()` needs to know about the request; computed at the edge, no I/O here. */
export interface DecisionFacts {
  client: Client;
  /**
   * A CORS preflight the plan forwards (`forwardPreflightsUnauthenticated`); a preflight the
   * gateway answers never gets here, and one where neither applies is decided as an `OPTIONS`.
   */
  preflight: boolean;
  /** The gateway's origin this request arrived on (`https://app.example.com`), for relative URLs. */
  origin: string;
  /**
   * The URL to come back to after sign-in: for a page, the gateway's own origin, canonical path and
   * query; for a form or htmx request, the page it came from (same-origin `Referer` or
   * `HX-Current-URL`), else the site's root.
   */
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
  /**
   * A satellite's request: a sign-in or task page on another host (the primary's) gets a return
   * URL that asks for a sync (`__clerk_synced=false`), as `@clerk/backend`'s `createRedirect` does,
   * or the satellite, still without cookies, would send the signed-in user back there again.
   */
  satellite?: boolean;
  /** The value of each `organizationParam` of the policy's rules in each reading of the path its rule matched. */
  organizations: readonly string[];
}

export type SessionStatus = 'active' | 'pending' | 'signed-out' | 'machine';

/** Every decision but forward carries `reason`, the public code sent as `X-Auth-Reason`. */
export type Decision =
  | { kind: 'forward'; status: SessionStatus; identity?: Identity; principal?: MachinePrincipal }
  | {
      kind: 'redirect';
      code: 'REDIRECT_SIGN_IN' | 'REDIRECT_SESSION_TASK' | 'REDIRECT_HANDSHAKE' | 'REDIRECT_UNAUTHORIZED';
      /** 307 keeps a page load's method; 303 turns a form submission into a GET of the target. */
      status: 303 | 307;
      location: string;
      reason: string;
    }
  /** `hxRedirect`: for htmx, where the page should go (sent as `HX-Redirect`). */
  | { kind: 'deny'; code: 'ERR_UNAUTHENTICATED'; reason: string; signInUrl: string; hxRedirect?: string }
  | { kind: 'deny'; code: 'ERR_INSUFFICIENT_SCOPE'; reason: string; missing: readonly string[] }
  | { kind: 'deny'; code: 'ERR_SESSION_PENDING'; tasksUrl: string; reason: string; hxRedirect?: string }
  /** Clerk could not be asked in time: 503 with `Retry-After`, never a sign-in page for a user who may be signed in. */
  | { kind: 'deny'; code: 'ERR_CLERK_UNAVAILABLE'; reason: string }
  | { kind: 'deny'; code: ConditionFailure['code']; reason: string; reverification?: ReverificationConfig };

function withRedirectUrl(base: string, facts: DecisionFacts): string {
  const url = new URL(base);
  // As @clerk/backend's createRedirect: the sync request and the dev-browser token only when the target is on another host.
  const elsewhere = (facts.satellite || facts.devBrowserToken) && url.host !== new URL(facts.returnUrl).host;
  url.searchParams.set('redirect_url', elsewhere && facts.satellite ? syncRequested(facts.returnUrl) : facts.returnUrl);
  if (elsewhere && facts.devBrowserToken) url.searchParams.set(CLERK_QUERY.devBrowser, facts.devBrowserToken);
  return url.toString();
}

/** `returnUrl` with `__clerk_synced=false`: back on the satellite, Clerk syncs the session from the primary. */
function syncRequested(returnUrl: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set(CLERK_QUERY.synced, CLERK_SYNC_NEEDED);
  return url.toString();
}

/** Signed out or pending on a protected route: a redirect for browsers, a 401 for the rest. */
function unauthenticated(facts: DecisionFacts, policy: Policy, pending: boolean, reason: string): Decision {
  const target = withRedirectUrl(pending ? facts.tasksUrl : facts.signInUrl, facts);
  const browser = facts.client === 'page' || facts.client === 'form';
  if (browser && policy.onUnauthenticated === 'redirect') {
    // A form re-POSTed to the sign-in page (Clerk's 307) fails there; 303 loads it with GET.
    const status = facts.client === 'form' ? 303 : 307;
    return { kind: 'redirect', code: pending ? 'REDIRECT_SESSION_TASK' : 'REDIRECT_SIGN_IN', status, location: target, reason };
  }
  const hx = facts.client === 'htmx' && policy.onUnauthenticated === 'redirect' ? { hxRedirect: target } : {};
  return pending
    ? { kind: 'deny', code: 'ERR_SESSION_PENDING', tasksUrl: target, reason, ...hx }
    : { kind: 'deny', code: 'ERR_UNAUTHENTICATED', reason, signInUrl: target, ...hx };
}

/** A signed-in session that fails a condition: 403, or for a browser the rule's `unauthorizedUrl`. */
function forbidden(facts: DecisionFacts, policy: Policy, failure: ConditionFailure): Decision {
  if (policy.unauthorizedUrl !== undefined && (facts.client === 'page' || facts.client === 'form')) {
    const location = new URL(policy.unauthorizedUrl, facts.origin).toString();
    return { kind: 'redirect', code: 'REDIRECT_UNAUTHORIZED', status: 303, location, reason: failure.reason };
  }
  return failure.code === 'ERR_REVERIFICATION_REQUIRED'
    ? { kind: 'deny', code: failure.code, reason: failure.reason, reverification: failure.reverification }
    : { kind: 'deny', code: failure.code, reason: failure.reason };
}

/**
 * The gateway's whole policy, as a pure function of the request facts, the auth state and the
 * request's policy (`matchRoute`; `undefined`: public). See the decision table in docs/requests.md.
 */
export function decide(facts: DecisionFacts, auth: AuthState, policy: Policy | undefined): Decision {
  // Browsers send no credentials on a preflight; the gateway never read any (see planRoute).
  if (facts.preflight && policy?.forwardPreflights) return { kind: 'forward', status: 'signed-out' };
  if (auth.kind === 'redirect') return { kind: 'redirect', code: 'REDIRECT_HANDSHAKE', status: 307, location: auth.location, reason: 'handshake' };
  // Only a route that accepts its kind lets a machine token this far (see tokenKindGate).
  if (auth.kind === 'machine') {
    const missing = (policy?.scopes ?? []).filter((scope) => !auth.principal.scopes.includes(scope));
    if (missing.length > 0) return { kind: 'deny', code: 'ERR_INSUFFICIENT_SCOPE', reason: 'insufficient_scope', missing };
    return { kind: 'forward', status: 'machine', principal: auth.principal };
  }

  const identity = auth.kind === 'signed-in' ? auth.identity : undefined;
  const pendingHeldBack = heldBack(policy, identity);

  if (identity && !pendingHeldBack) {
    if (policy?.protect && policy.conditions.length > 0 && auth.kind === 'signed-in') {
      const failure = unmetCondition(policy.conditions, identity, auth.sessionToken, facts.organizations);
      if (failure) return forbidden(facts, policy, failure);
    }
    return { kind: 'forward', status: identity.status, identity };
  }
  if (!policy?.protect) return { kind: 'forward', status: 'signed-out' };
  if (auth.kind === 'signed-out' && auth.failure.code === 'ERR_CLERK_UNAVAILABLE') return { kind: 'deny', code: 'ERR_CLERK_UNAVAILABLE', reason: publicAuthReason(auth.failure) };
  if (pendingHeldBack) return unauthenticated(facts, policy, true, 'session_pending');
  return unauthenticated(facts, policy, false, auth.kind === 'signed-out' ? publicAuthReason(auth.failure) : 'no_credentials');
}
