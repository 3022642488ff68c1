import { canonicalizePath, type CanonicalPath } from './canonicalize';
import { devBrowserToken } from './clerk-cookies';
import { cookiePairs, type CookiePairs } from './cookies';
import { methodReadings } from './methods';
import { clientKind, isPreflight, returnUrl, type Client } from './navigation';
import { pathReadings } from './readings';
import { wantsHtml } from './accept';
import { RequestHeaders } from './headers';

/**
 * The parts of the request's URL the gateway reads, read once: each getter of a platform `URL` is a
 * call into the runtime (about 2 k instructions for `origin`: `bench:instructions -- --calls`), and
 * the plan, the authentication and the forward each read the origin and the path again.
 */
export type RequestUrl = Pick<URL, 'href' | 'origin' | 'protocol' | 'host' | 'hostname' | 'pathname' | 'search' | 'searchParams'>;

/** {@link RequestUrl} of `href`: its parts as plain strings; `href` and `searchParams` from the parsed URL when asked for. */
export function requestUrl(href: string): RequestUrl {
  const parsed = new URL(href);
  const { origin, protocol, host, hostname, pathname, search } = parsed;
  return {
    origin,
    protocol,
    host,
    hostname,
    pathname,
    search,
    get href() {
      return parsed.href;
    },
    get searchParams() {
      return parsed.searchParams;
    },
  };
}

/**
 * Everything the gateway reads from a request, read once (as oauth2-proxy's request scope): each
 * later step takes these facts and never parses a header again.
 */
export interface RequestFacts {
  /** As sent (any case). */
  method: string;
  url: RequestUrl;
  /** Read once ({@link RequestHeaders}); `headers.raw` is the platform's. */
  headers: RequestHeaders;
  /** The canonical path, or why the path is refused (`canonicalizePath`). */
  path: CanonicalPath;
  /** Every way an origin may read the path (`pathReadings`); empty when it is refused. */
  readings: readonly string[];
  /** The methods an origin may read the request as (`methodReadings`): own, overrides, `*` for a POST. */
  methods: readonly string[];
  /**
   * The URL as the gateway serves it: its own origin, the canonical path, the query. Never built
   * from client-sent `X-Forwarded-*`. The raw URL when the path is refused.
   */
  publicHref: string;
  /** Page load, form submission, htmx or API call: the form a refusal takes. */
  client: Client;
  /** A browser asked for a page: the gateway's own refusals answer HTML. */
  html: boolean;
  /** A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`). */
  preflight: boolean;
  /** The `Cookie` header's pairs, split as `@clerk/backend` splits them. */
  cookies: CookiePairs;
  /** Where to come back to after sign-in (`returnUrl`). */
  returnUrl: string;
  /** The dev-browser token Clerk adds to cross-origin sign-in redirects on development instances. */
  devBrowserToken: string | undefined;
}

/** Reads `request` once. Pure: no settings, no I/O. */
export function readRequest(request: Pick<Request, 'method' | 'url' | 'headers'>): RequestFacts {
  const url = requestUrl(request.url);
  const { method } = request;
  const headers = new RequestHeaders(request.headers);
  const path = canonicalizePath(url.pathname);
  const publicHref = path.ok ? `${url.origin}${path.path}${url.search}` : url.href;
  const client = clientKind(method, headers);
  const cookies = cookiePairs(headers.get('cookie') ?? '');
  // Read on first use, still once: only rules with `methods` look at them, and they parse the query.
  let methods: readonly string[] | undefined;
  return {
    method,
    url,
    headers,
    path,
    readings: path.ok ? pathReadings(path.path) : [],
    get methods() {
      return (methods ??= methodReadings(method, headers, url.searchParams));
    },
    publicHref,
    client,
    html: wantsHtml(headers.get('accept')),
    preflight: isPreflight(method, headers),
    cookies,
    returnUrl: returnUrl(client, headers, url.origin, publicHref),
    devBrowserToken: devBrowserToken(cookies),
  };
}
