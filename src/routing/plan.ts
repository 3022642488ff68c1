import type { CompiledConfig, CompiledCors } from '../config/types';
import type { Policy } from '../policy/policy';
import { isPreflight } from '../request/navigation';
import { corsPolicy } from '../respond/cors';
import { matchRoute } from './match';
import { methodReadings, preflightMethod } from './methods';
import { decideOnOriginPath } from './origin-paths';
import { widenUnlisted } from './widen-methods';

/** The request facts matching needs, read once by the pipeline (and made up by `routes explain`). */
export interface PlanInput {
  /** As sent (any case). */
  method: string;
  headers: Headers;
  search: URLSearchParams;
  /** `matchHost(url)`. */
  host: string;
  /** `pathReadings(canonical path)`. */
  readings: readonly string[];
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
export type RequestPlan = (
  | { kind: 'decide'; rule: Policy | undefined; methods: readonly string[]; preflight: boolean; cors: CompiledCors | undefined }
  | { kind: 'preflight-answer'; rule: Policy | undefined; methods: readonly string[]; asked: string; cors: CompiledCors }
  | { kind: 'preflight-forward'; rule: Policy | undefined; methods: readonly string[]; asked: string }
) & {
  /** The readings the rule was met on: the path's, plus those of every path that reaches the same origin path (aliases). */
  readings: readonly string[];
};

type RoutePlan = RequestPlan extends infer P ? (P extends unknown ? Omit<P, 'readings'> : never) : never;

/** The methods an origin may read the request as, widened (see `methodReadings`, `widenUnlisted`). */
export function methodsToMatch(config: CompiledConfig, input: PlanInput, method = input.method.toUpperCase()): readonly string[] {
  // Only rules with `methods` read them; the query is not parsed for nothing.
  if (!config.methodsUsed) return [method];
  const own = method === input.method.toUpperCase() ? methodReadings(input.method, input.headers, input.search) : [method];
  return widenUnlisted(config, input.readings, own, input.host);
}

/**
 * The plan for one request: which rule decides it, and what happens to a CORS preflight. A
 * preflight is matched as the request it announces (its asked method): where that rule has
 * CORS (its own `cors`, else the config's), the gateway answers; where it and every rule the
 * `OPTIONS` itself meets forward preflights, they are forwarded; otherwise the request is decided as the `OPTIONS` it is, with the asked
 * method as one more reading, so dressing a request as a preflight never skips a rule.
 */
export function planRequest(config: CompiledConfig, input: PlanInput): RequestPlan {
  const plan = planRoute(config, input);
  // A preflight answered at the edge reaches no origin; otherwise an alias is one more reading.
  if (plan.kind === 'preflight-answer' || !input.aliases) return { ...plan, readings: input.readings };
  const target = { method: input.method.toUpperCase(), methods: plan.methods, host: input.host };
  const routed = decideOnOriginPath(config, input.aliases.originBase, plan.rule, input.aliases.path, input.readings, target);
  return { ...plan, rule: routed.rule, readings: routed.readings };
}

function planRoute(config: CompiledConfig, input: PlanInput): RoutePlan {
  const own = input.method.toUpperCase();
  const methods = methodsToMatch(config, input);
  const preflight = isPreflight(input.method, input.headers);
  if (preflight) {
    const asked = preflightMethod(input.headers);
    const askedMethods = config.methodsUsed ? widenUnlisted(config, input.readings, [asked], input.host) : [asked];
    const forAsked = matchRoute(config, input.readings, { method: asked, methods: askedMethods, host: input.host });
    // What the origin runs is the OPTIONS it receives: the rules it meets as one decide it.
    const both = config.methodsUsed ? [...new Set([...methods, ...askedMethods])] : methods;
    const asOptions = matchRoute(config, input.readings, { method: own, methods: both.includes('*') ? ['*'] : both, host: input.host });
    // The opt-in counts only where every rule the OPTIONS meets opts in (combineRules), so a rule for
    // POST that forwards preflights cannot open the OPTIONS of a path another rule keeps for admins.
    if (forAsked?.forwardPreflights && asOptions?.forwardPreflights) return { kind: 'preflight-forward', rule: asOptions, methods: both, asked };
    const cors = corsPolicy(config, forAsked);
    if (cors) return { kind: 'preflight-answer', rule: forAsked, methods: askedMethods, asked, cors };
    return { kind: 'decide', rule: asOptions, methods: both, preflight, cors: undefined };
  }
  const rule = matchRoute(config, input.readings, { method: own, methods, host: input.host });
  return { kind: 'decide', rule, methods, preflight, cors: corsPolicy(config, rule) };
}
