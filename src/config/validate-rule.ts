import type { CompiledConditions, CompiledOrigin, ReverificationConfig, ReverificationPreset } from './types';
import { describe } from './describe';
import { parsePathOrUrl, PATH_OR_URL_EXPECTED } from './url-option';
import { didYouMean } from './suggest';

// Clerk's presets (`@clerk/shared/authorization`), expanded so the 403 tells the front end exactly what to ask for.
const REVERIFICATION_PRESETS: Readonly<Record<ReverificationPreset, ReverificationConfig>> = {
  strict_mfa: { level: 'multi_factor', afterMinutes: 10 },
  strict: { level: 'second_factor', afterMinutes: 10 },
  moderate: { level: 'second_factor', afterMinutes: 60 },
  lax: { level: 'second_factor', afterMinutes: 1440 },
};
const LEVELS = new Set(['first_factor', 'second_factor', 'multi_factor']);
const ROLE = /^org:[A-Za-z0-9_-]+$/;
const PERMISSION = /^org:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/;
// `has()` takes an optional scope before the key; it throws (and answers false) on any other.
const ENTITLEMENT = /^(?:(?:o|org|organization|u|user):)?[A-Za-z0-9_-]+$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const METHOD = /^[A-Za-z]+$/;
const HOST = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const BINDING = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLAIN_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,=:@-]+$/;

function checkReverification(value: unknown, where: string, problems: string[]): ReverificationConfig | undefined {
  if (typeof value === 'string') {
    if (value in REVERIFICATION_PRESETS) return REVERIFICATION_PRESETS[value as ReverificationPreset];
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { level, afterMinutes, ...rest } = value as Record<string, unknown>;
    for (const key of Object.keys(rest)) problems.push(`${where}: protect.reverification.${key} is not an option (known: level, afterMinutes)${didYouMean(key, ['level', 'afterMinutes'])}`);
    const levelOk = typeof level === 'string' && LEVELS.has(level);
    const minutesOk = typeof afterMinutes === 'number' && Number.isFinite(afterMinutes) && afterMinutes > 0;
    if (!levelOk) problems.push(`${where}: protect.reverification.level must be one of ${[...LEVELS].join(', ')}, got ${describe(level)}`);
    if (!minutesOk) problems.push(`${where}: protect.reverification.afterMinutes must be a number of minutes above 0, got ${describe(afterMinutes)}`);
    return levelOk && minutesOk ? { level: level as ReverificationConfig['level'], afterMinutes } : undefined;
  }
  problems.push(
    `${where}: protect.reverification must be ${Object.keys(REVERIFICATION_PRESETS).join(', ')} or { level, afterMinutes }, got ${describe(value)}`,
  );
  return undefined;
}

/** A pattern names the parameter: `:org` in a path pattern, `(?<org>…)` in a RegExp. */
function patternHasParam(pattern: unknown, name: string): boolean {
  if (pattern instanceof RegExp) return pattern.source.includes(`(?<${name}>`);
  return typeof pattern === 'string' && new RegExp(`:${name}(?![A-Za-z0-9_])`).test(pattern);
}

/** The conditions of an object `protect`, or `undefined` when it sets none. */
export function checkConditions(protect: Record<string, unknown>, match: unknown, where: string, problems: string[]): CompiledConditions | undefined {
  const out: CompiledConditions = {};
  const { role, permission, feature, plan, reverification, organizationParam, check } = protect;
  if (role !== undefined) {
    if (typeof role === 'string' && ROLE.test(role)) out.role = role;
    else problems.push(`${where}: protect.role must be an organization role key like "org:admin" (org: prefix, then letters, digits, "_" or "-"), got ${describe(role)}`);
  }
  if (permission !== undefined) {
    if (typeof permission === 'string' && PERMISSION.test(permission)) out.permission = permission;
    else problems.push(`${where}: protect.permission must look like "org:invoices:manage" (org:<feature>:<permission>), got ${describe(permission)}`);
  }
  for (const [key, value] of [['feature', feature], ['plan', plan]] as const) {
    if (value === undefined) continue;
    if (typeof value === 'string' && ENTITLEMENT.test(value)) out[key] = value;
    else problems.push(`${where}: protect.${key} must be a key, optionally scoped ("export", "o:export", "u:export"), got ${describe(value)}`);
  }
  if (reverification !== undefined) {
    const config = checkReverification(reverification, where, problems);
    if (config) out.reverification = config;
  }
  if (organizationParam !== undefined) {
    const patterns = Array.isArray(match) ? match : [match];
    if (typeof organizationParam !== 'string' || !PARAM_NAME.test(organizationParam)) {
      problems.push(`${where}: protect.organizationParam must be the name of a parameter of match, like "org" for '/orgs/:org/(.*)', got ${describe(organizationParam)}`);
    } else if (!patterns.every((p) => patternHasParam(p, organizationParam))) {
      problems.push(
        `${where}: protect.organizationParam "${organizationParam}" is not a parameter of every pattern in match; write :${organizationParam} in each (or (?<${organizationParam}>…) in a RegExp)`,
      );
    } else out.organizationParam = organizationParam;
  }
  if (check !== undefined) {
    if (typeof check === 'function') out.check = check as CompiledConditions['check'];
    else problems.push(`${where}: protect.check must be a function (auth) => boolean, got ${describe(check)}`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Upper-cased methods, `HEAD` added to `GET` (origins answer HEAD with their GET handler). */
export function checkMethods(value: unknown, where: string, problems: string[]): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((m) => typeof m !== 'string' || !METHOD.test(m))) {
    problems.push(`${where}: methods must be a non-empty list of HTTP methods like ['GET', 'POST'], got ${describe(value)}`);
    return undefined;
  }
  const methods = new Set((value as string[]).map((m) => m.toUpperCase()));
  if (methods.has('GET')) methods.add('HEAD');
  return methods;
}

/** Lower-cased host names; a malformed one could never match, so it is a problem. */
export function checkHosts(value: unknown, where: string, problems: string[]): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(`${where}: hosts must be a non-empty list of host names like ['app.example.com', '*.example.com'], got ${describe(value)}`);
    return undefined;
  }
  const hosts: string[] = [];
  for (const host of value) {
    const lower = typeof host === 'string' ? host.toLowerCase() : '';
    if (HOST.test(lower)) {
      hosts.push(lower);
      continue;
    }
    const hint = typeof host !== 'string' ? '' : /^[a-z]+:\/\//i.test(host) ? ' (a host name, not a URL)' : host.includes(':') ? ' (no port)' : host.includes('/') ? ' (no path)' : host.includes('*') ? ' ("*." only at the start)' : '';
    problems.push(`${where}: hosts has ${describe(host)}, which can never match a request's host${hint}`);
  }
  return hosts;
}

/** An absolute http(s) URL, or a path on the gateway's host: see `parsePathOrUrl`, shared with the settings. */
export function checkUrlOption(value: unknown, where: string, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parsePathOrUrl(value);
  if (parsed) return parsed.kind === 'path' ? parsed.value : parsed.url.href;
  problems.push(`${where} ${PATH_OR_URL_EXPECTED}, got ${describe(value)}`);
  return undefined;
}

function checkStripPrefix(value: unknown, where: string, problems: string[]): readonly string[] {
  if (value === undefined) return [];
  const segments = typeof value === 'string' ? value.replace(/\/+$/, '').split('/').slice(1) : [];
  if (typeof value !== 'string' || !value.startsWith('/') || segments.length === 0 || !segments.every((s) => PLAIN_SEGMENT.test(s) && s !== '.' && s !== '..')) {
    problems.push(`${where}: origin.stripPrefix must be a plain path like "/api", got ${describe(value)}`);
    return [];
  }
  return segments.map((s) => s.toLowerCase());
}

function checkOriginUrl(value: unknown, where: string, problems: string[]): string | undefined {
  const url = typeof value === 'string' && /^https?:\/\//i.test(value) && URL.canParse(value) ? new URL(value) : undefined;
  if (!url || url.search || url.hash || url.username || url.password || (value as string) !== (value as string).trim()) {
    problems.push(`${where}: origin must be an absolute http(s) URL without query, fragment or credentials, got ${describe(value)}`);
    return undefined;
  }
  return url.href.replace(/\/+$/, '');
}

/** A rule's own origin: a URL, or a Service Binding name (checked against the Worker's bindings at start). */
export function checkOrigin(value: unknown, where: string, problems: string[]): CompiledOrigin | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    const base = checkOriginUrl(value, where, problems);
    return base ? { kind: 'url', base, stripPrefix: [] } : undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where}: origin must be a URL or { url | binding, stripPrefix }, got ${describe(value)}`);
    return undefined;
  }
  const { url, binding, stripPrefix, ...rest } = value as Record<string, unknown>;
  for (const key of Object.keys(rest)) problems.push(`${where}: origin.${key} is not an option (known: url, binding, stripPrefix)${didYouMean(key, ['url', 'binding', 'stripPrefix'])}`);
  const prefix = checkStripPrefix(stripPrefix, where, problems);
  if ((url === undefined) === (binding === undefined)) {
    problems.push(`${where}: origin needs exactly one of url and binding`);
    return undefined;
  }
  if (binding !== undefined) {
    if (typeof binding === 'string' && BINDING.test(binding)) return { kind: 'binding', binding, stripPrefix: prefix };
    problems.push(`${where}: origin.binding must be the name of a Service Binding (as in wrangler.toml [[services]] binding), got ${describe(binding)}`);
    return undefined;
  }
  const base = checkOriginUrl(url, `${where}`, problems);
  return base ? { kind: 'url', base, stripPrefix: prefix } : undefined;
}
