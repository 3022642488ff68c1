import type { CompiledConfig } from '../config/types';
import { firstMatch } from './match';

/** GET and HEAD, the reads: a rule set that does not list them lets them go on to the next rule, as written. */
const READS = new Set(['GET', 'HEAD']);

/**
 * The methods to match, widened so that no method a rule set leaves out reaches the origin with
 * less: a method other than GET/HEAD that no rule with `methods` names for some reading of the
 * path (`PATCH` beside rules for `GET` and `PUT`, `OPTIONS`, `PROPFIND`) is matched as every
 * method (`'*'`), as a `POST` is, so every protected rule for the path must let it through. An
 * origin may route it to any handler (Rails and Laravel send `PATCH` to the `PUT` action, `php -S`
 * runs the same script for every method), and the gateway cannot know which.
 */
export function widenUnlisted(config: CompiledConfig, readings: readonly string[], methods: readonly string[], host: string): readonly string[] {
  if (!config.methodsUsed || methods.includes('*')) return methods;
  for (const method of methods) {
    if (READS.has(method)) continue;
    for (const reading of readings) {
      // The first rule for this method either names it (a rule with `methods`) or is a rule for every method, the default, or none.
      if (!firstMatch(config, reading, method, host)?.methods) return ['*'];
    }
  }
  return methods;
}
