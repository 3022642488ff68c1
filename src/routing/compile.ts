import { pathToRegexp } from '@clerk/shared/pathToRegexp';

import type { RoutePattern } from '../config/types';

/**
 * Compiles one pattern as Clerk's `createRouteMatcher` does (path-to-regexp v6, case-insensitive,
 * optional trailing slash, anchored), so users can paste their patterns, with one difference:
 * `.` matches every character (the `s` flag). Without it `(.*)` stops at U+2028/U+2029, and
 * `/dashboard/%E2%80%A8` would walk past `'/dashboard(.*)'` to a handler that routes it.
 * RegExps keep their source and flags, plus `s`. Throws on an invalid pattern; `validateConfig`
 * reports it.
 */
export function compilePattern(pattern: RoutePattern): RegExp {
  const regexp = pattern instanceof RegExp ? pattern : (pathToRegexp(pattern) as RegExp);
  return regexp.dotAll ? regexp : new RegExp(regexp.source, `${regexp.flags}s`);
}
