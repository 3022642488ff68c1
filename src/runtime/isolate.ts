import { parseSettings } from '../settings/settings';
import type { CompiledConfig } from '../config/types';
import type { Env } from '../env';
import { resolveBindings } from './bindings';
import { buildRuntime, type RuntimeResult } from './runtime';

// Per isolate: one runtime for each routes config and bindings object Cloudflare hands the Worker.
const runtimes = new WeakMap<CompiledConfig, WeakMap<Env, RuntimeResult>>();

/** The runtime for these settings and routes, built on first use and kept for the isolate's life. */
export function getRuntime(env: Env, config: CompiledConfig): RuntimeResult {
  let byEnv = runtimes.get(config);
  if (!byEnv) runtimes.set(config, (byEnv = new WeakMap()));
  let result = byEnv.get(env);
  if (!result) {
    const parsed = parseSettings(env);
    const { bindings, problems: missing } = resolveBindings(env, config);
    result = !parsed.ok ? { ok: false, problems: [...parsed.problems, ...missing] } : missing.length > 0 ? { ok: false, problems: missing } : buildRuntime(parsed.settings, config, { bindings });
    if (!result.ok) console.error(`edge-auth-gateway: not configured, forwarding nothing:\n  - ${result.problems.join('\n  - ')}`);
    byEnv.set(env, result);
  }
  return result;
}
