import type { CompiledConfig, CompiledRoute } from '../config/types';

/** The first rule whose pattern matches the canonical match-path, or `undefined` (public). */
export function matchRoute(config: CompiledConfig, matchPath: string): CompiledRoute | undefined {
  for (const route of config.routes) {
    for (const regexp of route.regexps) {
      if (regexp.test(matchPath)) return route;
    }
  }
  return undefined;
}
