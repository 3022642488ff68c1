import type { GatewaySettings } from '../settings/settings';
import type { CompiledConfig, CompiledRoute } from '../config/types';
import { canonicalizePath } from '../request/canonicalize';
import { matchRoute } from '../routing/match';
import { pathReadings } from '../request/readings';

/** The sign-in page's host, or when it is on whichever host the gateway serves, every host a rule names and one none does. */
function hostsToTry(config: CompiledConfig, signIn: GatewaySettings['signIn']): string[] {
  if (signIn.origin) return [new URL(signIn.origin).hostname];
  const named = config.routes.flatMap((route) => (route.hosts ?? []).map((host) => host.replace(/^\*\./, 'sub.')));
  return [...new Set(named), 'gateway.invalid'];
}

/**
 * The problem when a route protects the sign-in page or its task pages: wherever the gateway
 * serves them, a pending user would loop between the task page and the gateway. `undefined`
 * when the sign-in paths are public.
 */
export function signInLoopProblem(config: CompiledConfig, signIn: GatewaySettings['signIn']): string | undefined {
  const { path } = signIn;
  const base = path === '/' ? '' : path;
  const shown = `${signIn.origin ?? ''}${path}`;
  // At "/", sub-pages such as /factor-one are the site's own paths: only "/" and the task pages are checked.
  const pages = base ? [path, `${base}/`, `${base}/tasks`, `${base}/tasks/choose-organization`, `${base}/factor-one`] : ['/', '/tasks', '/tasks/choose-organization'];
  for (const candidate of pages) {
    const canonical = canonicalizePath(candidate);
    const route = canonical.ok ? hostsToTry(config, signIn).map((host) => matchRoute(config, pathReadings(canonical.path), { methods: ['GET'], host })).find((r) => r?.protect) : undefined;
    if (route?.protect) {
      // The first of the rules the policy stands for names it: the one the request is sent by, if protected.
      const { index } = route.rules[0] as CompiledRoute;
      const where = index === -1 ? `defaultPolicy 'protect'` : `route #${index + 1} (${route.name})`;
      return (
        `CLERK_SIGN_IN_URL ${shown}: its path ${candidate} is protected by ${where}; ` +
        `pending sessions would loop. Put { match: '${base}(.*)', protect: false } before that route.`
      );
    }
  }
  return undefined;
}
