import { healthPath, type LogLevel } from './settings/settings';
import type { CompiledConfig } from './config/types';
import { decideRoute } from './decide-route';
import { answerEndpoint } from './endpoints/answer';
import type { Env } from './env';
import { requestId } from './observe/request-id';
import { countTrace, newTrace, traceAuth, traceDecision, tracePlan, writeTrace, type Trace } from './observe/trace';
import { plan, type RouteDecision } from './plan/plan';
import { forward, type ForwardDecisionOptions } from './proxy/forward-decision';
import { readRequest, type RequestFacts } from './request/read';
import { preflightAnswer, preflightResponse, withCors } from './respond/cors';
import { respondTo } from './respond/decision';
import { refuse } from './respond/respond';
import { getRuntime } from './runtime/isolate';
import type { Runtime } from './runtime/runtime';
import { authContext, ready } from './runtime/auth-context';

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

/**
 * One request through the gateway, with its request id on the answer (and to the origin), one
 * log line and one data point. A throw anywhere is answered 500 here and never forwarded.
 */
export async function handleRequest(request: Request, env: Env, options: HandleRequestOptions): Promise<Response> {
  const clock = options.now ?? Date.now;
  const started = clock();
  // Its id comes from the request's headers once they are read (pipeline), else from here on a throw.
  const trace = newTrace('', request.method);
  let level: LogLevel = 'info';
  let response: Response;
  try {
    ({ response, level } = await pipeline(request, env, options, trace, clock));
  } catch (error) {
    trace.request_id ||= crypto.randomUUID();
    console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
    traceDecision(trace, { kind: 'refuse', code: 'ERR_INTERNAL' });
    response = refuse('ERR_INTERNAL', { requestId: trace.request_id });
  }
  trace.status = response.status;
  trace.total_ms = clock() - started;
  writeTrace(level, trace);
  countTrace(env.GATEWAY_METRICS, trace);
  // A forwarded answer carries the id already (forwardToOrigin adds it; asking costs a call into the
  // runtime); the gateway's own answers get it here, unless one already has it (a proxied answer's
  // headers may be immutable).
  if (trace.origin_status === null && !response.headers.has('x-request-id')) response.headers.set('x-request-id', trace.request_id);
  return response;
}

/** read → plan → authenticate → decide → respond or forward. Nothing reaches the origin unless `decide()` says forward. */
async function pipeline(request: Request, env: Env, options: HandleRequestOptions, trace: Trace, clock: () => number): Promise<{ response: Response; level: LogLevel }> {
  const facts = readRequest(request);
  trace.request_id = requestId(facts.headers);
  const result = getRuntime(env, options.config);
  const runtime = result.ok ? result.runtime : undefined;
  const planned = plan(facts, runtime ? { ok: true, world: runtime } : { ok: false, healthPath: healthPath(env) });
  tracePlan(trace, planned, facts, runtime);
  const answer = (response: Response) => ({ response, level: runtime?.settings.logLevel ?? 'info' });
  const now = clock();
  switch (planned.kind) {
    case 'refuse':
      return answer(refuse(planned.code, { html: facts.html, requestId: trace.request_id }));
    case 'endpoint': {
      const answered = await answerEndpoint(planned, request, result, () => authContext(facts, ready(runtime), planned.site, now), facts.html, now);
      if (answered.auth) traceAuth(trace, answered.auth);
      return answer(answered.response);
    }
    case 'preflight': {
      // Answered here from the config: nothing runs at the origin for a request anyone can send.
      const answered = preflightAnswer(planned.cors, facts.headers);
      if (!answered.ok) traceDecision(trace, { kind: 'refuse', code: answered.code });
      return answer(answered.ok ? preflightResponse(answered.headers) : refuse(answered.code, { requestId: trace.request_id }));
    }
    case 'route': {
      const response = await route(request, facts, planned, ready(runtime), trace, { clock, now, fetch: options.fetch, waitUntil: options.waitUntil });
      return answer(withCors(response, planned.cors, facts.headers.get('origin')));
    }
  }
}

/** authenticate → decide → answer or forward, for a request a rule (or the default) decides. */
async function route(request: Request, facts: RequestFacts, step: RouteDecision, runtime: Runtime, trace: Trace, io: ForwardDecisionOptions): Promise<Response> {
  const { auth, decision } = await decideRoute(request, facts, step, runtime, io.now);
  trace.auth_ms = io.clock() - io.now;
  traceAuth(trace, auth);
  traceDecision(trace, decision);
  if (decision.kind !== 'forward') return respondTo(decision, auth.headers, { html: facts.html, requestId: trace.request_id });
  return forward(facts, request, decision, auth, step, runtime, trace, io);
}
