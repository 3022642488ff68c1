import type { ReasonCode } from '../respond/reasons';

/**
 * How a proxy tells the forward-auth endpoint which request to decide, and how it wants the
 * answer. `nginx` (`?proxy=nginx` on the endpoint's URL): `X-Original-Method` / `X-Original-URI`,
 * and a redirect comes as a `401` with `Location`, since `auth_request` turns anything but 2xx,
 * 401 and 403 into a 500. `forwarded` (Caddy `forward_auth`, Traefik `forwardAuth`, the default):
 * `X-Forwarded-Method` / `X-Forwarded-Uri`, and the answer is passed to the client as it is. Both
 * take the host and scheme from `X-Forwarded-Host` / `X-Forwarded-Proto`. Only the headers of the
 * chosen style are read: a client's own copy of the other style's never counts.
 */
export type ProxyStyle = 'nginx' | 'forwarded';

/** The header carrying `FORWARD_AUTH_SECRET`. */
export const FORWARD_AUTH_SECRET_HEADER = 'x-forward-auth-secret';

const STYLE_HEADERS: Record<ProxyStyle, { method: string; uri: string }> = {
  nginx: { method: 'x-original-method', uri: 'x-original-uri' },
  forwarded: { method: 'x-forwarded-method', uri: 'x-forwarded-uri' },
};

// What the proxy says about the original request, and its secret: none is the client's, and none
// is left on the request that is decided (which `@clerk/backend` would read the public URL from).
const PROXY_HEADERS = [FORWARD_AUTH_SECRET_HEADER, 'x-original-method', 'x-original-uri', 'x-original-url', 'x-forwarded-method', 'x-forwarded-uri', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded'];

// A method is a token; these are the ones a request may be decided as (the Fetch API refuses CONNECT, TRACE, TRACK).
const METHOD = /^[A-Za-z]{1,20}$/;
// The request-target in origin form: a path and query as the client sent them, no white space or control character.
const ORIGIN_FORM = /^\/[\x21-\x7e\u0080-\uffff]*$/;
// A host name or IPv4 address, or an IPv6 literal, with an optional port.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** Longer request-targets are refused: nginx's and Caddy's own limits are lower. */
const MAX_URI_LENGTH = 16_384;

export type OriginalRequest = { ok: true; request: Request; style: ProxyStyle; target: string } | { ok: false; code: ReasonCode };

/** The answer style the endpoint's URL asks for (`?proxy=nginx|caddy|traefik`), or undefined for an unknown one. */
export function proxyStyle(endpoint: URL): ProxyStyle | undefined {
  const asked = endpoint.searchParams.get('proxy');
  if (asked === null || asked === 'caddy' || asked === 'traefik') return 'forwarded';
  return asked === 'nginx' ? 'nginx' : undefined;
}

/**
 * The request a proxy asks about, rebuilt from its headers, or why not: the secret first (in
 * constant time), then each of method, URI, host and scheme, present and well-formed. The rebuilt
 * request has the client's headers (cookies, `Authorization`, `Accept`, `Sec-Fetch-*`) less the
 * proxy's, and no body: a decision never reads one.
 */
export async function originalRequest(request: Request, secret: string): Promise<OriginalRequest> {
  if (!(await sameSecret(request.headers.get(FORWARD_AUTH_SECRET_HEADER) ?? '', secret))) return { ok: false, code: 'ERR_FORWARD_AUTH_UNTRUSTED' };
  const style = proxyStyle(new URL(request.url));
  if (!style) return { ok: false, code: 'ERR_FORWARD_AUTH_REQUEST' };
  const names = STYLE_HEADERS[style];
  const method = request.headers.get(names.method);
  const target = request.headers.get(names.uri);
  const host = request.headers.get('x-forwarded-host');
  const proto = request.headers.get('x-forwarded-proto');
  if (!method || !METHOD.test(method) || !target || target.length > MAX_URI_LENGTH || !ORIGIN_FORM.test(target)) return { ok: false, code: 'ERR_FORWARD_AUTH_REQUEST' };
  if (!host || !HOST.test(host) || (proto !== 'http' && proto !== 'https')) return { ok: false, code: 'ERR_FORWARD_AUTH_REQUEST' };
  const headers = new Headers(request.headers);
  for (const name of PROXY_HEADERS) headers.delete(name);
  try {
    // Scheme, host and target joined as a request line would be: a target like `//evil.example/`
    // stays a path on this host (a URL resolved against a base would make it another host).
    return { ok: true, request: new Request(`${proto}://${host}${target}`, { method, headers }), style, target };
  } catch {
    return { ok: false, code: 'ERR_FORWARD_AUTH_REQUEST' };
  }
}

const encoder = new TextEncoder();

/** Whether `sent` is `secret`, in time independent of where they differ (both hashed first, so of their lengths too). */
async function sameSecret(sent: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([sent, secret].map(async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)))));
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!;
  return diff === 0 && sent.length > 0;
}
