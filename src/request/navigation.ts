import type { HeaderReader } from './headers';

/**
 * Who is asking, as far as a refusal's form goes: a page load (GET/HEAD navigation), a form
 * submission (any other method with `Sec-Fetch-Mode: navigate`), an htmx request (`HX-Request`),
 * or anything else (an API client).
 */
export type Client = 'page' | 'form' | 'htmx' | 'api';

/** Browser navigation, the same test Clerk uses to decide whether a handshake is possible (plus HEAD). */
export function isNavigation(method: string, headers: HeaderReader): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const dest = headers.get('sec-fetch-dest');
  if (dest) return dest === 'document' || dest === 'iframe';
  return (headers.get('accept') ?? '').toLowerCase().startsWith('text/html');
}

/** A page load, a form submission (a non-GET navigation), an htmx request, or an API call. */
export function clientKind(method: string, headers: HeaderReader): Client {
  if (isNavigation(method, headers)) return 'page';
  if (headers.get('sec-fetch-mode') === 'navigate') return 'form';
  if (headers.get('hx-request') === 'true') return 'htmx';
  return 'api';
}

/** A CORS preflight: what browsers send, without credentials, before a cross-origin request. */
export function isPreflight(method: string, headers: HeaderReader): boolean {
  return method === 'OPTIONS' && headers.has('origin') && headers.has('access-control-request-method');
}

function sameOrigin(value: string | null, origin: string): string | undefined {
  const url = value ? URL.parse(value) : null;
  return url?.origin === origin ? url.href : undefined;
}

/**
 * Where to return after sign-in. A page comes back to itself. A form submission or an htmx
 * request cannot be replayed after sign-in, so it returns to the page it came from: the
 * same-origin `HX-Current-URL` or `Referer`, else the site's root (never another site).
 */
export function returnUrl(client: Client, headers: HeaderReader, origin: string, publicHref: string): string {
  if (client === 'page' || client === 'api') return publicHref;
  const page = client === 'htmx' ? sameOrigin(headers.get('hx-current-url'), origin) : undefined;
  return page ?? sameOrigin(headers.get('referer'), origin) ?? `${origin}/`;
}
