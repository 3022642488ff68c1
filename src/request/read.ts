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

// A class, not an object literal with getters: defining a getter on a literal is a call into V8's
// runtime on every request (about 3.6 k instructions each, bench:instructions), a prototype's is not.
class ParsedUrl implements RequestUrl {
  constructor(
    readonly href: string,
    readonly origin: string,
    readonly protocol: string,
    readonly host: string,
    readonly hostname: string,
    readonly pathname: string,
    readonly search: string,
    private parsed: URL | undefined,
  ) {}

  // Only a query with Clerk's parameters in it, or a rule with `methods`, asks.
  get searchParams(): URLSearchParams {
    return (this.parsed ??= new URL(this.href)).searchParams;
  }
}

// An http(s) URL in exactly the form `URL` serializes it, so its parts are slices of the text
// (`new URL` and each of its getters is a call into the runtime). The host is lower-case labels
// whose last starts with a letter (a numeric one would be read as an IPv4 address), or an IPv4
// address as URL writes it (decimal, no leading zero); the port, if any, has no leading zero; the
// path has no escape, backslash or character URL would encode, and no dot segment (checked after:
// no `/.`); the query only characters URL leaves as they are. workerd's `request.url` nearly
// always is one; anything else (punycode, IPv6, a default port, `/.well-known`) goes to `URL`.
const SERIALIZED_URL = /^(https?:)\/\/((?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?::([1-9][0-9]{0,4}))?(\/[\w\-.~!$&'()*+,;=:@/]*)(\?[\w\-.~!$&()*+,;=:@/?%]*)?$/;

/**
 * {@link RequestUrl} of `href` when it is an http(s) URL as `URL` serializes it (see SERIALIZED_URL),
 * read from the text; `undefined` for any other string. test/property/request-url.test.ts holds it
 * to `URL`'s own reading.
 */
export function readSerializedUrl(href: string): RequestUrl | undefined {
  const m = SERIALIZED_URL.exec(href);
  if (!m) return undefined;
  const [, protocol, hostname, port, pathname, query] = m as unknown as [string, string, string, string | undefined, string, string | undefined];
  const portNumber = port === undefined ? 0 : Number(port);
  if (portNumber > 65535 || portNumber === (protocol === 'https:' ? 443 : 80) || pathname.includes('/.') || hostname.includes('xn--')) return undefined;
  const host = port === undefined ? hostname : `${hostname}:${port}`;
  // URL's search is empty for a lone `?`.
  return new ParsedUrl(href, `${protocol}//${host}`, protocol, host, hostname, pathname, query === undefined || query === '?' ? '' : query, undefined);
}

/** {@link RequestUrl} of `href`, an absolute URL (throws as `new URL` does otherwise). */
export function requestUrl(href: string): RequestUrl {
  const serialized = readSerializedUrl(href);
  if (serialized) return serialized;
  const url = new URL(href);
  return new ParsedUrl(url.href, url.origin, url.protocol, url.host, url.hostname, url.pathname, url.search, url);
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

// A class for the same reason as ParsedUrl: `methods` is read on first use through a prototype getter.
class ReadFacts implements RequestFacts {
  readonly readings: readonly string[];
  readonly publicHref: string;
  readonly client: Client;
  readonly html: boolean;
  readonly preflight: boolean;
  readonly cookies: CookiePairs;
  readonly returnUrl: string;
  readonly devBrowserToken: string | undefined;
  private methodsRead: readonly string[] | undefined;

  constructor(
    readonly method: string,
    readonly url: RequestUrl,
    readonly headers: RequestHeaders,
    readonly path: CanonicalPath,
  ) {
    this.readings = path.ok ? pathReadings(path.path) : [];
    this.publicHref = path.ok ? `${url.origin}${path.path}${url.search}` : url.href;
    this.client = clientKind(method, headers);
    this.cookies = cookiePairs(headers.get('cookie') ?? '');
    this.html = wantsHtml(headers.get('accept'));
    this.preflight = isPreflight(method, headers);
    this.returnUrl = returnUrl(this.client, headers, url.origin, this.publicHref);
    this.devBrowserToken = devBrowserToken(this.cookies);
  }

  // Read on first use, still once: only rules with `methods` look at them, and they parse the query.
  get methods(): readonly string[] {
    return (this.methodsRead ??= methodReadings(this.method, this.headers, this.url.searchParams));
  }
}

/** Reads `request` once. Pure: no settings, no I/O. */
export function readRequest(request: Pick<Request, 'method' | 'url' | 'headers'>): RequestFacts {
  const url = requestUrl(request.url);
  return new ReadFacts(request.method, url, new RequestHeaders(request.headers), canonicalizePath(url.pathname));
}
