import { authenticate } from './auth/authenticate';
import { healthPath, type LogLevel } from './config/settings';
import type { CompiledConfig, TokenKind } from './config/types';
import { decide, type Decision } from './decision/decide';
import { health } from './endpoints/health';
import { jwks } from './endpoints/jwks';
import { signOut } from './endpoints/sign-out';
import type { Env } from './env';
import { requestId } from './observe/request-id';
import { countTrace, newTrace, traceAuth, writeOriginBodyFailure, writeTrace, type Trace } from './observe/trace';
import { JWKS_PATH } from './proxy/assertion';
import { forwardToOrigin } from './proxy/forward';
import { originRequestHeaders, type DroppedCounts } from './proxy/headers';
import { claimHeaderNames, forwardFor } from './proxy/forward-scope';
import { cookiePairs } from './request/cookies';
import { clerkRedirectUrlAllowed } from './request/clerk-redirect';
import { clientKind, returnUrl } from './request/navigation';
import { preflightAnswer, preflightResponse, withCors } from './respond/cors';
import { wantsHtml } from './respond/html';
import { publicReason, type ReasonCode } from './respond/reasons';
import { redirect, refuse, type RefuseOptions } from './respond/respond';
import { canonicalizePath } from './routing/canonicalize';
import { explainMatch, matchHost } from './routing/match';
import { planRequest } from './routing/plan';
import { organizationsIn } from './routing/params';
import { originTarget } from './proxy/origin-target';
import { assertionAudience } from './proxy/audience';
import { signedOut } from './auth/result';
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
  /** The invocation's `ctx.waitUntil` (a failure in the origin's body is logged after the answer went out). @default none */
  waitUntil?: (promise: Promise<unknown>) => void;
}

// What a path no rule matches takes: sessions, never an accidental "any".
const SESSIONS_ONLY: readonly TokenKind[] = ['session_token'];

/** What a denial says besides its code: where to sign in or finish the task, which scopes are missing. */
function denialOptions(decision: Extract<Decision, { kind: 'deny' }>): RefuseOptions {
  switch (decision.code) {
    case 'ERR_SESSION_PENDING':
      return { details: { tasks_url: decision.tasksUrl }, link: { href: decision.tasksUrl, text: 'Continue' }, ...hx(decision.hxRedirect) };
    case 'ERR_UNAUTHENTICATED':
      return { link: { href: decision.signInUrl, text: 'Sign in' }, ...hx(decision.hxRedirect) };
    case 'ERR_INSUFFICIENT_SCOPE':
      return { details: { missing_scopes: decision.missing } };
    case 'ERR_REVERIFICATION_REQUIRED':
      return decision.reverification ? { reverification: decision.reverification } : {};
    case 'ERR_FORBIDDEN':
    case 'ERR_ORGANIZATION_MISMATCH':
    case 'ERR_CLERK_UNAVAILABLE':
      return {};
  }
}


function hx(location: string | undefined): RefuseOptions {
  return location ? { hxRedirect: location } : {};
}


/** The dev-browser token Clerk adds to cross-origin sign-in redirects on development instances. */
function devBrowser(cookieHeader: string | null): { devBrowserToken?: string } {
  const pairs = cookiePairs(cookieHeader ?? '');
  const token = (pairs.find(([name]) => name === '__clerk_db_jwt') ?? pairs.find(([name]) => name.startsWith('__clerk_db_jwt_')))?.[1];
  return token ? { devBrowserToken: token } : {};
}

/**
 * One request through the gateway, with its request id on the answer (and to the origin), one
 * log line and one data point. A throw anywhere is answered 500 here and never forwarded.
 */
export async function handleRequest(request: Request, env: Env, options: HandleRequestOptions): Promise<Response> {
  const clock = options.now ?? Date.now;
  const started = clock();
  const trace = newTrace(requestId(request.headers), request.method);
  let level: LogLevel = 'info';
  let response: Response;
  try {
    const run = await pipeline(request, env, options, trace, clock);
    level = run.level;
    response = run.response;
  } catch (error) {
    console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
    response = refused(trace, 'ERR_INTERNAL');
  }
  trace.status = response.status;
  trace.total_ms = clock() - started;
  writeTrace(level, trace);
  countTrace(env.GATEWAY_METRICS, trace);
  // A forwarded answer already carries the id (its headers may be immutable); the gateway's own are not.
  if (!response.headers.has('x-request-id')) response.headers.set('x-request-id', trace.request_id);
  return response;
}

/** A refusal the gateway answers itself, traced with its code; an HTML page when a browser asked for one. */
function refused(trace: Trace, code: ReasonCode, html = false): Response {
  trace.decision = 'refuse';
  trace.reason = code;
  trace.public_reason = publicReason(code).error;
  return refuse(code, { html, requestId: trace.request_id });
}

/**
 * canonicalize → match → authenticate → decide → respond or forward. Nothing reaches the origin
 * unless `decide()` says forward. The gateway's own endpoints are exact paths, answered first.
 */
async function pipeline(
  request: Request,
  env: Env,
  options: HandleRequestOptions,
  trace: Trace,
  clock: () => number,
): Promise<{ response: Response; level: LogLevel }> {
  const url = new URL(request.url);
  const html = wantsHtml(request.headers.get('accept'));
  const result = getRuntime(env, options.config);
  if (url.pathname === (result.ok ? result.runtime.settings.healthPath : healthPath(env))) {
    trace.decision = 'endpoint';
    trace.path = url.pathname;
    // Valid settings can still be wrong for this host: a sign-in page here that a route protects.
    const problem = result.ok ? result.runtime.sites.get(url.origin).signInLoopProblem : undefined;
    return { response: health(problem ? { ok: false, problems: [problem] } : result), level: result.ok ? result.runtime.settings.logLevel : 'info' };
  }
  // The problems are in the log (getRuntime), never in the body: they can name internal URLs.
  if (!result.ok) return { response: refused(trace, 'ERR_GATEWAY_MISCONFIGURED', html), level: 'info' };
  if (url.pathname === JWKS_PATH) {
    trace.decision = 'endpoint';
    trace.path = url.pathname;
    return { response: jwks(result.runtime.signer), level: result.runtime.settings.logLevel };
  }
  const runtime = result.runtime;
  const { settings, config } = runtime;
  const level = settings.logLevel;
  const answer = (response: Response) => ({ response, level });

  const site = runtime.sites.get(url.origin);
  if (site.signInLoopProblem) return answer(refused(trace, 'ERR_GATEWAY_MISCONFIGURED', html));
  const canonical = canonicalizePath(url.pathname);
  if (!canonical.ok) return answer(refused(trace, canonical.code, html));
  trace.path = canonical.path;
  // The URL as the gateway serves it: its own origin, the canonical path, the query.
  const publicHref = `${url.origin}${canonical.path}${url.search}`;
  const now = clock();
  const context = { ...runtime, site, url, publicHref, now, accept: SESSIONS_ONLY, cookies: cookiePairs(request.headers.get('cookie') ?? '') };

  if (url.pathname === settings.signOutPath) {
    trace.decision = 'endpoint';
    const { response, auth } = await signOut(request, context, settings.signOutRedirectUrl);
    if (auth) traceAuth(trace, auth);
    return answer(response);
  }

  // Clerk's development satellite sync redirects to this parameter: to a foreign origin it is an
  // open redirect carrying the dev-browser token, malformed it makes Clerk throw. Refusing it
  // (instead of answering signed out) keeps a signed-in user from looping through sign-in.
  if (settings.instanceType === 'development' && !clerkRedirectUrlAllowed(url)) return answer(refused(trace, 'ERR_CLERK_REDIRECT_URL', html));

  const readings = pathReadings(canonical.path);
  const host = matchHost(url);
  const plan = planRequest(config, {
    method: request.method,
    headers: request.headers,
    search: url.searchParams,
    host,
    readings,
    aliases: { path: canonical.path, originBase: settings.originBase },
  });
  const { rule, readings: routedReadings } = plan;
  trace.rule = rule?.name ?? null;
  if (level === 'debug') trace.steps = { raw_path: url.pathname, readings, methods: [...plan.methods], matches: explainMatch(config, readings, { methods: plan.methods, host }) };
  if (plan.kind === 'preflight-answer') {
    // Answered here from the config: nothing runs at the origin for a request anyone can send.
    trace.decision = 'preflight';
    const answered = preflightAnswer(plan.cors, request.headers);
    return answer(answered.ok ? preflightResponse(answered.headers) : refused(trace, answered.code));
  }
  const preflight = plan.kind === 'preflight-forward';
  const cors = plan.kind === 'decide' ? plan.cors : undefined;
  const withCorsHeaders = (response: Response) => answer(withCors(response, cors, request.headers.get('origin')));

  // A preflight the rule forwards carries no credentials, and none are read.
  const auth = preflight ? signedOut({ code: 'ERR_NO_CREDENTIALS' }) : await authenticate(request, { ...context, accept: rule?.accept ?? SESSIONS_ONLY });
  trace.auth_ms = clock() - now;
  traceAuth(trace, auth);
  const client = clientKind(request.method, request.headers);
  const decision = decide(
    {
      client,
      preflight,
      origin: url.origin,
      returnUrl: returnUrl(client, request.headers, url.origin, publicHref),
      signInUrl: site.signInUrl,
      tasksUrl: site.tasksUrl,
      organizations: organizationsIn(rule, routedReadings),
      ...(settings.instanceType === 'development' ? devBrowser(request.headers.get('cookie')) : {}),
    },
    auth,
    rule,
  );
  trace.decision = decision.kind;

  switch (decision.kind) {
    case 'redirect':
      trace.public_reason = decision.reason;
      trace.reason ??= decision.code;
      return withCorsHeaders(redirect(decision.location, decision.reason, auth.headers, decision.status));
    case 'deny':
      trace.public_reason = decision.reason;
      trace.reason ??= decision.code;
      return withCorsHeaders(refuse(decision.code, { ...denialOptions(decision), headers: auth.headers, authReason: decision.reason, html, requestId: trace.request_id }));
    case 'forward': {
      const signedIn = auth.kind === 'signed-in' && decision.identity !== undefined;
      const origin = originTarget(rule?.origin, settings.originBase, env, url.origin, canonical.path, url.search);
      const audience = assertionAudience(rule?.origin, settings);
      const assertion = runtime.signer
        ? await runtime.signer.sign({
            issuer: settings.assertionIssuer ?? site.origin,
            audience,
            method: request.method,
            target: origin.target,
            status: decision.status,
            identity: decision.identity,
            principal: decision.principal,
            nowMs: now,
          })
        : undefined;
      const dropped: DroppedCounts = { cookies: 0, headers: 0 };
      const headers = originRequestHeaders(
        request.headers,
        {
          status: decision.status,
          identity: decision.identity,
          principal: decision.principal,
          host: url.host,
          proto: url.protocol === 'https:' ? 'https' : 'http',
          clientIp: request.headers.get('cf-connecting-ip'),
          requestId: trace.request_id,
          // What this rule's origin is trusted with: a third party gets no session token or Clerk cookies unless said so.
          forward: forwardFor(rule, config, settings.originBase),
          claimHeaderNames: claimHeaderNames(config),
          ...(assertion ? { assertion } : {}),
          ...(signedIn
            ? {
                sessionToken: auth.sessionToken,
                sessionRefreshed: auth.refreshed,
              }
            : {}),
        },
        dropped,
      );
      trace.dropped_cookies = dropped.cookies;
      trace.dropped_headers = dropped.headers;
      const sent = clock();
      const forwarded = await forwardToOrigin({
        url: origin.url,
        method: request.method,
        headers,
        // A preflight let through unauthenticated never carries a body from a browser; none is forwarded.
        body: request.method === 'GET' || request.method === 'HEAD' || preflight ? null : request.body,
        timeoutMs: settings.originTimeoutMs,
        responseHeaders: [...auth.headers, ['x-request-id', trace.request_id]],
        html,
        requestId: trace.request_id,
        onBodyError: (error) => writeOriginBodyFailure(trace, error),
        ...(options.waitUntil ? { waitUntil: options.waitUntil } : {}),
        ...(origin.fetch ? { fetch: origin.fetch } : options.fetch ? { fetch: options.fetch } : {}),
      });
      trace.origin_ms = clock() - sent;
      if ('failure' in forwarded) {
        trace.reason = forwarded.failure;
        trace.public_reason = publicReason(forwarded.failure).error;
      } else trace.origin_status = forwarded.originStatus;
      return withCorsHeaders(forwarded.response);
    }
  }
}
