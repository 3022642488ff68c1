import type { BrowserHeaders } from '../auth/result';
import type { Decision } from '../decision/decide';
import { redirect, refuse, type RefuseOptions } from './respond';

/** A decision the gateway answers itself: anything but forward. */
export type Answered = Exclude<Decision, { kind: 'forward' }>;

/**
 * The answer to a decision the gateway makes itself (Pomerium's `handleResult`): a redirect, or a
 * refusal with what it says besides its code. Clerk's headers for the browser (`Set-Cookie`) go
 * on either.
 */
export function respondTo(decision: Answered, headers: BrowserHeaders, page: { html: boolean; requestId: string }): Response {
  if (decision.kind === 'redirect') return redirect(decision.location, decision.reason, headers, decision.status);
  return refuse(decision.code, { ...denialOptions(decision), headers, authReason: decision.reason, ...page });
}

/** What a denial says besides its code: where to sign in or finish the task, which scopes are missing. */
function denialOptions(decision: Extract<Decision, { kind: 'deny' }>): RefuseOptions {
  switch (decision.code) {
    case 'ERR_SESSION_PENDING':
      return { details: { tasks_url: decision.tasksUrl }, link: { href: decision.tasksUrl, text: 'Continue' }, ...hx(decision.hxRedirect) };
    case 'ERR_UNAUTHENTICATED':
      return { link: { href: decision.signInUrl, text: 'Sign in' }, ...hx(decision.hxRedirect) };
    case 'ERR_INSUFFICIENT_SCOPE':
      return { details: { missing_scopes: decision.missing } };
    case 'ERR_REVERIFICATION_REQUIRED':
      return decision.reverification ? { reverification: decision.reverification } : {};
    case 'ERR_FORBIDDEN':
    case 'ERR_ORGANIZATION_MISMATCH':
    case 'ERR_CLERK_UNAVAILABLE':
      return {};
  }
}

function hx(location: string | undefined): RefuseOptions {
  return location ? { hxRedirect: location } : {};
}
