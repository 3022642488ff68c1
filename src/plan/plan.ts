import type { CompiledCors } from '../config/types';
import { JWKS_PATH } from '../proxy/assertion';
import { clerkRedirectUrlAllowed } from '../request/clerk-redirect';
import type { RequestFacts } from '../request/read';
import type { ReasonCode } from '../respond/reasons';
import { matchHost } from '../routing/match';
import { organizationsIn } from '../routing/params';
import { planRoute, type RoutePlan } from '../routing/route-plan';
import type { RoutingWorld } from '../runtime/routing-world';
import type { Site } from '../runtime/site';
import { underProxyPath } from '../settings/multi-domain';

/** The gateway's own endpoints, at exact paths (settings), answered before any rule; the Frontend API proxy serves its path and everything under it. */
export type Endpoint = 'health' | 'jwks' | 'sign-out' | 'forward-auth' | 'frontend-api-proxy';

/** The route part of a plan: the policy that decides, and what `decide()` needs of the match. */
export interface RouteStep {
  /** The canonical path (the one forwarded). */
  path: string;
  /** The rule, or the rules the request's readings meet, combined; `undefined`: public by default. */
  policy: RoutePlan['rule'];
  /** The readings the policy was met on (aliases of the origin's path included). */
  readings: readonly string[];
  /** The methods rules were matched with. */
  methods: readonly string[];
  /** `matchHost(url)`: the host rules were matched with. */
  host: string;
  site: Site;
}

/**
 * What the gateway does with a request, decided before any effect (Pomerium's evaluator input):
 * - `endpoint`: one of its own;
 * - `refuse`: a 4xx/5xx with `code`, before any rule (`problem`: the misconfiguration, for the log and `explain` only);
 * - `preflight`: a CORS preflight answered at the edge from `cors`, never forwarded;
 * - `route`: authenticate (unless `forwardPreflight`: a preflight forwarded signed out, credentials unread), then decide.
 */
export type Plan =
  | { kind: 'endpoint'; endpoint: Endpoint; site: Site | undefined }
  | { kind: 'refuse'; code: ReasonCode; problem?: string }
  | ({ kind: 'preflight'; cors: CompiledCors } & RouteStep)
  | ({ kind: 'route'; forwardPreflight: boolean; cors: CompiledCors | undefined; organizations: readonly string[] } & RouteStep);

/** A plan that goes on to authenticate and decide. */
export type RouteDecision = Extract<Plan, { kind: 'route' }>;

/** The world a plan is made in: the routing world, or (settings invalid) only the health path. */
export type PlanSetup = { ok: true; world: RoutingWorld } | { ok: false; healthPath: string };

/**
 * The plan for one request. Pure: request facts and settings in, a plan out; the Worker and
 * `explain` both call it, so they cannot disagree. The order is the gateway's: health (answered
 * even when misconfigured), the configuration, the keys, the Frontend API proxy, the host's sign-in pages, the path, sign-out,
 * Clerk's redirect parameter, then the rules.
 */
export function plan(facts: RequestFacts, setup: PlanSetup): Plan {
  const { url } = facts;
  if (!setup.ok) return url.pathname === setup.healthPath ? { kind: 'endpoint', endpoint: 'health', site: undefined } : { kind: 'refuse', code: 'ERR_GATEWAY_MISCONFIGURED' };
  const { settings, config, sites } = setup.world;
  const site = sites.get(url.origin);
  if (url.pathname === settings.healthPath) return { kind: 'endpoint', endpoint: 'health', site };
  if (url.pathname === JWKS_PATH) return { kind: 'endpoint', endpoint: 'jwks', site };
  // Clerk's own requests (sign-in included): never the origin's, never under a rule.
  if (settings.frontendApiProxy && underProxyPath(url.pathname, settings.frontendApiProxy.path)) return { kind: 'endpoint', endpoint: 'frontend-api-proxy', site };
  if (url.pathname === settings.forwardAuth?.path) return { kind: 'endpoint', endpoint: 'forward-auth', site };
  if (site.signInLoopProblem) return { kind: 'refuse', code: 'ERR_GATEWAY_MISCONFIGURED', problem: site.signInLoopProblem };
  if (!facts.path.ok) return { kind: 'refuse', code: facts.path.code };
  if (url.pathname === settings.signOutPath) return { kind: 'endpoint', endpoint: 'sign-out', site };
  // Clerk's development satellite sync redirects to this parameter: to a foreign origin it is an
  // open redirect carrying the dev-browser token, malformed it makes Clerk throw. Refusing it
  // (instead of answering signed out) keeps a signed-in user from looping through sign-in.
  if (settings.instanceType === 'development' && !clerkRedirectUrlAllowed(url, site.clerk.satelliteDomains)) return { kind: 'refuse', code: 'ERR_CLERK_REDIRECT_URL' };

  const host = matchHost(url);
  const route = planRoute(config, { facts, host, aliases: { path: facts.path.path, originBase: settings.originBase } });
  const path = facts.path.path;
  const { rule: policy, readings, methods } = route;
  if (route.kind === 'preflight-answer') return { kind: 'preflight', cors: route.cors, path, policy, readings, methods, host, site };
  // Field by field, not a spread of the step: a generic copy on every request.
  const cors = route.kind === 'decide' ? route.cors : undefined;
  return { kind: 'route', forwardPreflight: route.kind === 'preflight-forward', cors, organizations: organizationsIn(policy, readings), path, policy, readings, methods, host, site };
}
