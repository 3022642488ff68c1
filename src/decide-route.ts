import { authenticate } from './auth/authenticate';
import { signedOut, type AuthState } from './auth/result';
import { decide, type Decision } from './decision/decide';
import { decisionFacts } from './decision/facts';
import type { RouteDecision } from './plan/plan';
import type { RequestFacts } from './request/read';
import { authContext } from './runtime/auth-context';
import type { Runtime } from './runtime/runtime';

/**
 * authenticate → decide, for a request a rule (or the default) decides: the one way both the
 * gateway (`handleRequest`) and its forward-auth endpoint (src/forward-auth/) come to a decision,
 * so they cannot disagree. `now`: the request's time (ms since the epoch).
 */
export async function decideRoute(request: Request, facts: RequestFacts, step: RouteDecision, runtime: Runtime, now: number): Promise<{ auth: AuthState; decision: Decision }> {
  // A preflight the rule forwards carries no credentials, and none are read.
  const auth = step.forwardPreflight ? signedOut({ code: 'ERR_NO_CREDENTIALS' }) : await authenticate(request, authContext(facts, runtime, step.site, now, step.policy?.accept));
  return { auth, decision: decide(decisionFacts(facts, step, runtime.settings.instanceType === 'development'), auth, step.policy) };
}
