// Clerk's side of the differential: `clerkMiddleware` from @clerk/nextjs, in plain Node through
// createRequire, called with a NextRequest as Next.js calls it. Its handler does, per request,
// what a Next.js app would write for the scenario's rules: `auth.protect()` (with the rule's
// role/permission/feature/plan/reverification) on protected paths, `auth({ treatPendingAsSignedOut })`
// where the rule opens pages to pending sessions, and for `organizationParam` the URL's
// organization against the active one (`notFound()` on a mismatch, as Clerk's docs tell pages to).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AUTH_PARAMS = ['role', 'permission', 'feature', 'plan', 'reverification'];

/**
 * Loads @clerk/nextjs and next once. `CLERK_API_URL` and `CLERK_ENCRYPTION_KEY` are read by
 * @clerk/nextjs when it loads (its constants module), so they are set first.
 */
export function loadClerk({ apiUrl }) {
  process.env.CLERK_API_URL = apiUrl;
  process.env.CLERK_ENCRYPTION_KEY ??= 'differential-harness-encryption-key-32b';
  process.env.NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED = '1';
  process.env.CLERK_TELEMETRY_DISABLED = '1';
  const { clerkMiddleware, createRouteMatcher } = require('@clerk/nextjs/server');
  const { NextRequest } = require('next/server');
  const { notFound } = require('next/navigation');
  const { match } = require('@clerk/shared/pathToRegexp');
  return { clerkMiddleware, createRouteMatcher, NextRequest, notFound, match };
}

/** The rule's organization parameter in the path, or undefined. */
function orgFromPath(lib, rule, pathname) {
  const found = lib.match(rule.match, { decode: decodeURIComponent, sensitive: false })(pathname);
  return found ? found.params[rule.protect.organizationParam] : undefined;
}

/**
 * clerkMiddleware for one scenario: `options` are its own (keys, signInUrl, …); the handler acts
 * the scenario's rules (first match wins, `defaultPolicy: 'protect'` protects the rest, except the
 * app's own sign-in pages). `record(auth)` gets what the handler saw when it let the request through.
 */
export function scenarioMiddleware(lib, scenario, options) {
  const rules = scenario.routes.map((rule) => ({ rule, matches: lib.createRouteMatcher([rule.match]) }));
  const own = [...(options.signInUrl?.startsWith('/') ? [`${options.signInUrl}(.*)`] : []), ...(scenario.clerkPublic ?? [])];
  const ownSignIn = own.length ? lib.createRouteMatcher(own) : () => false;
  const handler = async (auth, request) => {
    const found = rules.find(({ matches }) => matches(request));
    const protect = found ? found.rule.protect : scenario.defaultPolicy === 'protect' && !ownSignIn(request);
    const params = typeof protect === 'object' ? protect : {};
    // What the app's own auth() gives a page this request reaches (pending as the rule treats it).
    const seen = await auth({ treatPendingAsSignedOut: params.treatPendingAsSignedOut ?? true });
    handler.seen = { userId: seen.userId ?? null, orgId: seen.orgId ?? null };
    if (!protect) return;
    if (params.treatPendingAsSignedOut === false) {
      if (!seen.userId) {
        if (isPage(request)) return seen.redirectToSignIn();
        return lib.notFound();
      }
    } else {
      const has = Object.fromEntries(AUTH_PARAMS.filter((k) => params[k] !== undefined).map((k) => [k, params[k]]));
      await auth.protect(Object.keys(has).length ? has : undefined);
    }
    if (params.organizationParam) {
      const named = orgFromPath(lib, found.rule, new URL(request.url).pathname);
      if (!named || (named !== seen.orgSlug && named !== seen.orgId)) return lib.notFound();
    }
    return undefined;
  };
  const middleware = lib.clerkMiddleware(handler, options);
  return { middleware, handler };
}

// The same test as @clerk/nextjs's own (protect.ts isPageRequest) for a request without Next's internal headers.
function isPage(request) {
  const dest = request.headers.get('sec-fetch-dest');
  return dest === 'document' || dest === 'iframe' || (request.headers.get('accept') ?? '').includes('text/html');
}

/**
 * One request through a scenario's middleware; its outcome in the harness's terms: `forward`
 * (NextResponse.next(): the app runs, with the identity its `auth()` gives it), `redirect`
 * (Location), or `refuse` (status: 404 from `notFound()`'s rewrite, 401, 400, …). Requests run
 * one at a time (the handler keeps what it saw for the current one).
 */
export async function runClerk(lib, { middleware, handler }, { url, method, headers }) {
  handler.seen = { userId: null, orgId: null };
  const request = new lib.NextRequest(url, { method, headers });
  const response = await middleware(request, { waitUntil() {}, passThroughOnException() {} });
  const setCookies = response.headers.getSetCookie();
  const location = response.headers.get('location');
  if (location && response.status >= 300 && response.status < 400) return { kind: 'redirect', status: response.status, location, setCookies };
  if (response.headers.get('x-middleware-rewrite')?.includes('/clerk_')) return { kind: 'refuse', status: 404, setCookies };
  // NextResponse.next(), or (how Clerk hands its request state on to the page) a rewrite to the URL itself.
  const rewrite = response.headers.get('x-middleware-rewrite');
  if (response.status === 200 && (response.headers.get('x-middleware-next') === '1' || rewrite === request.url)) return { kind: 'forward', status: 200, setCookies, identity: handler.seen };
  return { kind: 'refuse', status: response.status, setCookies };
}
