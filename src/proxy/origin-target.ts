import type { CompiledOrigin } from '../config/types';

/** Where one request goes: the URL to fetch, and the Service Binding to fetch it through, if any. */
export interface OriginTarget {
  url: string;
  /** The request-target the origin receives (path and query), for the assertion. */
  target: string;
  fetch?: typeof fetch;
}

/** The rules' Service Bindings by name, resolved once when the runtime is built (src/runtime/bindings.ts). */
export type ServiceBindings = ReadonlyMap<string, Pick<Fetcher, 'fetch'>>;

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
export function originTarget(origin: CompiledOrigin | undefined, defaultBase: string, bindings: ServiceBindings, gatewayOrigin: string, path: string, search: string): OriginTarget {
  const target = `${stripPrefix(path, origin?.stripPrefix ?? [])}${search}`;
  if (!origin) return withTarget(`${defaultBase}${path}${search}`);
  if (origin.kind === 'url') return withTarget(`${origin.base}${target}`);
  const binding = bindings.get(origin.binding);
  // getRuntime refuses to start without every rule's binding; a runtime built without them
  // (check-routes) forwards nothing. A throw is answered 500, never forwarded elsewhere.
  if (!binding) throw new Error(`origin.binding ${JSON.stringify(origin.binding)} was not resolved when the runtime was built`);
  return { url: `${gatewayOrigin}${target}`, target, fetch: binding.fetch.bind(binding) as typeof fetch };
}

function withTarget(url: string): OriginTarget {
  // Everything after the scheme and host.
  return { url, target: url.slice(url.indexOf('/', url.indexOf('//') + 2)) };
}
