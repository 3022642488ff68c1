import { parseSettings } from '../config/settings';
import type { CompiledConfig } from '../config/types';
import type { Env } from '../env';
import { serviceBinding } from '../proxy/origin-target';
import { buildRuntime, type RuntimeResult } from './runtime';

// Per isolate: one runtime for each routes config and bindings object Cloudflare hands the Worker.
const runtimes = new WeakMap<CompiledConfig, WeakMap<Env, RuntimeResult>>();

/** A rule's `origin.binding` that is not a Service Binding of this Worker: named with the fix. */
function missingBindings(env: Env, config: CompiledConfig): string[] {
  return config.routes.flatMap((route) =>
    route.origin?.kind === 'binding' && !serviceBinding(env, route.origin.binding)
      ? [
          `route #${route.index + 1} (${route.name}): origin.binding ${JSON.stringify(route.origin.binding)} is not a Service Binding of this Worker; ` +
            `add [[services]] binding = "${route.origin.binding}" service = "<worker name>" to wrangler.toml`,
        ]
      : [],
  );
}

/** The runtime for these settings and routes, built on first use and kept for the isolate's life. */
export function getRuntime(env: Env, config: CompiledConfig): RuntimeResult {
  let byEnv = runtimes.get(config);
  if (!byEnv) runtimes.set(config, (byEnv = new WeakMap()));
  let result = byEnv.get(env);
  if (!result) {
    const parsed = parseSettings(env);
    const missing = missingBindings(env, config);
    result = !parsed.ok ? { ok: false, problems: [...parsed.problems, ...missing] } : missing.length > 0 ? { ok: false, problems: missing } : buildRuntime(parsed.settings, config);
    if (!result.ok) console.error(`edge-auth-gateway: not configured, forwarding nothing:\n  - ${result.problems.join('\n  - ')}`);
    byEnv.set(env, result);
  }
  return result;
}
