import { authenticate } from './auth/authenticate';
import type { CompiledConfig } from './config/types';
import { decide } from './decision/decide';
import type { Env } from './env';
import { forwardToOrigin } from './proxy/forward';
import { originRequestHeaders } from './proxy/headers';
import { cookiePairs } from './request/cookies';
import { isNavigation } from './request/navigation';
import { redirect, refuse } from './respond/respond';
import { canonicalizePath } from './routing/canonicalize';
import { matchRoute } from './routing/match';
import { pathReadings } from './routing/readings';
import { getRuntime } from './runtime/isolate';

/** Options for {@link handleRequest}. */
export interface HandleRequestOptions {
  /** The compiled routes (from `routes.config.ts`). */
  config: CompiledConfig;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** `__clerk_redirect_url`, when present, must be on the gateway's own origin. */
function clerkRedirectUrlAllowed(url: URL): boolean {
  const target = url.searchParams.get('__clerk_redirect_url');
  if (target === null) return true;
  return URL.canParse(target) && new URL(target).origin === url.origin;
}

/** The dev-browser token Clerk adds to cross-origin sign-in redirects on development instances. */
function devBrowser(cookieHeader: string | null): { devBrowserToken?: string } {
  const pairs = cookiePairs(cookieHeader ?? '');
  const token = (pairs.find(([name]) => name === '__clerk_db_jwt') ?? pairs.find(([name]) => name.startsWith('__clerk_db_jwt_')))?.[1];
  return token ? { devBrowserToken: token } : {};
}

/**
 * One request through the gateway: canonicalize → match → authenticate → decide → respond or
 * forward. Nothing reaches the origin unless `decide()` says forward.
 */
export async function handleRequest(request: Request, env: Env, options: HandleRequestOptions): Promise<Response> {
  const result = getRuntime(env, options.config);
  // The problems are in the log (getRuntime), never in the body: they can name internal URLs.
  if (!result.ok) return refuse('ERR_GATEWAY_MISCONFIGURED');
  const runtime = result.runtime;
  const { settings, config } = runtime;

  const url = new URL(request.url);
  const site = runtime.sites.get(url.origin);
  if (site.signInLoopProblem) return refuse('ERR_GATEWAY_MISCONFIGURED');
  const canonical = canonicalizePath(url.pathname);
  if (!canonical.ok) return refuse(canonical.code);
  // The URL as the gateway serves it: its own origin, the canonical path, the query.
  const publicHref = `${url.origin}${canonical.path}${url.search}`;

  // Clerk's development satellite sync redirects to this parameter: to a foreign origin it is an
  // open redirect carrying the dev-browser token, malformed it makes Clerk throw. Refusing it
  // (instead of answering signed out) keeps a signed-in user from looping through sign-in.
  if (settings.instanceType === 'development' && !clerkRedirectUrlAllowed(url)) return refuse('ERR_CLERK_REDIRECT_URL');

  const rule = matchRoute(config, pathReadings(canonical.path));
  const now = (options.now ?? Date.now)();
  const auth = await authenticate(request, { ...runtime, site, url, publicHref, now });
  const decision = decide(
    {
      isNavigation: isNavigation(request.method, request.headers),
      returnUrl: publicHref,
      signInUrl: site.signInUrl,
      tasksUrl: site.tasksUrl,
      ...(settings.instanceType === 'development' ? devBrowser(request.headers.get('cookie')) : {}),
    },
    auth,
    rule,
  );

  switch (decision.kind) {
    case 'redirect':
      return redirect(decision.location, decision.reason, auth.headers);
    case 'deny':
      return refuse(decision.code, decision.code === 'ERR_SESSION_PENDING' ? { tasks_url: decision.tasksUrl } : {}, auth.headers, decision.reason);
    case 'forward': {
      const signedIn = auth.kind === 'signed-in' && decision.identity !== undefined;
      return forwardToOrigin({
        url: `${settings.originBase}${canonical.path}${url.search}`,
        method: request.method,
        headers: originRequestHeaders(request.headers, {
          status: decision.status,
          identity: decision.identity,
          host: url.host,
          proto: url.protocol === 'https:' ? 'https' : 'http',
          clientIp: request.headers.get('cf-connecting-ip'),
          ...(signedIn
            ? {
                sessionToken: auth.sessionToken,
                sessionRefreshed: auth.headers.some(([n, v]) => n === 'set-cookie' && v.startsWith('__session')),
              }
            : {}),
        }),
        body: request.method === 'GET' || request.method === 'HEAD' ? null : request.body,
        timeoutMs: settings.originTimeoutMs,
        responseHeaders: auth.headers,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    }
  }
}
