import { authenticate } from './auth/authenticate';
import type { CompiledConfig } from './config/types';
import { decide, isNavigation } from './decision/decide';
import type { Env } from './env';
import { forwardToOrigin } from './proxy/forward';
import { originRequestHeaders } from './proxy/headers';
import { redirect, refuse } from './respond/respond';
import { canonicalizePath } from './routing/canonicalize';
import { matchRoute } from './routing/match';
import { pathReadings } from './routing/readings';
import { getRuntime } from './runtime';

/** Options for {@link handleRequest}. */
export interface HandleRequestOptions {
  /** The compiled routes (from `routes.config.ts`). */
  config: CompiledConfig;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * One request through the gateway: canonicalize → match → authenticate → decide → respond or
 * forward. Nothing reaches the origin unless `decide()` says forward.
 */
export async function handleRequest(request: Request, env: Env, options: HandleRequestOptions): Promise<Response> {
  const result = getRuntime(env, options.config);
  if (!result.ok) return refuse('ERR_GATEWAY_MISCONFIGURED', { problems: result.problems });
  const runtime = result.runtime;
  const { settings, config, signInLoop } = runtime;

  const url = new URL(request.url);
  const canonical = canonicalizePath(url.pathname);
  if (!canonical.ok) return refuse(canonical.code);
  // The URL as the gateway serves it: its own origin, the canonical path, the query.
  const publicHref = `${url.origin}${canonical.path}${url.search}`;

  const signInRelative = settings.signInUrl.startsWith('/');
  const signInHref = signInRelative ? `${url.origin}${settings.signInUrl}` : settings.signInUrl;
  if (signInLoop && (signInRelative || new URL(signInHref).host === url.host)) {
    console.error(`edge-auth-gateway: ${signInLoop}`);
    return refuse('ERR_GATEWAY_MISCONFIGURED', { problems: [signInLoop] });
  }

  const rule = matchRoute(config, pathReadings(canonical.path));
  const now = (options.now ?? Date.now)();
  const auth = await authenticate(request, { ...runtime, url, publicHref, now });
  const decision = decide(
    { isNavigation: isNavigation(request.method, request.headers), returnUrl: publicHref, signInUrl: signInHref },
    auth,
    rule,
  );

  switch (decision.kind) {
    case 'redirect':
      return redirect(decision.location, auth.headers);
    case 'deny':
      return refuse(decision.code, decision.code === 'ERR_SESSION_PENDING' ? { tasks_url: decision.tasksUrl } : {}, auth.headers);
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
