import type { AuthState } from '../auth/result';
import { decideRoute } from '../decide-route';
import { plan, type RouteDecision } from '../plan/plan';
import { claimHeaderNames } from '../proxy/forward-scope';
import { originHeaders, signAssertion, type Forward } from '../proxy/forward-decision';
import { IDENTITY_HEADERS } from '../proxy/headers';
import { CLERK_QUERY } from '../request/clerk-cookies';
import { readRequest, type RequestFacts } from '../request/read';
import { preflightAnswer } from '../respond/cors';
import { respondTo } from '../respond/decision';
import { redirect, refuse } from '../respond/respond';
import type { Runtime } from '../runtime/runtime';
import { originalRequest, type ProxyStyle } from './original-request';

/**
 * The forward-auth endpoint (`FORWARD_AUTH_PATH`; docs/forward-auth.md): a proxy in front of the
 * app (nginx `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth`) asks about each request,
 * and the answer is the gateway's own decision for it: the request rebuilt from the proxy's
 * headers goes through the same `readRequest` → `plan` → `decideRoute` as a request the gateway
 * proxies. `200` with the identity headers to pass on; the gateway's refusal or redirect otherwise
 * (for nginx, a redirect as `401` with `Location`). Only a proxy holding `FORWARD_AUTH_SECRET` is heard.
 */
export async function forwardAuth(request: Request, runtime: Runtime, now: number): Promise<{ response: Response; auth?: AuthState }> {
  const { forwardAuth: endpoint } = runtime.settings;
  // plan() gives this endpoint only when it is configured.
  if (!endpoint) return { response: refuse('ERR_INTERNAL') };
  const original = await originalRequest(request, endpoint.secret);
  if (!original.ok) return { response: refuse(original.code) };
  const { style } = original;
  const facts = readRequest(original.request);
  const planned = plan(facts, { ok: true, world: runtime });
  switch (planned.kind) {
    case 'refuse':
      return { response: refuse(planned.code, { html: facts.html }) };
    case 'endpoint':
      return { response: refuse('ERR_FORWARD_AUTH_ENDPOINT') };
    case 'preflight': {
      // The proxy lets an allowed preflight through to the app; the headers the gateway would answer it with ride along.
      const answered = preflightAnswer(planned.cors, facts.headers);
      return { response: answered.ok ? new Response(null, { status: 200, headers: answered.headers }) : refuse(answered.code) };
    }
    case 'route': {
      const { auth, decision } = await decideRoute(original.request, facts, planned, runtime, now);
      if (decision.kind !== 'forward') return { response: styled(respondTo(decision, auth.headers, { html: facts.html, requestId: '' }), style), auth };
      if (facts.client === 'page' && facts.method === 'GET' && auth.headers.some(([name]) => name === 'set-cookie')) return { response: styled(withCookies(facts, auth), style), auth };
      return { response: await allowed(facts, original.target, decision, auth, planned, runtime, now), auth };
    }
  }
}

/**
 * `200` with every identity header the origin would get (each one present, empty when unset, so
 * a proxy copying a fixed list never misses one), the assertion bound to the request-target the
 * app receives (empty without a signing key), the Cookie header for the app, and Clerk's cookies
 * for the browser.
 */
async function allowed(facts: RequestFacts, target: string, decision: Forward, auth: AuthState, step: RouteDecision, runtime: Runtime, now: number): Promise<Response> {
  const assertion = await signAssertion(facts.method, target, decision, step, runtime, now);
  const scratch = { request_id: '', dropped_cookies: null, dropped_headers: null };
  const identity = originHeaders(facts, decision, auth, step, runtime, scratch, assertion);
  const out = new Headers({ 'cache-control': 'no-store' });
  for (const name of [...IDENTITY_HEADERS, ...claimHeaderNames(runtime.config)]) out.set(name, identity.get(name) ?? '');
  out.set('x-auth-assertion', assertion ?? '');
  // The Cookie header the origin would get (Clerk's cookies as the gateway read them, the verified
  // session token in place): a proxy that sets it in place of the client's keeps a lenient cookie
  // parser from reading a second `__session` the gateway never verified.
  out.set('x-auth-cookie', identity.get('cookie') ?? '');
  // The session token as a bearer, where the rule's origin is trusted with it (`forward.sessionToken`).
  const bearer = identity.get('authorization');
  if (bearer && bearer !== facts.headers.get('authorization')) out.set('authorization', bearer);
  for (const [name, value] of auth.headers) if (name === 'set-cookie') out.append(name, value);
  return new Response(null, { status: 200, headers: out });
}

/**
 * A page load whose handshake Clerk resolved (or whose session was refreshed): the new cookies
 * must reach the browser, and a proxy passes a redirect's `Set-Cookie` on, not a `200`'s. So the
 * page is loaded again, without Clerk's handshake parameters, with the cookies set; that request
 * carries the new session. Clerk's own loop counter bounds a browser that keeps no cookie.
 */
function withCookies(facts: RequestFacts, auth: AuthState): Response {
  const back = new URL(facts.publicHref);
  back.searchParams.delete(CLERK_QUERY.handshake);
  back.searchParams.delete(CLERK_QUERY.handshakeNonce);
  return redirect(back.href, 'handshake', auth.headers, 307);
}

/** How many `Set-Cookie` an nginx answer carries as `X-Auth-Set-Cookie-1`…: the recipe's `add_header` lines. */
export const NGINX_SET_COOKIE_SLOTS = 8;

/**
 * nginx's `auth_request` answers 500 for a 3xx: a redirect goes as a `401` with its `Location`,
 * for an `error_page 401` recipe to follow, and its cookies as `X-Auth-Set-Cookie-<n>`.
 */
function styled(response: Response, style: ProxyStyle): Response {
  if (style !== 'nginx' || response.status < 300 || response.status > 399) return response;
  const headers = new Headers(response.headers);
  headers.set('x-auth-redirect-status', String(response.status));
  // nginx reads one header of a name into a variable: each Set-Cookie under a name of its own.
  headers.getSetCookie().slice(0, NGINX_SET_COOKIE_SLOTS).forEach((cookie, i) => headers.set(`x-auth-set-cookie-${i + 1}`, cookie));
  return new Response(null, { status: 401, headers });
}
