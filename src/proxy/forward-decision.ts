import type { AuthState } from '../auth/result';
import type { Decision } from '../decision/decide';
import { viewerOf } from '../decision/components';
import { writeComponentMarkupFailure, writeOriginBodyFailure, type Trace } from '../observe/trace';
import type { RequestFacts } from '../request/read';
import { publicReason } from '../respond/reasons';
import type { RouteDecision } from '../plan/plan';
import type { Runtime } from '../runtime/runtime';
import { assertionAudience } from './audience';
import { askForWholePages, withComponents } from './components/response';
import { forwardToOrigin } from './forward';
import { claimHeaderNames, forwardFor } from './forward-scope';
import { originRequestHeaders, type DroppedCounts } from './headers';
import { originTarget } from './origin-target';

/** Options for {@link forward}: the invocation's I/O. */
export interface ForwardDecisionOptions {
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** The request's time (`clock()` before authenticating), the assertion's `iat`. */
  now: number;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The invocation's `ctx.waitUntil`. @default none */
  waitUntil?: (promise: Promise<unknown>) => void;
}

export type Forward = Extract<Decision, { kind: 'forward' }>;

/**
 * Sends a request `decide()` let through to its origin, with the identity headers and the signed
 * assertion, client copies of both stripped, and streams the answer back with Clerk's headers.
 */
export async function forward(facts: RequestFacts, request: Request, decision: Forward, auth: AuthState, step: RouteDecision, runtime: Runtime, trace: Trace, options: ForwardDecisionOptions): Promise<Response> {
  const { settings } = runtime;
  const rule = step.policy;
  const origin = originTarget(rule?.origin, settings.originBase, runtime.bindings, facts.url.origin, step.path, facts.url.search);
  // Without a signing key there is nothing to wait for (an `await` is a turn of the microtask queue).
  const signing = signAssertion(facts.method, origin.target, decision, step, runtime, options.now);
  const assertion = signing && (await signing);
  const headers = originHeaders(facts, decision, auth, step, runtime, trace, assertion);
  const components = rule?.components ?? runtime.config.components;
  if (components) askForWholePages(headers, facts.headers);
  const sent = options.clock();
  const forwarded = await forwardToOrigin({
    url: origin.url,
    method: facts.method,
    headers,
    // A preflight let through unauthenticated never carries a body from a browser; none is forwarded.
    body: facts.method === 'GET' || facts.method === 'HEAD' || step.forwardPreflight ? null : request.body,
    timeoutMs: settings.originTimeoutMs,
    responseHeaders: [...auth.headers, ['x-request-id', trace.request_id]],
    html: facts.html,
    requestId: trace.request_id,
    // Watching the body costs a second stream and keeps the invocation alive until the body ends:
    // about a third of the gateway's own work on every answer, so only when asked (docs/performance.md).
    onBodyError: settings.logOriginBodyFailures ? (error: unknown) => writeOriginBodyFailure(trace, error) : undefined,
    waitUntil: settings.logOriginBodyFailures ? options.waitUntil : undefined,
    fetch: origin.fetch ?? options.fetch,
  });
  trace.origin_ms = options.clock() - sent;
  if ('failure' in forwarded) {
    trace.reason = forwarded.failure;
    trace.public_reason = publicReason(forwarded.failure).error;
    return forwarded.response;
  }
  trace.origin_status = forwarded.originStatus;
  // Opt-in per rule, else the config's: the origin's HTML with Clerk's control components resolved for this session.
  if (!components) return forwarded.response;
  return withComponents(forwarded.response, viewerOf(auth), { onProblem: (problem) => writeComponentMarkupFailure(trace, problem) });
}

/**
 * The signed identity assertion for `method` `target` (the request-target the origin receives),
 * or undefined without a signing key. `now`: the request's time (ms).
 */
export function signAssertion(method: string, target: string, decision: Forward, step: RouteDecision, runtime: Runtime, now: number): Promise<string> | undefined {
  const { settings } = runtime;
  return runtime.signer?.sign({
    issuer: settings.assertionIssuer ?? step.site.origin,
    audience: assertionAudience(step.policy?.origin, settings),
    method,
    target,
    status: decision.status,
    identity: decision.identity,
    principal: decision.principal,
    nowMs: now,
  });
}

/** What the origin gets: the client's headers less what it may not send, the identity, the assertion. */
export function originHeaders(
  facts: RequestFacts,
  decision: Forward,
  auth: AuthState,
  step: RouteDecision,
  runtime: Runtime,
  trace: Pick<Trace, 'request_id' | 'dropped_cookies' | 'dropped_headers'>,
  assertion: string | undefined,
): Headers {
  const { settings, config } = runtime;
  const dropped: DroppedCounts = { cookies: 0, headers: 0 };
  const signedIn = auth.kind === 'signed-in' && decision.identity !== undefined;
  const headers = originRequestHeaders(
    facts.headers,
    {
      status: decision.status,
      identity: decision.identity,
      principal: decision.principal,
      cookies: facts.cookies,
      host: facts.url.host,
      proto: facts.url.protocol === 'https:' ? 'https' : 'http',
      clientIp: facts.headers.get('cf-connecting-ip'),
      requestId: trace.request_id,
      // What this rule's origin is trusted with: a third party gets no session token or Clerk cookies unless said so.
      forward: forwardFor(step.policy, config, settings.originBase),
      claimHeaderNames: claimHeaderNames(config),
      assertion,
      sessionToken: signedIn ? auth.sessionToken : undefined,
      sessionRefreshed: signedIn ? auth.refreshed : undefined,
    },
    dropped,
  );
  trace.dropped_cookies = dropped.cookies;
  trace.dropped_headers = dropped.headers;
  return headers;
}
