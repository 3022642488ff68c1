import { pathToRegexp } from '@clerk/shared/pathToRegexp';

import type { RoutePattern } from '../config/types';

/**
 * Compiles one pattern exactly as Clerk's `createRouteMatcher` does (path-to-regexp v6,
 * case-insensitive, optional trailing slash, anchored), so users can paste their patterns.
 * RegExps are used as given. Throws on an invalid pattern; `validateConfig` reports it.
 */
export function compilePattern(pattern: RoutePattern): RegExp {
  return pattern instanceof RegExp ? pattern : (pathToRegexp(pattern) as RegExp);
}
