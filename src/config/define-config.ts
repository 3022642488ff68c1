import type { CompiledConfig, GatewayConfig } from './types';
import { validateConfig } from './validate';

/** Thrown at startup for an invalid `routes.config.ts`; the message lists every problem. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid routes.config.ts:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Declares the gateway's routes. Validates and compiles them once, when the Worker starts:
 * an invalid config throws a `ConfigError` naming each route and field, and the Worker
 * never serves a request with it.
 */
export function defineConfig(config: GatewayConfig): CompiledConfig {
  const result = validateConfig(config);
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}
