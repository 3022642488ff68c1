import type { CompiledConfig, CompiledRoute } from '../config/types';

/** How strict a rule's outcome is: protected over public, pending held back over let through. */
function strictness(route: CompiledRoute | undefined): number {
  if (!route) return 1; // public, pending sessions signed out: the default
  return (route.protect ? 2 : 0) + (route.treatPendingAsSignedOut ? 1 : 0);
}

function firstMatch(config: CompiledConfig, reading: string): CompiledRoute | undefined {
  for (const route of config.routes) {
    for (const regexp of route.regexps) {
      if (regexp.test(reading)) return route;
    }
  }
  return undefined;
}

/**
 * The rule that decides a path: for each reading (see `pathReadings`) the first rule that
 * matches it, and of those the strictest, so a path is protected if any reading of it is.
 * Ties go to the earlier reading. `undefined`: public.
 */
export function matchRoute(config: CompiledConfig, readings: string | readonly string[]): CompiledRoute | undefined {
  if (typeof readings === 'string') return firstMatch(config, readings);
  let chosen: CompiledRoute | undefined;
  let chosenStrictness = -1;
  for (const reading of readings) {
    const route = firstMatch(config, reading);
    const s = strictness(route);
    if (s > chosenStrictness) {
      chosen = route;
      chosenStrictness = s;
      if (s === 3) break;
    }
  }
  return chosen;
}

/** For `LOG_LEVEL=debug`: each reading with the first rule that matches it. */
export function explainMatch(config: CompiledConfig, readings: readonly string[]): { reading: string; rule: string | null }[] {
  return readings.map((reading) => ({ reading, rule: firstMatch(config, reading)?.name ?? null }));
}
