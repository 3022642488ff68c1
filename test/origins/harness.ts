// Workerd side of the origins suite: sends corpus requests through the real gateway pipeline
// (handleRequest, in workerd) to a real framework origin on 127.0.0.1, and judges what the
// framework did (which handler ran) and believed (identity headers, forwarded host, cookies).
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';

import { handleRequest } from '../../src/gateway';
import { GATEWAY, mintToken, nowSeconds, sessionCookie, testEnv, type TestEnv } from '../helpers';
import { aliasConfig, CLASS_NAMES, CONTROL_PROTECTED, CORPUS, ORIGINS_CONFIG, type ClassId, type CookieParts, type CorpusRequest } from './corpus';

/** What test/origins/global-setup.mjs provides (binding ORIGINS_SUITE). */
export interface OriginsSuite {
  origins: Record<
    string,
    {
      /**
       * 'whole-app': an app guarded as a whole by a verifier (whole-app.test.ts), not in the conformance runs;
       * 'forward-auth': a proxy asking the gateway (forward-auth.test.ts), sent to directly.
       */
      kind: 'node' | 'external' | 'whole-app' | 'forward-auth';
      /** forward-auth: the proxy's answer style (`nginx` turns redirects into 401s the recipe follows). */
      style?: 'nginx' | 'caddy';
      /** forward-auth: the gateway it asks, self-hosted on workerd, which forwards to the collector's echo. */
      gateway?: string;
      /** forward-auth: what the echo behind that gateway saw of a request global-setup sent with `CF-Connecting-IP: 6.6.6.6`. */
      clientIpProbe?: { status: number; headers: Record<string, string>; error?: string };
      port?: number;
      skipped?: string;
      detail?: string;
      /** Whether the app's identity-assertion verifier loaded: 'ok', or why not (verifiers.test.ts). */
      verifier?: string;
    }
  >;
  /** The collector: per-class reports, and the JWKS served to the verifiers (GET/PUT /jwks/<origin>.json). */
  reportPort: number;
  /** The identity assertion's keys (verifiers.test.ts): made by global-setup.mjs. */
  assertion?: {
    /** The gateway's origin, the assertion's `iss`. */
    issuer: string;
    /** ES256 private JWKs with their kid: `current` signs, `previous` signed before the rotation. */
    current: Record<string, string>;
    previous: Record<string, string>;
    /** The JWKS every app pastes: both public keys. */
    jwks: { keys: Record<string, string>[] };
    jwksFile: string;
    /** The apps' JWKS-URL mode refetches for an unknown kid at most once per this many ms. */
    cooldownMs: number;
  };
}

export function originsSuite(): OriginsSuite | undefined {
  const raw = (env as unknown as Record<string, unknown>).ORIGINS_SUITE;
  return typeof raw === 'string' && raw ? (JSON.parse(raw) as OriginsSuite) : undefined;
}

/** The JSON every framework handler answers (see test/origins/apps/). */
export interface FrameworkView {
  framework: string;
  handler: string;
  path?: unknown;
  userId?: string | null;
  sessionId?: string | null;
  sessionStatus?: string | null;
  forwardedHost?: string | null;
  session?: string | null;
  clientUat?: string | null;
  /** Other cookie parsers' readings on the same origin: { name: { session, clientUat } }. */
  alt?: Record<string, { session?: string | null; clientUat?: string | null }>;
}

// One env object per origin, made once: the gateway keys its per-isolate runtime on it.
const envs = new Map<number, TestEnv>();
/** The test bindings with `ORIGIN_URL` at the origin on `port`, made once per port (a runtime per env object). */
export function envFor(port: number): TestEnv {
  let e = envs.get(port);
  if (!e) envs.set(port, (e = { ...testEnv, ORIGIN_URL: `http://127.0.0.1:${port}` }));
  return e;
}

// Class 6's config per origin, made once (its rules name the origin's own URL).
const aliasConfigs = new Map<number, ReturnType<typeof aliasConfig>>();
function aliasConfigFor(port: number): ReturnType<typeof aliasConfig> {
  let config = aliasConfigs.get(port);
  if (!config) aliasConfigs.set(port, (config = aliasConfig(`http://127.0.0.1:${port}`)));
  return config;
}

export interface Tokens extends CookieParts {}

export async function freshTokens(): Promise<Tokens> {
  const uat = nowSeconds() - 1;
  return {
    alice: await mintToken({ claims: { sub: 'user_alice', sid: 'sess_alice', iat: uat, nbf: uat } }),
    forged: await mintToken({ key: 'foreign', claims: { sub: 'user_admin', sid: 'sess_admin' } }),
    uat,
  };
}

export interface Outcome {
  status: number;
  /** The framework's answer, or undefined when the gateway answered itself. */
  view: FrameworkView | undefined;
  gatewayBody: string | undefined;
}

/** How a corpus request reaches the app on `port`: through the gateway (`send`), or to a proxy that asks it (`sendToProxy`). */
export type Transport = (port: number, request: CorpusRequest, tokens: Tokens) => Promise<Outcome>;

/** The request's headers: its own, then Alice's cookies when it has her credentials. */
function corpusHeaders(request: CorpusRequest, tokens: Tokens): Headers {
  const headers = new Headers();
  for (const [name, value] of request.headers ?? []) headers.append(name, value);
  if (request.credentials === 'alice') {
    const cookies = request.cookie ? request.cookie(tokens) : sessionCookie(tokens.alice, tokens.uat);
    for (const c of Array.isArray(cookies) ? cookies : [cookies]) headers.append('cookie', c);
  }
  return headers;
}

async function outcomeOf(res: Response): Promise<Outcome> {
  const { text, view } = await frameworkView<FrameworkView>(res);
  return { status: res.status, view, gatewayBody: view ? undefined : text.slice(0, 120) };
}

/** One request through the gateway to the origin on `port`. */
export async function send(port: number, request: CorpusRequest, tokens: Tokens): Promise<Outcome> {
  const req = new Request(`${GATEWAY}${request.path}`, { method: request.method ?? 'GET', headers: corpusHeaders(request, tokens), redirect: 'manual' });
  return outcomeOf(await handleRequest(req, envFor(port), { config: request.cls === 6 ? aliasConfigFor(port) : ORIGINS_CONFIG }));
}

/** One request straight to a proxy on `port` that asks the gateway (forward auth) before the app. */
export async function sendToProxy(port: number, request: CorpusRequest, tokens: Tokens): Promise<Outcome> {
  const req = new Request(`http://127.0.0.1:${port}${request.path}`, { method: request.method ?? 'GET', headers: corpusHeaders(request, tokens), redirect: 'manual' });
  return outcomeOf(await fetch(req));
}

/** How a run reaches the app, and the host the app must believe it was asked on. */
export interface RunOptions {
  /** @default send (through the gateway) */
  transport?: Transport;
  /** @default 'gateway.test' */
  expectedHost?: string;
}

/** The answer's body, and what the origin app saw when it is the app's JSON view (not the gateway's own answer). */
export async function frameworkView<V extends FrameworkView>(res: Response): Promise<{ text: string; view: V | undefined }> {
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const view = parsed && typeof parsed === 'object' && typeof (parsed as FrameworkView).framework === 'string' ? (parsed as V) : undefined;
  return { text, view };
}

const empty = (v: unknown) => v === undefined || v === null || v === '';

export type ViolationKind = 'protected-hit' | 'spoof' | 'lost' | 'inconclusive';
export interface Violation {
  kind: ViolationKind;
  message: string;
}

/** Shows a request the way it was sent: path, extra headers, cookies (tokens abbreviated). */
export function describeRequest(request: CorpusRequest, tokens: Tokens): string {
  const abbreviate = (s: string) => s.replaceAll(tokens.alice, '<ALICE>').replaceAll(tokens.forged, '<FORGED>');
  const parts = [`GET ${JSON.stringify(request.path).slice(1, -1)}`];
  for (const [n, v] of request.headers ?? []) parts.push(`${n}: ${v}`);
  if (request.credentials === 'alice') {
    const cookies = request.cookie ? request.cookie(tokens) : sessionCookie(tokens.alice, tokens.uat);
    for (const c of Array.isArray(cookies) ? cookies : [cookies]) parts.push(`Cookie: ${JSON.stringify(abbreviate(c)).slice(1, -1)}`);
  } else parts.push('no credentials');
  return parts.join(' | ');
}

/**
 * Judges one outcome. The framework must never run a protected handler while it believes the
 * request signed out, never believe an identity other than signed-out or (when Alice's session
 * was sent) Alice's, never read a forwarded host other than the gateway's, and, whenever it
 * believes Alice, read exactly Alice's `__session` (and `__client_uat`) through every parser.
 */
export function judge(request: CorpusRequest, outcome: Outcome, tokens: Tokens, expectedHost = 'gateway.test'): Violation[] {
  const v = outcome.view;
  // The gateway forwarded but lost the origin's answer: nothing can be judged, which is no pass.
  if (!v && (outcome.status === 502 || outcome.status === 504)) {
    return [{ kind: 'inconclusive', message: `the gateway forwarded but the origin did not answer (${outcome.gatewayBody})` }];
  }
  if (!v) return [];
  const out: Violation[] = [];
  const signedOut = empty(v.userId) && empty(v.sessionId) && v.sessionStatus === 'signed-out';
  const asAlice =
    request.credentials === 'alice' && v.userId === 'user_alice' && v.sessionId === 'sess_alice' && v.sessionStatus === 'active';
  const abbreviate = (s: unknown) =>
    typeof s === 'string' ? JSON.stringify(s.replaceAll(tokens.alice, '<ALICE>').replaceAll(tokens.forged, '<FORGED>').slice(0, 80)) : String(s);
  const seen = `userId=${abbreviate(v.userId)} sessionId=${abbreviate(v.sessionId)} status=${abbreviate(v.sessionStatus)}`;

  if (!signedOut && !asAlice) {
    out.push({ kind: 'spoof', message: `believed identity ${seen} (expected signed-out${request.credentials === 'alice' ? ' or user_alice' : ''})` });
  }
  if (v.handler.startsWith('protected:') && !asAlice) {
    out.push({ kind: 'protected-hit', message: `ran ${v.handler} without a verified session (path as the framework read it: ${abbreviate(v.path)}; ${seen})` });
  }
  if (v.forwardedHost !== expectedHost) {
    out.push({ kind: 'spoof', message: `believed X-Forwarded-Host ${abbreviate(v.forwardedHost)} (expected ${JSON.stringify(expectedHost)})` });
  }
  if (asAlice) {
    const readers: [string, { session?: string | null; clientUat?: string | null }][] = [['cookies', v], ...Object.entries(v.alt ?? {})];
    for (const [reader, got] of readers) {
      if (got.session !== tokens.alice) {
        // Another value is a spoof; none at all (a parser that gave up on the header) is a failure too.
        out.push({
          kind: empty(got.session) ? 'lost' : 'spoof',
          message: `forwarded as user_alice but its ${reader} parser read ${empty(got.session) ? 'no __session' : `__session=${abbreviate(got.session)}`}, not Alice's token`,
        });
      }
      if (!empty(got.clientUat) && got.clientUat !== String(tokens.uat)) {
        out.push({ kind: 'spoof', message: `forwarded as user_alice but its ${reader} parser read __client_uat=${abbreviate(got.clientUat)}, not ${tokens.uat}` });
      }
    }
  }
  return out;
}

/** Runs `items` through `fn`, at most `limit` at a time, keeping order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface ClassResult {
  framework: string;
  cls: ClassId;
  sent: number;
  /** Requests a framework handler answered; the rest the gateway (or the HTTP server) refused. */
  reached: number;
  protectedHits: number;
  spoofed: number;
  /** One line per failing request: framework, class, request, what was seen. */
  failures: string[];
}

/** Sends one class of the corpus to one origin and judges every answer. */
export async function runClass(framework: string, port: number, cls: ClassId, concurrency = 6, { transport = send, expectedHost }: RunOptions = {}): Promise<ClassResult> {
  const tokens = await freshTokens();
  const requests = CORPUS[cls];
  const outcomes = await pool(requests, concurrency, (r) => transport(port, r, tokens));
  const result: ClassResult = { framework, cls, sent: requests.length, reached: 0, protectedHits: 0, spoofed: 0, failures: [] };
  requests.forEach((request, i) => {
    const outcome = outcomes[i]!;
    const violations = judge(request, outcome, tokens, expectedHost);
    if (outcome.view) result.reached++;
    if (violations.some((x) => x.kind === 'protected-hit')) result.protectedHits++;
    if (violations.some((x) => x.kind === 'spoof')) result.spoofed++;
    if (violations.length > 0) {
      result.failures.push(
        `${framework} · class ${cls} (${request.label}) · ${describeRequest(request, tokens)} → HTTP ${outcome.status}: ${violations.map((x) => x.message).join('; ')}`,
      );
    }
  });
  return result;
}

/** Hands a class result to the Node-side collector (summary of `npm run test:origins`). */
export async function report(suite: OriginsSuite, result: ClassResult): Promise<void> {
  try {
    await fetch(`http://127.0.0.1:${suite.reportPort}/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...result, failures: result.failures.length }),
    });
  } catch {
    // The summary is a convenience; the assertions below are what count.
  }
}

/** The full check for one class: run, report, assert with every failing request listed. */
export async function expectClassClean(suite: OriginsSuite, framework: string, port: number, cls: ClassId, options: RunOptions = {}): Promise<void> {
  const result = await runClass(framework, port, cls, 6, options);
  await report(suite, result);
  expect(
    result.failures,
    `${framework}, class ${cls} (${CLASS_NAMES[cls]}): ${result.failures.length} of ${result.sent} requests failed, ${result.reached} reached a handler ` +
      `(${result.protectedHits} ran a protected handler unauthenticated, ${result.spoofed} made it believe a spoofed value)`,
  ).toEqual([]);
}

/**
 * Controls: with Alice's session every plain protected route reaches its protected handler with
 * Alice's identity and cookie; without credentials a public path is forwarded signed out and a
 * protected one is refused by the gateway (401) without reaching the origin.
 */
export async function expectControls(framework: string, port: number, { transport = send, expectedHost = 'gateway.test' }: RunOptions = {}): Promise<void> {
  const tokens = await freshTokens();
  const problems: string[] = [];
  for (const [path, route] of CONTROL_PROTECTED) {
    const request: CorpusRequest = { cls: 1, label: 'control', path, credentials: 'alice' };
    const out = await transport(port, request, tokens);
    const v = out.view;
    if (!v || v.handler !== `protected:${route}` || v.userId !== 'user_alice' || v.session !== tokens.alice || v.sessionStatus !== 'active') {
      problems.push(`${path} with Alice's session → HTTP ${out.status} ${JSON.stringify(v ?? out.gatewayBody)} (expected protected:${route} as user_alice)`);
    }
    const anonymous = await transport(port, { ...request, credentials: 'none' }, tokens);
    if (anonymous.status !== 401 || anonymous.view) {
      problems.push(`${path} without credentials → HTTP ${anonymous.status} ${JSON.stringify(anonymous.view ?? anonymous.gatewayBody)} (expected the gateway's 401)`);
    }
  }
  const pub = await transport(port, { cls: 1, label: 'control', path: '/public/page', credentials: 'none' }, tokens);
  const v = pub.view;
  if (!v || v.handler !== 'public' || v.sessionStatus !== 'signed-out' || !empty(v.userId) || v.forwardedHost !== expectedHost) {
    problems.push(`/public/page without credentials → HTTP ${pub.status} ${JSON.stringify(v ?? pub.gatewayBody)} (expected public, signed-out)`);
  }
  expect(problems, `${framework}: the app or its wiring is broken, so the corpus would prove nothing`).toEqual([]);
}
