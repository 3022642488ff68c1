import { match, type MatchFunction } from '@clerk/shared/pathToRegexp';

import type { CompiledRoute } from '../config/types';
import type { Policy } from '../policy/policy';

// Per rule, one matcher per pattern: path-to-regexp's `match` for strings (parameters by name),
// the RegExp itself for RegExps (named groups).
const matchers = new WeakMap<CompiledRoute, ((reading: string) => Record<string, string | string[]> | undefined)[]>();

function matchersFor(route: CompiledRoute) {
  let list = matchers.get(route);
  if (!list) {
    list = route.patterns.map((pattern, i) => {
      const regexp = route.regexps[i] as RegExp;
      if (typeof pattern !== 'string') return (reading: string) => regexp.exec(reading)?.groups;
      // As compilePattern: case-insensitive, every character (the `s` flag is not an option here, so
      // a reading the rule matched only through it yields no value, and the check fails closed).
      const fn: MatchFunction<Record<string, string | string[]>> = match(pattern, { sensitive: false });
      return (reading: string) => {
        const result = fn(reading);
        return result ? result.params : undefined;
      };
    });
    matchers.set(route, list);
  }
  return list;
}

/** The organizations the path names, for each rule met that has `organizationParam`: every one must be the active one. */
export function organizationsIn(policy: Policy | undefined, readings: readonly string[]): string[] {
  if (!policy) return [];
  return policy.rules.flatMap((source) => {
    const param = source.conditions?.organizationParam;
    return param ? paramValues(source, readings, param) : [];
  });
}

/**
 * The value of parameter `name` in every reading of the path that a pattern of `route` matches.
 * A repeated parameter (`:org*`) counts as its segments joined by "/", which names no organization.
 */
export function paramValues(route: CompiledRoute, readings: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (const reading of readings) {
    const segments = reading.split('/');
    for (const matcher of matchersFor(route)) {
      const value = matcher(reading)?.[name];
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join('/') : value;
      // Only a whole segment names an organization: a group that captures "acme" out of
      // "acme-evil" would pass for acme while the origin reads acme-evil. Such a value fails.
      values.push(segments.includes(text) ? text : '');
    }
  }
  return values;
}
