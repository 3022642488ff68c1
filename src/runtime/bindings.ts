import type { CompiledConfig } from '../config/types';
import type { ServiceBindings } from '../proxy/origin-target';

/** A Service Binding as the Worker's env holds it; anything else under that name is not one. */
export function serviceBinding(env: object, name: string): Fetcher | undefined {
  const value = (env as Record<string, unknown>)[name];
  return value !== null && typeof value === 'object' && typeof (value as Fetcher).fetch === 'function' ? (value as Fetcher) : undefined;
}

/**
 * Every rule's `origin.binding`, looked up in the Worker's env once, when the runtime is built:
 * requests then reach their origin through the map, never through `env`. A name that is not a
 * Service Binding of this Worker is a startup problem, named with the fix.
 */
export function resolveBindings(env: object, config: CompiledConfig): { bindings: ServiceBindings; problems: string[] } {
  const bindings = new Map<string, Fetcher>();
  const problems: string[] = [];
  for (const route of config.routes) {
    if (route.origin?.kind !== 'binding') continue;
    const binding = serviceBinding(env, route.origin.binding);
    if (binding) bindings.set(route.origin.binding, binding);
    else {
      problems.push(
        `route #${route.index + 1} (${route.name}): origin.binding ${JSON.stringify(route.origin.binding)} is not a Service Binding of this Worker; ` +
          `add [[services]] binding = "${route.origin.binding}" service = "<worker name>" to wrangler.toml`,
      );
    }
  }
  return { bindings, problems };
}
