import type { CompiledConfig, CompiledRoute } from '../config/types';
import { policyOf, type Policy } from '../policy/policy';
import { combinePolicies } from './combine';
import { readingsToMatch } from './reading-keys';
import { candidateLists, routeIndex } from './route-index';

/** Which request a path is matched for: the methods the origin may read it as, and the host. */
export interface MatchTarget {
  /** Upper case; see `methodReadings`. `'*'` alone: any method (a POST). */
  methods: readonly string[];
  /** The request's host name, lower case, without port. */
  host: string;
  /** The request's own method, upper case: with the first reading it names the rule the request is sent by. @default the first of `methods` (`POST` for `'*'`) */
  method?: string;
}

const GET: MatchTarget = { methods: ['GET'], host: '' };

/**
 * The host name rules are matched against: lower case, without trailing dots (`app.example.com.`
 * is the same host to DNS and to most virtual hosting).
 */
export function matchHost(url: Pick<URL, 'hostname'>): string {
  const host = url.hostname.toLowerCase();
  // Nearly every host ends in a letter or digit: the RegExp only for one that ends in a dot.
  return host.charCodeAt(host.length - 1) === 0x2e ? host.replace(/\.+$/, '') : host;
}

/** `*.example.com` covers every subdomain, never `example.com` itself. */
export function hostMatches(hosts: readonly string[] | undefined, host: string): boolean {
  if (!hosts) return true;
  for (const pattern of hosts) {
    if (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern) return true;
  }
  return false;
}

/** Why a rule does not apply to a request, or `undefined` when it does: for `routes explain`. */
export function ruleMisses(route: CompiledRoute, reading: string, method: string, host: string): 'path' | 'method' | 'host' | undefined {
  if (!route.regexps.some((regexp) => regexp.test(reading))) return 'path';
  if (route.methods && !route.methods.has(method)) return 'method';
  if (!hostMatches(route.hosts, host)) return 'host';
  return undefined;
}

/** Whether a rule applies to this reading, method and host (the path test last: it is the dear one). */
function applies(route: CompiledRoute, reading: string, method: string, host: string): boolean {
  if (route.methods && !route.methods.has(method)) return false;
  if (route.hosts && !hostMatches(route.hosts, host)) return false;
  for (const regexp of route.regexps) {
    if (regexp.test(reading)) return true;
  }
  return false;
}

/**
 * The first rule, in file order, for one reading of the path, one method, one host. Only the
 * rules the index names as candidates are tested, in file order (see `candidateLists`): the same
 * winner as testing every rule, at a cost that does not grow with the number of rules.
 */
export function firstMatch(config: CompiledConfig, reading: string, method: string, host: string): CompiledRoute | undefined {
  const { routes } = config;
  const lists = candidateLists(routeIndex(config), reading);
  if (lists.length === 1) {
    for (const position of lists[0]) {
      const route = routes[position];
      if (applies(route, reading, method, host)) return route;
    }
    return config.fallback;
  }
  // Several ascending lists, a rule possibly in more than one: merged on the fly, since the walk
  // usually stops at the first candidate.
  const heads = lists.map(() => 0);
  for (;;) {
    let next = Number.POSITIVE_INFINITY;
    for (let k = 0; k < lists.length; k++) {
      const position: number | undefined = lists[k][heads[k]];
      if (position !== undefined && position < next) next = position;
    }
    if (next === Number.POSITIVE_INFINITY) return config.fallback;
    for (let k = 0; k < lists.length; k++) {
      if (lists[k][heads[k]] === next) heads[k]++;
    }
    const route = routes[next];
    if (applies(route, reading, method, host)) return route;
  }
}

/** The methods to try: the request's, or for `'*'` every method a rule names plus one none does. */
export function methodsToTry(config: CompiledConfig, target: MatchTarget): readonly string[] {
  if (!config.methodsUsed) return target.methods.slice(0, 1);
  return target.methods.includes('*') ? config.methodsUsed : target.methods;
}

/**
 * The policy that decides a request. For each reading of the path (see `pathReadings`) and each
 * method the origin may read it as (see `methodReadings`), the first rule that matches; when
 * they are not all the same rule, every protected one must let the request through
 * (`combinePolicies`), so a path is protected if any reading of it is, with every condition any
 * of its rules sets. The request is sent as the rule for its own method and first reading says.
 * Paths no rule matches get `config.fallback` (`defaultPolicy`); `undefined`: public.
 */
export function matchRoute(config: CompiledConfig, readings: string | readonly string[], target: MatchTarget = GET): Policy | undefined {
  const methods = methodsToTry(config, target);
  // Readings no rule can tell apart are matched once (see readingsToMatch).
  const all = typeof readings === 'string' ? [readings] : readingsToMatch(config, readings);
  const ownMethod = target.method ?? (target.methods[0] === '*' ? 'POST' : (target.methods[0] as string));
  const primary = firstMatch(config, all[0] as string, config.methodsUsed ? ownMethod : (methods[0] as string), target.host);
  if (all.length === 1 && methods.length === 1) return policyOf(primary);
  const met: (CompiledRoute | undefined)[] = [primary];
  for (const reading of all) {
    for (const method of methods) {
      const route = firstMatch(config, reading, method, target.host);
      if (!met.includes(route)) met.push(route);
    }
  }
  return met.length === 1 ? policyOf(primary) : combinePolicies(policyOf(primary), met.map((route) => policyOf(route)));
}

/** For `LOG_LEVEL=debug`: each reading with the first rule that matches it. */
export function explainMatch(config: CompiledConfig, readings: readonly string[], target: MatchTarget = GET): { reading: string; rule: string | null }[] {
  const method = methodsToTry(config, target)[0] as string;
  return readings.map((reading) => ({ reading, rule: firstMatch(config, reading, method, target.host)?.name ?? null }));
}
