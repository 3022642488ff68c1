import type { CompiledConfig, CompiledRoute } from '../config/types';
import { withSignInPublic } from '../runtime/sign-in-pages';
import type { GatewaySettings } from '../settings/settings';

/** What `routes list` shows: the rules in order, the rule the gateway adds for the sign-in pages, the default. */
export interface RouteList {
  routes: readonly CompiledRoute[];
  /** The sign-in (and own sign-up and task) pages rules `withSignInPublic` adds under `defaultPolicy: 'protect'`, one per host. */
  signInPages: readonly CompiledRoute[];
  defaultPolicy: CompiledConfig['defaultPolicy'];
  unauthorizedUrl: string | undefined;
}

export function listRoutes(routes: CompiledConfig, settings: GatewaySettings): RouteList {
  const config = withSignInPublic(routes, settings);
  return {
    routes: routes.routes,
    signInPages: config.routes.slice(routes.routes.length),
    defaultPolicy: routes.defaultPolicy,
    unauthorizedUrl: routes.unauthorizedUrl,
  };
}
