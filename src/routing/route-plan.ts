import type { CompiledConfig, CompiledCors } from '../config/types';
import type { Policy } from '../policy/policy';
import type { RequestFacts } from '../request/read';
import { corsPolicy } from '../respond/cors';
import { matchRoute } from './match';
import { preflightMethod } from '../request/methods';
import { decideOnOriginPath } from './origin-paths';
import { widenUnlisted } from './widen-methods';

/** What matching reads: the request's facts, the host rules see, and what makes an origin path an alias. */
export interface RouteInput {
  facts: Pick<RequestFacts, 'method' | 'headers' | 'readings' | 'methods' | 'preflight'>;
  /** `matchHost(url)`. */
  host: string;
  /**
   * The canonical path and `ORIGIN_URL`'s base: with both, the path the rule's origin will route
   * (after `stripPrefix` and its base path) is one more reading (`decideOnOriginPath`).
   */
  aliases?: { path: string; originBase: string };
}

/**
 * What the gateway does with a request before authenticating it:
 * - `decide`: authenticate, then `decide()` with `rule`;
 * - `preflight-answer`: a CORS preflight where `cors` applies, answered at the edge, never forwarded;
 * - `preflight-forward`: a CORS preflight on a rule with `forwardPreflightsUnauthenticated`,
 *   forwarded signed out without reading credentials (the documented, risky opt-in).
 */
export type RoutePlan = (
  | { kind: 'decide'; rule: Policy | undefined; methods: readonly string[]; preflight: boolean; cors: CompiledCors | undefined }
  | { kind: 'preflight-answer'; rule: Policy | undefined; methods: readonly string[]; asked: string; cors: CompiledCors }
  | { kind: 'preflight-forward'; rule: Policy | undefined; methods: readonly string[]; asked: string }
) & {
  /** The readings the rule was met on: the path's, plus those of every path that reaches the same origin path (aliases). */
  readings: readonly string[];
};

type MatchedPlan = RoutePlan extends infer P ? (P extends unknown ? Omit<P, 'readings'> : never) : never;

/** The methods an origin may read the request as, widened (see `methodReadings`, `widenUnlisted`). */
function methodsToMatch(config: CompiledConfig, input: RouteInput): readonly string[] {
  // Only rules with `methods` read them.
  if (!config.methodsUsed) return [input.facts.method.toUpperCase()];
  return widenUnlisted(config, input.facts.readings, input.facts.methods, input.host);
}

/**
 * The plan for one request: which rule decides it, and what happens to a CORS preflight. A
 * preflight is matched as the request it announces (its asked method): where that rule has
 * CORS (its own `cors`, else the config's), the gateway answers; where it and every rule the
 * `OPTIONS` itself meets forward preflights, they are forwarded; otherwise the request is decided as the `OPTIONS` it is, with the asked
 * method as one more reading, so dressing a request as a preflight never skips a rule.
 */
export function planRoute(config: CompiledConfig, input: RouteInput): RoutePlan {
  const plan = matchPlan(config, input);
  const { readings } = input.facts;
  // A preflight answered at the edge reaches no origin; otherwise an alias is one more reading.
  if (plan.kind === 'preflight-answer' || !input.aliases) return { ...plan, readings };
  const target = { method: input.facts.method.toUpperCase(), methods: plan.methods, host: input.host };
  const routed = decideOnOriginPath(config, input.aliases.originBase, plan.rule, input.aliases.path, readings, target);
  // The plan of nearly every request field by field: a spread is a generic copy.
  if (plan.kind === 'decide') return { kind: 'decide', rule: routed.rule, methods: plan.methods, preflight: plan.preflight, cors: plan.cors, readings: routed.readings };
  return { ...plan, rule: routed.rule, readings: routed.readings };
}

function matchPlan(config: CompiledConfig, input: RouteInput): MatchedPlan {
  const { facts, host } = input;
  const own = facts.method.toUpperCase();
  const methods = methodsToMatch(config, input);
  const { preflight, readings } = facts;
  if (preflight) {
    const asked = preflightMethod(facts.headers);
    const askedMethods = config.methodsUsed ? widenUnlisted(config, readings, [asked], host) : [asked];
    const forAsked = matchRoute(config, readings, { method: asked, methods: askedMethods, host });
    // What the origin runs is the OPTIONS it receives: the rules it meets as one decide it.
    const both = config.methodsUsed ? [...new Set([...methods, ...askedMethods])] : methods;
    const asOptions = matchRoute(config, readings, { method: own, methods: both.includes('*') ? ['*'] : both, host });
    // The opt-in counts only where every rule the OPTIONS meets opts in (combineRules), so a rule for
    // POST that forwards preflights cannot open the OPTIONS of a path another rule keeps for admins.
    if (forAsked?.forwardPreflights && asOptions?.forwardPreflights) return { kind: 'preflight-forward', rule: asOptions, methods: both, asked };
    const cors = corsPolicy(config, forAsked);
    if (cors) return { kind: 'preflight-answer', rule: forAsked, methods: askedMethods, asked, cors };
    return { kind: 'decide', rule: asOptions, methods: both, preflight, cors: undefined };
  }
  const rule = matchRoute(config, readings, { method: own, methods, host });
  return { kind: 'decide', rule, methods, preflight, cors: corsPolicy(config, rule) };
}
