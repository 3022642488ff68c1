import type { GatewaySettings } from '../config/settings';
import type { CompiledConfig } from '../config/types';
import { canonicalizePath } from '../routing/canonicalize';
import { matchRoute } from '../routing/match';
import { pathReadings } from '../routing/readings';

/**
 * The problem when a route protects the sign-in page or its task pages: wherever the gateway
 * serves them, a pending user would loop between the task page and the gateway. `undefined`
 * when the sign-in paths are public.
 */
export function signInLoopProblem(config: CompiledConfig, signIn: GatewaySettings['signIn']): string | undefined {
  const { path } = signIn;
  const base = path === '/' ? '' : path;
  const shown = `${signIn.origin ?? ''}${path}`;
  for (const candidate of [path, `${base}/`, `${base}/tasks`, `${base}/tasks/choose-organization`, `${base}/factor-one`]) {
    const canonical = canonicalizePath(candidate);
    const route = canonical.ok ? matchRoute(config, pathReadings(canonical.path)) : undefined;
    if (route?.protect) {
      return (
        `CLERK_SIGN_IN_URL ${shown}: its path ${candidate} is protected by route #${route.index + 1} (${route.name}); ` +
        `pending sessions would loop. Put { match: '${base}(.*)', protect: false } before that route.`
      );
    }
  }
  return undefined;
}
