import type { GatewaySettings } from '../settings/settings';
import type { CompiledConfig } from '../config/types';
import { withSignInPublic } from './sign-in-pages';
import { ownPageLoopProblems, signInLoopProblem } from './sign-in-loop';
import { Sites } from './site';

/** What planning a request reads: the settings, the routes as served, each host's sign-in pages. Pure data, no clients. */
export interface RoutingWorld {
  settings: GatewaySettings;
  /** The routes with the sign-in pages rule `withSignInPublic` adds. */
  config: CompiledConfig;
  sites: Sites;
}

export type RoutingWorldResult = { ok: true; world: RoutingWorld } | { ok: false; problems: string[] };

/**
 * The routes as the gateway serves them, or the problem found only by reading the settings and
 * routes together: a sign-in page on the gateway's own host (a path) that a route protects.
 * Shared by the Worker (`buildRuntime`) and `explain`, so both plan from the same world.
 */
export function routingWorld(settings: GatewaySettings, routes: CompiledConfig): RoutingWorldResult {
  const config = withSignInPublic(routes, settings);
  const signInProblem = signInLoopProblem(config, settings.signIn);
  // The sign-in page and the app's own pages alike: a path loops on every host, so it is refused
  // at start; an absolute URL loops only where the gateway serves that URL's host (Sites).
  const problems = [...(signInProblem ? [{ origin: settings.signIn.origin, problem: signInProblem }] : []), ...ownPageLoopProblems(config, settings)];
  const atStart = problems.filter((p) => p.origin === undefined).map((p) => p.problem);
  if (atStart.length > 0) return { ok: false, problems: atStart };
  const onHosts = problems.flatMap((p) => (p.origin === undefined ? [] : [{ origin: p.origin, problem: p.problem }]));
  return { ok: true, world: { settings, config, sites: new Sites(settings, onHosts) } };
}
