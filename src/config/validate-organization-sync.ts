import { match } from '@clerk/shared/pathToRegexp';

import type { CompiledOrganizationSync, OrganizationTarget } from './types';
import { describe } from './describe';
import { didYouMean } from './suggest';

const KEYS = new Set(['organizationPatterns', 'personalAccountPatterns']);
const WHERE = 'config.organizationSyncOptions';

type Matcher = (pathname: string) => false | { params: object };

/**
 * One list of patterns: strings starting with `/` that Clerk's path-to-regexp compiles (the same
 * `match` `@clerk/backend`'s OrganizationMatcher uses, so the gateway reads a path as Clerk will).
 * An organization pattern must name `:id` or `:slug`, or it could never activate anything.
 */
function checkPatterns(value: unknown, field: string, problems: string[], needsParam: boolean): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${WHERE}.${field} must be an array of path patterns such as '/orgs/:slug/(.*)', got ${describe(value)}`);
    return [];
  }
  return value.flatMap((pattern: unknown, i) => {
    const at = `${WHERE}.${field}[${i}]`;
    if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
      problems.push(`${at} must be a path pattern starting with '/', such as '/orgs/:slug/(.*)', got ${describe(pattern)}`);
      return [];
    }
    try {
      match(pattern);
    } catch (error) {
      problems.push(`${at}: ${JSON.stringify(pattern)} is not a valid pattern (${error instanceof Error ? error.message : String(error)})`);
      return [];
    }
    if (needsParam && !/:(id|slug)(?![A-Za-z0-9_])/.test(pattern)) {
      problems.push(`${at}: ${JSON.stringify(pattern)} names no organization: use :id (an org_… id) or :slug, e.g. '/orgs/:slug/(.*)'`);
      return [];
    }
    return [pattern];
  });
}

function targetOf(organization: Matcher | undefined, personal: Matcher | undefined): CompiledOrganizationSync['target'] {
  return (pathname) => {
    const found = organization?.(pathname);
    if (found) {
      // As Clerk: `:id` before `:slug`, and a match without either activates nothing (then the personal patterns are tried).
      const { id, slug } = found.params as { id?: unknown; slug?: unknown };
      if (typeof id === 'string' && id) return { type: 'organization', id } satisfies OrganizationTarget;
      if (typeof slug === 'string' && slug) return { type: 'organization', slug } satisfies OrganizationTarget;
    }
    return personal?.(pathname) ? { type: 'personal-account' } : undefined;
  };
}

/** `config.organizationSyncOptions`, validated and compiled; undefined when absent or empty. */
export function checkOrganizationSync(value: unknown, problems: string[]): CompiledOrganizationSync | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${WHERE} must be an object like { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'] }, got ${describe(value)}`);
    return undefined;
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!KEYS.has(key)) problems.push(`${WHERE}.${key} is not an option (known: ${[...KEYS].join(', ')})${didYouMean(key, KEYS)}`);
  }
  const organizationPatterns = checkPatterns(input.organizationPatterns, 'organizationPatterns', problems, true);
  const personalAccountPatterns = checkPatterns(input.personalAccountPatterns, 'personalAccountPatterns', problems, false);
  if (organizationPatterns.length === 0 && personalAccountPatterns.length === 0) return undefined;
  const organization = organizationPatterns.length ? (match(organizationPatterns) as Matcher) : undefined;
  const personal = personalAccountPatterns.length ? (match(personalAccountPatterns) as Matcher) : undefined;
  return { options: { organizationPatterns, personalAccountPatterns }, target: targetOf(organization, personal) };
}
