import type { AuthContext } from '../auth/context';
import type { RequestFacts } from '../request/read';
import type { Runtime } from './runtime';
import type { Site } from './site';

/** What authenticating one request reads: the runtime, the request's site and clock, the kinds of token its route takes (sessions only by default). */
export function authContext(facts: RequestFacts, runtime: Runtime, site: Site | undefined, now: number, accept: AuthContext['accept'] = ['session_token']): AuthContext {
  // Field by field, not `...runtime`: a literal of fixed shape is several µs cheaper per request
  // than copying every field of the runtime, and the compiler refuses a missing one.
  const { settings, client, verifiedTokens, machineVerdicts, machineFlights, refreshFlights, deadline, gate, verifier, budget, organizationSync } = runtime;
  return {
    settings,
    client,
    verifiedTokens,
    machineVerdicts,
    machineFlights,
    refreshFlights,
    deadline,
    gate,
    verifier,
    budget,
    organizationSync,
    site: site ?? runtime.sites.get(facts.url.origin),
    url: facts.url,
    publicHref: facts.publicHref,
    cookies: facts.cookies,
    method: facts.method,
    headers: facts.headers,
    now,
    accept,
  };
}

/** The runtime a plan past the settings needs: `plan()` makes none without one, so its absence is a bug (answered 500). */
export function ready(runtime: Runtime | undefined): Runtime {
  if (!runtime) throw new Error('a plan past the settings without a runtime');
  return runtime;
}
