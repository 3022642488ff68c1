import { publicAuthReason, type AuthFailure, type AuthState } from '../auth/result';
import type { LogLevel } from '../settings/settings';
import type { Decision } from '../decision/decide';
import type { Plan } from '../plan/plan';
import type { RequestFacts } from '../request/read';
import { publicReason, type ReasonCode } from '../respond/reasons';
import { explainMatch } from '../routing/match';
import type { RoutingWorld } from '../runtime/routing-world';

/**
 * What one request did, as logged (one JSON line) and counted. Never a token, cookie, secret or
 * query string: `path` is the canonical path, and `detail` has any JWT cut out.
 */
export interface Trace {
  msg: 'request';
  request_id: string;
  method: string;
  /** The canonical path; `null` when the path was refused. */
  path: string | null;
  /** The rule that decided (its name); `null` when no rule matched (public) and for the gateway's own endpoints. */
  rule: string | null;
  decision: 'forward' | 'redirect' | 'deny' | 'refuse' | 'endpoint' | 'preflight';
  status: number;
  /** The internal code (`ERR_CLERK_SIGNED_OUT`, `ERR_PATH_DOUBLE_ENCODING`, …). */
  reason: string | null;
  /** What tells cases apart: Clerk's reason and message, the `azp` seen, the budget call… */
  detail: string | null;
  /** The code clients see in `X-Auth-Reason` or the JSON `error`. */
  public_reason: string | null;
  user_id: string | null;
  session_status: 'active' | 'pending' | 'signed-out' | 'machine' | null;
  origin_status: number | null;
  auth_ms: number | null;
  origin_ms: number | null;
  /** Forwarded requests: client cookie pairs and header names the origin never got because of their spelling (see `DroppedCounts`); `null` otherwise. */
  dropped_cookies: number | null;
  dropped_headers: number | null;
  total_ms: number;
  /** `LOG_LEVEL=debug` only: the path as sent (before canonicalization), its readings, and the rule each matched. */
  steps?: { raw_path: string; readings: string[]; methods: string[]; matches: { reading: string; rule: string | null }[] };
}

export function newTrace(requestId: string, method: string): Trace {
  return {
    msg: 'request',
    request_id: requestId,
    method,
    path: null,
    rule: null,
    decision: 'refuse',
    status: 0,
    reason: null,
    detail: null,
    public_reason: null,
    user_id: null,
    session_status: null,
    origin_status: null,
    auth_ms: null,
    origin_ms: null,
    dropped_cookies: null,
    dropped_headers: null,
    total_ms: 0,
  };
}

const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g;

function redact(text: string): string {
  return text.replace(JWT, '[jwt]').slice(0, 300);
}

/** The log detail of a failure: enough to tell the cases apart, nothing secret. */
export function failureDetail(failure: AuthFailure): string | null {
  switch (failure.code) {
    case 'ERR_CLERK_SIGNED_OUT':
      return redact(
        (failure.clerkMessage ? `${failure.clerkReason}: ${failure.clerkMessage}` : failure.clerkReason) +
          (failure.tokenVerdict ? ` (the token is ${failure.tokenVerdict})` : ''),
      );
    case 'ERR_BACKEND_BUDGET':
      return `${failure.call} refused by the Backend API budget`;
    case 'ERR_REDIRECT_NOT_ALLOWED':
      return `Clerk asked for a redirect to ${failure.origin}`;
    case 'ERR_TOKEN_KIND_NOT_ACCEPTED':
      return `${failure.tokenKind} is not in the route's accept`;
    case 'ERR_MACHINE_TOKEN_INVALID':
      return redact(failure.clerkReason);
    case 'ERR_CLERK_UNAVAILABLE':
      return `${failure.call}: Clerk did not answer in time or answered unusably`;
    case 'ERR_SESSION_CLAIMS':
      return redact(failure.cause);
    case 'ERR_NO_CREDENTIALS':
    case 'ERR_AMBIGUOUS_SESSION_COOKIE':
    case 'ERR_UNKNOWN_KID':
    case 'ERR_TOKEN_SIGNATURE':
    case 'ERR_SESSION_INCOMPLETE':
    case 'ERR_AUTH_UNEXPECTED':
      return null;
  }
}

/**
 * Records the plan: the path (as sent for the health and keys endpoints, else canonical), the rule,
 * a refusal's code and, at `LOG_LEVEL=debug`, how the rules were met.
 */
export function tracePlan(trace: Trace, plan: Plan, facts: RequestFacts, world: RoutingWorld | undefined): void {
  const raw = plan.kind === 'endpoint' && plan.endpoint !== 'sign-out';
  trace.path = raw ? facts.url.pathname : facts.path.ok ? facts.path.path : null;
  if (plan.kind === 'refuse') return traceDecision(trace, plan);
  if (plan.kind === 'endpoint' || plan.kind === 'preflight') trace.decision = plan.kind;
  if (plan.kind === 'endpoint') return;
  trace.rule = plan.policy?.name ?? null;
  if (world?.settings.logLevel !== 'debug') return;
  const { readings } = facts;
  const matches = explainMatch(world.config, readings, { methods: plan.methods, host: plan.host });
  trace.steps = { raw_path: facts.url.pathname, readings: [...readings], methods: [...plan.methods], matches };
}

/** Records what was decided, and for a refusal or denial its internal and public codes (an auth failure's code is kept). */
export function traceDecision(trace: Trace, decision: Decision | { kind: 'refuse'; code: ReasonCode }): void {
  trace.decision = decision.kind;
  if (decision.kind === 'forward') return;
  if (decision.kind === 'refuse') {
    trace.reason = decision.code;
    trace.public_reason = publicReason(decision.code).error;
    return;
  }
  trace.public_reason = decision.reason;
  trace.reason ??= decision.code;
}

/** Records the authentication outcome: who, in what state, and why not signed in. */
export function traceAuth(trace: Trace, auth: AuthState): void {
  if (auth.kind === 'signed-in') {
    trace.user_id = auth.identity.userId;
    trace.session_status = auth.identity.status;
  } else if (auth.kind === 'machine') {
    trace.user_id = auth.principal.subject;
    trace.session_status = 'machine';
  } else if (auth.kind === 'signed-out') {
    trace.session_status = 'signed-out';
    trace.reason = auth.failure.code;
    trace.detail = failureDetail(auth.failure);
    trace.public_reason = publicAuthReason(auth.failure);
  } else {
    trace.reason = 'HANDSHAKE';
    trace.detail = redact(auth.clerkReason);
    trace.public_reason = 'handshake';
  }
}

/** Writes the line: `error` keeps only 5xx answers; 5xx lines go to the error stream. */
export function writeTrace(level: LogLevel, trace: Trace): void {
  if (level === 'error' && trace.status < 500) return;
  // `steps` is only ever set at debug level, so the trace is the line as it stands.
  const line = JSON.stringify(trace);
  if (trace.status >= 500) console.error(line);
  else console.log(line);
}

/**
 * The second line of a request whose origin body failed mid-stream (a reset after the headers):
 * the request line was written when the headers went out, with the origin's status; this one, on
 * the error stream, says the client got an error instead of the rest of the body. It repeats the
 * request's fields with `msg: "origin_body_failed"`, `reason: "ERR_ORIGIN_BODY"`, `detail` the
 * cause. Written whatever the log level: it is an error. A caller that cancels the body midway
 * (in the same isolate, through a Service Binding) writes it too, its reason as the `detail`: the
 * pipe cannot tell which side failed (both leave its writable errored).
 */
export function writeOriginBodyFailure(trace: Trace, error: unknown): void {
  const { steps: _steps, ...fields } = trace;
  const line = { ...fields, msg: 'origin_body_failed', reason: 'ERR_ORIGIN_BODY', detail: redact(String(error)), public_reason: null };
  console.error(JSON.stringify(line));
}

/** The origin's HTML had control components the gateway could not decide safely: the rest of the page was withheld. */
export function writeComponentMarkupFailure(trace: Trace, problem: string): void {
  const { steps: _steps, ...fields } = trace;
  const line = { ...fields, msg: 'component_markup_failed', reason: 'ERR_COMPONENT_MARKUP', detail: redact(problem), public_reason: null };
  console.error(JSON.stringify(line));
}

/**
 * One data point per request in Workers Analytics Engine, when the binding is configured:
 * blobs decision, public reason, rule, session status; doubles status, total ms; indexed by
 * decision. A failing write never fails the request.
 */
export function countTrace(dataset: AnalyticsEngineDataset | undefined, trace: Trace): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint({
      blobs: [trace.decision, trace.public_reason ?? '', trace.rule ?? '', trace.session_status ?? ''],
      doubles: [trace.status, trace.total_ms],
      indexes: [trace.decision],
    });
  } catch (error) {
    console.error('edge-auth-gateway: could not write to GATEWAY_METRICS:', error);
  }
}
