import type { RequestFacts } from '../request/read';
import type { DecisionFacts } from './decide';

/** What the plan tells the decision besides the policy: the host's sign-in pages, the organizations named, a forwarded preflight. */
export interface PlannedFacts {
  site: { signInUrl: string; tasksUrl: string; clerk: { satellite: boolean } };
  organizations: readonly string[];
  forwardPreflight: boolean;
}

/** The decision's facts; the dev-browser token only where Clerk uses it (development instances). */
export function decisionFacts(facts: RequestFacts, planned: PlannedFacts, development: boolean): DecisionFacts {
  return {
    client: facts.client,
    preflight: planned.forwardPreflight,
    origin: facts.url.origin,
    returnUrl: facts.returnUrl,
    signInUrl: planned.site.signInUrl,
    tasksUrl: planned.site.tasksUrl,
    organizations: planned.organizations,
    // Every field always present (undefined or false when it does not apply): one shape for every request.
    devBrowserToken: development ? facts.devBrowserToken : undefined,
    satellite: planned.site.clerk.satellite,
  };
}
