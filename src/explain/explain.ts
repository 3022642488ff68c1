// `npm run routes -- explain`: what the gateway does with one request, for each session state.
// Not a model of the gateway: the request is read by its `readRequest`, planned by its `plan` and
// decided by its `decide`, once per client row with the headers that client sends; only the
// account of how the rules were met (attempts, skipped rules) is explain's own. Pure: a compiled
// config, settings and a request in, a report out (format.ts turns it into text).
import { __experimental_JWTPayloadToAuthObjectProperties as authObjectProperties } from '@clerk/shared/jwtPayloadParser';

import { identityFromAuth } from '../auth/identity';
import { tokenKindRefusal } from '../auth/authenticators/token-kind-gate';
import { gatewayReadsCredentials, readCredentials, type Credentials } from '../auth/credentials';
import { signedOut, type AuthState } from '../auth/result';
import type { GatewaySettings } from '../settings/settings';
import type { CompiledConfig, CompiledRoute } from '../config/types';
import { decide } from '../decision/decide';
import { policyOf, type Policy } from '../policy/policy';
import { originTarget } from '../proxy/origin-target';
import { decisionFacts } from '../decision/facts';
import { plan, type Plan, type PlanSetup, type RouteStep } from '../plan/plan';
import { CLERK_QUERY } from '../request/clerk-cookies';
import { readRequest, type RequestFacts } from '../request/read';
import { publicReason, type ReasonCode } from '../respond/reasons';
import { preflightAnswer } from '../respond/cors';
import { firstMatch, methodsToTry, ruleMisses } from '../routing/match';
import { UNNAMED_METHOD } from '../request/methods';
import { routingWorld } from '../runtime/routing-world';
import { Sites } from '../runtime/site';

import {
  ExplainInputError,
  PLACEHOLDER_ORIGIN,
  ruleRef,
  SESSION_STATES,
  type Attempt,
  type ExplainReport,
  type ExplainRequest,
  type Outcome,
  type Row,
  type RuleRef,
  type SessionFlags,
  type SessionState,
  type Skipped,
  type StateDecision,
} from './report';
import { sessionClaims, unreadFlags } from './session-claims';

/** The request's URL: absolute, or a path on the placeholder host. */
function requestUrl(raw: string): { url: URL; placeholderHost: boolean } {
  if (raw.startsWith('/') && !raw.startsWith('//')) return { url: new URL(`${PLACEHOLDER_ORIGIN}${raw}`), placeholderHost: true };
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ExplainInputError(`${JSON.stringify(raw)} is neither an http(s) URL nor a path starting with "/"`);
  }
  return { url, placeholderHost: false };
}

/** What answers `code` (a refusal before any rule): its status. */
function stopWith(code: ReasonCode, why: string): NonNullable<ExplainReport['stop']> {
  return { status: publicReason(code).status, code, why };
}

/** The `Origin` a preflight row comes from when none is given: one the config allows, if any. */
function defaultPreflightOrigin(config: CompiledConfig): string {
  const origins = config.cors?.origins;
  const first = origins && origins !== '*' ? [...origins][0] : undefined;
  return first ?? 'https://front-end.invalid';
}

/** The browser-side clients for a method: a page load for GET/HEAD, a preflight for OPTIONS, else a form submission. */
function clientsFor(method: string): Row['client'][] {
  if (method === 'GET' || method === 'HEAD') return ['page', 'api'];
  if (method === 'OPTIONS') return ['preflight', 'api'];
  return ['form', 'api'];
}

/**
 * The headers a browser (or API client) sends for each row, so the gateway's own `readRequest`
 * tells the client kind and the preflight as it does for a real request.
 */
function rowHeaders(client: Row['client'], config: CompiledConfig, request: ExplainRequest): Headers {
  const headers = new Headers(request.headers);
  const set = (values: Record<string, string>) => Object.entries(values).forEach(([name, value]) => headers.set(name, value));
  switch (client) {
    case 'page':
    case 'form':
      set({ 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html' });
      break;
    case 'preflight': {
      const asked = request.preflight;
      set({ origin: asked?.origin ?? defaultPreflightOrigin(config), 'access-control-request-method': (asked?.asks ?? 'POST').toUpperCase() });
      if (asked?.headers) headers.set('access-control-request-headers', asked.headers);
      break;
    }
    case 'api':
    case 'htmx':
      for (const name of ['sec-fetch-dest', 'sec-fetch-mode', 'hx-request']) headers.delete(name);
      set({ accept: 'application/json' });
  }
  return headers;
}

/** The session the flags describe, as the gateway reads a verified token's claims (`identityFromAuth`). */
export function sessionFor(state: Exclude<SessionState, 'signed-out'>, flags: SessionFlags): { auth: AuthState; claims: Record<string, unknown> } {
  const claims = sessionClaims(flags, state);
  // As acceptSessionClaims: Clerk's own reading of the claims, made header-safe.
  const identity = identityFromAuth(authObjectProperties(claims as Parameters<typeof authObjectProperties>[0]), claims);
  if (!identity) throw new ExplainInputError('the session flags make no usable identity');
  return { auth: { kind: 'signed-in', identity, sessionToken: 'explain', headers: [], refreshed: false }, claims };
}

/**
 * A row's auth state: the gateway's own reading of the request's credentials (`readCredentials`)
 * and of the route's `accept` (`tokenKindRefusal`), then, for pending and active, the session
 * the flags describe, carried as a session cookie. Clerk itself is not asked: what only Clerk
 * decides (a handshake, a development browser's sync) is not shown.
 */
function rowAuth(session: AuthState | undefined, carried: ExplainRequest['credential'], facts: RequestFacts, policy: Policy | undefined, production: boolean, satellite: boolean): RowAuth {
  const accept = policy?.accept ?? ['session_token'];
  const credentials: Credentials = !session
    ? readCredentials(facts, facts.cookies, facts.url, gatewayReadsCredentials(facts, production, satellite))
    : carried === 'bearer'
      ? { kind: 'bearer', token: 'explain' }
      : { kind: 'cookie', token: 'explain', clientUat: 0 };
  const refusal = tokenKindRefusal(credentials, accept);
  if (refusal) return { auth: refusal, clerkAsked: false };
  // Clerk's authenticateRequest runs on cookies; a bearer token is verified without its cookie checks.
  return { auth: session ?? signedOut({ code: 'ERR_NO_CREDENTIALS' }), clerkAsked: credentials.kind === 'delegated' || credentials.kind === 'cookie' };
}

/** A row's auth state, and whether Clerk is asked about the request (it may then answer first: `clerkAnswersFirst`). */
interface RowAuth {
  auth: AuthState;
  clerkAsked: boolean;
}

/** Why the gateway answers before any rule, in words, for each plan that stops there. */
function stopFor(planned: Exclude<Plan, { kind: 'route' | 'preflight' }>, settings: GatewaySettings, host: string): NonNullable<ExplainReport['stop']> {
  if (planned.kind === 'refuse') {
    if (planned.code !== 'ERR_GATEWAY_MISCONFIGURED') return stopWith(planned.code, publicReason(planned.code).message);
    return stopWith(planned.code, `${planned.problem} (every request on ${host} gets 500)`);
  }
  switch (planned.endpoint) {
    case 'health':
      return { code: 'endpoint', why: `the health endpoint (HEALTH_PATH ${settings.healthPath}), answered before any rule` };
    case 'jwks':
      return { code: 'endpoint', why: 'the assertion keys (JWKS), answered before any rule' };
    case 'sign-out':
      return { code: 'endpoint', why: `the sign-out endpoint (SIGN_OUT_PATH ${settings.signOutPath}; POST from this site), answered before any rule` };
    case 'forward-auth':
      return { code: 'endpoint', why: `the forward-auth endpoint (FORWARD_AUTH_PATH ${settings.forwardAuth?.path ?? ''}; a proxy asks it about another request), answered before any rule` };
    case 'frontend-api-proxy':
      return { code: 'endpoint', why: `Clerk's Frontend API (CLERK_FRONTEND_API_PROXY_PATH ${settings.frontendApiProxy?.path ?? ''}, forwarded to ${settings.frontendApiProxy?.fapiUrl ?? ''}), never the origin, before any rule` };
  }
}

/** The report before any plan: the request as given, the sign-in and task pages of its host. */
function emptyReport(method: string, url: URL, placeholderHost: boolean, site: { signInUrl: string; tasksUrl: string }): ExplainReport {
  return {
    method,
    url: url.href,
    host: url.hostname,
    placeholderHost,
    signInUrl: site.signInUrl,
    tasksUrl: site.tasksUrl,
    readings: [],
    methods: [],
    attempts: [],
    rule: undefined,
    route: undefined,
    organizations: [],
    decisive: undefined,
    skipped: [],
    forwardTo: undefined,
    decisions: [],
    notes: [],
  };
}

/**
 * What the gateway does with `request` under `config` (as compiled from routes.config.ts) and
 * `settings`, for each session state asked for. The request is read by the gateway's own
 * `readRequest` and planned by its own `plan`, once bare and once per client row with the headers
 * that client sends, and each row decided by `decide`: explain cannot disagree with the Worker.
 */
export function explain(routes: CompiledConfig, settings: GatewaySettings, request: ExplainRequest): ExplainReport {
  const method = request.method.toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new ExplainInputError(`${JSON.stringify(request.method)} is not an HTTP method`);
  const { url, placeholderHost } = requestUrl(request.url);
  const world = routingWorld(settings, routes);
  const report = emptyReport(method, url, placeholderHost, new Sites(settings).get(url.origin));
  const read = (headers: Headers) => readRequest({ method, url: url.href, headers });
  const setup = (): PlanSetup => (world.ok ? { ok: true, world: world.world } : { ok: false, healthPath: settings.healthPath });
  const facts = read(new Headers(request.headers));
  const planned = plan(facts, setup());
  if (facts.path.ok) report.canonicalPath = facts.path.path;
  if (!world.ok && planned.kind === 'refuse') return { ...report, stop: stopWith(planned.code, `${world.problems.join('; ')} (the Worker does not start: every request gets 500)`) };
  if (planned.kind === 'refuse' || planned.kind === 'endpoint' || !world.ok) return { ...report, stop: stopFor(planned as Exclude<Plan, { kind: 'route' | 'preflight' }>, settings, url.host) };
  describeMatch(report, world.world.config, facts, planned);
  report.forwardTo = forwardTo(planned, settings, facts.url);
  report.organizations = planned.kind === 'route' ? planned.organizations : [];
  const rowPlan = (client: Row['client']) => {
    const rowFacts = read(rowHeaders(client, world.world.config, request));
    return { facts: rowFacts, plan: plan(rowFacts, setup()) };
  };
  const rows = clientsFor(method).map((client) => ({ client, ...rowPlan(client) }));
  for (const state of request.states ?? SESSION_STATES) report.decisions.push(decideState(state, request, planned.policy, rows, report, settings));
  return report;
}

/** Where a forwarded request goes: `ORIGIN_URL` or the rule's origin, with the path and query. */
function forwardTo(planned: RouteStep, settings: GatewaySettings, url: Pick<URL, 'origin' | 'search'>): string {
  const origin = planned.policy?.origin;
  const binding = new Map(origin?.kind === 'binding' ? [[origin.binding, { fetch }]] : []);
  const to = originTarget(origin, settings.originBase, binding, url.origin, planned.path, url.search);
  return origin?.kind === 'binding' ? `service binding ${origin.binding}: ${to.target}` : to.url;
}

type RowPlan = { client: Row['client']; facts: RequestFacts; plan: Plan };

/** One session state's rows: each client's request, planned and decided as the gateway does. */
function decideState(state: SessionState, request: ExplainRequest, policy: Policy | undefined, rows: readonly RowPlan[], report: ExplainReport, settings: GatewaySettings): StateDecision {
  const flags = request.session ?? {};
  const carried = request.credential;
  const notes: string[] = [];
  const session = state === 'signed-out' ? undefined : sessionFor(state, flags);
  if (session && state === 'active') report.notes.push(...unreadFlags(flags, session.claims).map((flag) => `${flag} does not read back from the claims with has()`));
  if (session && policy && !policy.accept.includes('session_token')) {
    notes.push(`the rule accepts ${policy.accept.join(', ')} only: a session token is signed out (token_kind_not_accepted)`);
  }
  const production = settings.instanceType === 'production';
  const out = rows.map(({ client, facts, plan: planned }) => {
    const auth = rowAuth(session?.auth, carried, facts, planned.kind === 'route' ? planned.policy : policy, production, planned.kind === 'route' && planned.site.clerk.satellite);
    return { client, outcome: rowOutcome(planned, facts, auth, settings) };
  });
  return { state, ...(session ? { claims: session.claims } : {}), notes, rows: out };
}

/**
 * On a development instance, Clerk answers some requests itself before reading any session (the
 * gateway hands every development request to Clerk): a primary answering a satellite's sync
 * (`__clerk_redirect_url`), a dev browser syncing (`__clerk_db_jwt` in the query), in
 * `@clerk/backend`'s order (authenticateRequest). A browser is taken to hold its dev-browser token
 * already (Clerk gives it one through a handshake on its first page load).
 */
function clerkAnswersFirst(facts: RequestFacts, settings: GatewaySettings): Extract<Outcome, { kind: 'clerk' }> | undefined {
  if (settings.instanceType !== 'development') return undefined;
  const query = facts.url.searchParams;
  if (query.has(CLERK_QUERY.redirectUrl)) return { kind: 'clerk', reason: 'primary-responds-to-syncing' };
  if (query.has(CLERK_QUERY.devBrowser)) return { kind: 'clerk', reason: 'dev-browser-sync' };
  return undefined;
}

/** What the gateway answers one row's request in one auth state. */
function rowOutcome(planned: Plan, facts: RequestFacts, { auth, clerkAsked }: RowAuth, settings: GatewaySettings): Outcome {
  if (planned.kind === 'preflight') {
    // Answered at the edge from the config, whatever the session: as the gateway does.
    const answered = preflightAnswer(planned.cors, facts.headers);
    if (answered.ok) return { kind: 'answer', status: 204, allowOrigin: answered.headers.find(([n]) => n === 'access-control-allow-origin')?.[1] ?? '' };
    return { kind: 'deny', status: publicReason(answered.code).status, code: answered.code, reason: publicReason(answered.code).error };
  }
  if (planned.kind !== 'route') return { kind: 'deny', status: 500, code: 'ERR_INTERNAL', reason: 'internal_error' };
  // A preflight the rule forwards carries no credentials, and none are read.
  const stateAuth = planned.forwardPreflight ? signedOut({ code: 'ERR_NO_CREDENTIALS' }) : auth;
  const clerk = clerkAsked && !planned.forwardPreflight ? clerkAnswersFirst(facts, settings) : undefined;
  if (clerk) return clerk;
  const decision = decide(decisionFacts(facts, planned, settings.instanceType === 'development'), stateAuth, planned.policy);
  switch (decision.kind) {
    case 'forward':
      return { kind: 'forward', status: decision.status };
    case 'redirect':
      return { kind: 'redirect', code: decision.code, status: decision.status, location: decision.location, reason: decision.reason };
    case 'deny':
      return { kind: 'deny', status: publicReason(decision.code).status, code: decision.code, reason: decision.reason };
  }
}

/** How the rules were met: the readings and methods tried, the rule each attempt found, why earlier rules did not apply. */
function describeMatch(report: ExplainReport, config: CompiledConfig, facts: RequestFacts, planned: Extract<Plan, { kind: 'route' | 'preflight' }>): void {
  const { method } = report;
  const { readings } = facts;
  const host = planned.host;
  const target = { method, methods: planned.methods, host };
  const primary = firstMatch(config, readings[0] as string, method, host);
  report.readings = [...readings];
  // When no rule names methods, the method plays no part: shown as sent (a POST's `*` would say nothing).
  const tried = [...methodsToTry(config, target)];
  report.methods = config.methodsUsed ? tried : [method];
  for (const reading of readings) {
    for (const m of tried) report.attempts.push({ reading, method: config.methodsUsed ? m : method, rule: ruleRef(firstMatch(config, reading, m, host)) });
  }
  report.rule = ruleRef(primary);
  report.route = planned.policy;
  if (planned.policy !== policyOf(primary)) report.met = metRules(config, readings, tried, host).map(ruleRef);
  if (planned.policy?.protect && planned.policy.accept.length === 0) {
    report.notes.push('the rules met accept no kind of token in common: every credential is refused (give a machine-token rule no methods, or the same accept as the rules beside it)');
  }
  // The attempt that found the primary rule: the first reading, the request's own method.
  report.decisive = { reading: readings[0] as string, method: config.methodsUsed ? method : report.methods[0] ?? method, rule: report.rule };
  report.skipped = skippedRules(config, primary, report.decisive, host, report.notes);
}

function metRules(config: CompiledConfig, readings: readonly string[], methods: readonly string[], host: string): (CompiledRoute | undefined)[] {
  const met: (CompiledRoute | undefined)[] = [];
  for (const reading of readings) for (const m of methods) {
    const route = firstMatch(config, reading, m, host);
    if (!met.includes(route)) met.push(route);
  }
  return met;
}

/** Why each rule before the primary one did not apply to the decisive attempt. */
function skippedRules(config: CompiledConfig, primary: CompiledRoute | undefined, decisive: Attempt, host: string, notes: string[]): Skipped[] {
  const position = primary ? config.routes.indexOf(primary) : -1;
  const before = position === -1 ? config.routes : config.routes.slice(0, position);
  const skipped: Skipped[] = [];
  for (const route of before) {
    const why = ruleMisses(route, decisive.reading, decisive.method, host);
    // Cannot happen (firstMatch returns the first rule that applies); said rather than hidden.
    if (!why) {
      notes.push(`${ruleRef(route)?.label} applies to ${decisive.reading} yet did not decide: a bug in explain`);
      continue;
    }
    const listed = why === 'method' ? [...(route.methods ?? [])] : why === 'host' ? route.hosts : undefined;
    skipped.push({ ...(ruleRef(route) as RuleRef), why, ...(listed ? { listed } : {}) });
  }
  return skipped;
}

/** The methods `--per-method` shows: the common ones, and any other a rule names. */
const COMMON_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export interface MethodRow {
  method: string;
  /** What an API call with this method gets, per session state asked for. */
  outcomes: { state: SessionState; outcome: Outcome }[];
}

/**
 * `routes explain --per-method URL`: for each method (the common ones and every one a rule names),
 * what an API call gets in each session state, from the same `explain` (and so the same plan) as
 * one method. Shows at a glance a method a rule set leaves reachable with less.
 */
export function explainPerMethod(routes: CompiledConfig, settings: GatewaySettings, request: Omit<ExplainRequest, 'method'>): MethodRow[] {
  const named = (routes.methodsUsed ?? []).filter((m) => !COMMON_METHODS.includes(m) && m !== UNNAMED_METHOD);
  return [...COMMON_METHODS, ...named].map((method) => {
    const report = explain(routes, settings, { ...request, method });
    const outcomes = report.stop
      ? (request.states ?? SESSION_STATES).map((state) => ({ state, outcome: { kind: 'deny', status: report.stop?.status ?? 0, code: report.stop?.code ?? '', reason: report.stop?.why ?? '' } as Outcome }))
      : report.decisions.map((d) => ({ state: d.state, outcome: (d.rows.find((row) => row.client === 'api') as Row).outcome }));
    return { method, outcomes };
  });
}
