import type { CompiledConfig, CompiledRoute } from '../config/types';
import { withSignInPublic } from '../runtime/sign-in-pages';
import type { GatewaySettings } from '../settings/settings';

/** What `routes list` shows: the rules in order, the rule the gateway adds for the sign-in pages, the default. */
export interface RouteList {
  routes: readonly CompiledRoute[];
  /** The sign-in pages rule `withSignInPublic` adds under `defaultPolicy: 'protect'`. */
  signInPages: CompiledRoute | undefined;
  defaultPolicy: CompiledConfig['defaultPolicy'];
  unauthorizedUrl: string | undefined;
}

export function listRoutes(routes: CompiledConfig, settings: GatewaySettings): RouteList {
  const config = withSignInPublic(routes, settings.signIn);
  return {
    routes: routes.routes,
    signInPages: config.routes.length > routes.routes.length ? config.routes[config.routes.length - 1] : undefined,
    defaultPolicy: routes.defaultPolicy,
    unauthorizedUrl: routes.unauthorizedUrl,
  };
}
