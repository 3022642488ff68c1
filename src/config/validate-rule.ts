import type { CompiledOrigin } from './types';
import { describe } from './describe';
import { parsePathOrUrl, PATH_OR_URL_EXPECTED } from './url-option';
import { didYouMean } from './suggest';

const METHOD = /^[A-Za-z]+$/;
const HOST = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const BINDING = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLAIN_SEGMENT = /^[A-Za-z0-9._~!$&'()*+,=:@-]+$/;

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
