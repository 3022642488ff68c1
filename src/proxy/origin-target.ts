import type { CompiledOrigin } from '../config/types';

/** Where one request goes: the URL to fetch, and the Service Binding to fetch it through, if any. */
export interface OriginTarget {
  url: string;
  /** The request-target the origin receives (path and query), for the assertion. */
  target: string;
  fetch?: typeof fetch;
}

/** A Service Binding as the Worker's env holds it; anything else under that name is not one. */
export function serviceBinding(env: object, name: string): Fetcher | undefined {
  const value = (env as Record<string, unknown>)[name];
  return value !== null && typeof value === 'object' && typeof (value as Fetcher).fetch === 'function' ? (value as Fetcher) : undefined;
}

/**
 * The canonical path with `prefix` (lower-case segments) removed when its leading segments are
 * that prefix, decoded and ignoring case as the rule matched them; otherwise the path unchanged.
 */
export function stripPrefix(path: string, prefix: readonly string[]): string {
  if (prefix.length === 0) return path;
  const segments = path.split('/').slice(1);
  if (segments.length < prefix.length) return path;
  for (let i = 0; i < prefix.length; i++) {
    if (decodeURIComponent(segments[i] as string).toLowerCase() !== prefix[i]) return path;
  }
  return `/${segments.slice(prefix.length).join('/')}`;
}

/**
 * The origin URL for a request: the rule's own origin (a URL, or a Service Binding reached under
 * the gateway's own origin), else `ORIGIN_URL`, with the canonical path (prefix stripped) and query.
 */
export function originTarget(origin: CompiledOrigin | undefined, defaultBase: string, env: object, gatewayOrigin: string, path: string, search: string): OriginTarget {
  const target = `${stripPrefix(path, origin?.stripPrefix ?? [])}${search}`;
  if (!origin) return withTarget(`${defaultBase}${path}${search}`);
  if (origin.kind === 'url') return withTarget(`${origin.base}${target}`);
  // Checked when the runtime is built (getRuntime): the binding exists.
  const binding = serviceBinding(env, origin.binding) as Fetcher;
  return { url: `${gatewayOrigin}${target}`, target, fetch: binding.fetch.bind(binding) as typeof fetch };
}

function withTarget(url: string): OriginTarget {
  // Everything after the scheme and host.
  return { url, target: url.slice(url.indexOf('/', url.indexOf('//') + 2)) };
}
