// Workerd-side test helpers: mint Clerk-shaped session tokens (scripts/lib/session-token.mjs,
// shared with the benchmark and the demo), call the Worker or the gateway's request path, and read
// what the real origin and the fake Backend API (test/servers.ts) received.
import { getCookieSuffix } from '@clerk/shared/keys';
import { env, exports } from 'cloudflare:workers';
import { base64url, type JWK } from 'jose';
import { expect, onTestFinished, vi } from 'vitest';

import routes from './fixtures/routes.config';
import { mintSessionToken, nowSeconds, sessionClaims as clerkSessionClaims, signJwt } from '../scripts/lib/session-token.mjs';
import type { Env } from '../src/env';
import { handleRequest, type HandleRequestOptions } from '../src/gateway';
import worker from '../src/worker';

export { nowSeconds, signJwt };

export interface TestEnv extends Env {
  TEST_ORIGIN_PORT: string;
  TEST_BAPI_PORT: string;
  /** The fake Frontend API (test/servers.ts startFrontendApi). */
  TEST_FAPI_PORT: string;
  TEST_INSTANCE_PRIVATE_JWK: string;
  TEST_INSTANCE_PUBLIC_JWK: string;
  TEST_FOREIGN_PRIVATE_JWK: string;
  FUZZ_RUNS: string;
  FUZZ_SEED: string;
}

export const testEnv = env as unknown as TestEnv;
export const GATEWAY = 'https://gateway.test';
export const ISSUER = 'https://clerk.gateway.test';
export const SIGN_IN = 'https://accounts.gateway.test/sign-in';
/** The kid of the test instance's key in its JWKS. */
export const KID = 'ins_test_key';

// ---------------------------------------------------------------------------------------------
// Tokens

/** The test instance's signing key, or the key of nobody's instance (same kid), as a private JWK. */
export function privateJwk(key: 'instance' | 'foreign' = 'instance'): JWK {
  return JSON.parse(key === 'foreign' ? testEnv.TEST_FOREIGN_PRIVATE_JWK : testEnv.TEST_INSTANCE_PRIVATE_JWK) as JWK;
}

/** The claims mintToken signs: an active v2 session of user_1 for https://gateway.test, `claims` merged over them. */
export function sessionClaims(claims: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...clerkSessionClaims({ sub: 'user_1', sid: 'sess_1', issuer: ISSUER, azp: GATEWAY }), ...claims };
}

export interface MintOptions {
  /** Claims merged over the defaults (an active v2 session of user_1 for https://gateway.test). */
  claims?: Record<string, unknown>;
  /** Claims to delete from the defaults. */
  omit?: string[];
  /** Signing key. @default 'instance' */
  key?: 'instance' | 'foreign';
  /** Protected header merged over { alg: 'RS256', kid, typ: 'JWT' }. */
  header?: Record<string, unknown>;
}

/** A session token like Clerk's (RS256, 60 s), signed with the test instance key. */
export function mintToken(options: MintOptions = {}): Promise<string> {
  return mintSessionToken({
    sub: 'user_1',
    sid: 'sess_1',
    issuer: ISSUER,
    azp: GATEWAY,
    key: privateJwk(options.key),
    kid: KID,
    ...(options.claims ? { claims: options.claims } : {}),
    ...(options.omit ? { omit: options.omit } : {}),
    ...(options.header ? { header: options.header } : {}),
  });
}

/** An instance token that expired 300 s ago (issued 600 s ago): Clerk handshakes a navigation with it. */
export function expiredToken(): Promise<string> {
  const now = nowSeconds();
  return mintToken({ claims: { iat: now - 600, nbf: now - 600, exp: now - 300 } });
}

/**
 * Cookie header for a browser holding this session. `__client_uat` defaults to a second ago, or to
 * the token's `iat` when that is earlier and within the last minute: a browser's `__client_uat` is
 * never after its fresh token was issued, and Clerk handshakes when it is (so a token minted a few
 * seconds before its cookie, on a slow machine, still signs in).
 */
export function sessionCookie(token: string, clientUat = defaultClientUat(token)): string {
  return `__session=${token}; __client_uat=${clientUat}`;
}

function defaultClientUat(token: string): number {
  const now = nowSeconds();
  let iat: unknown;
  try {
    iat = (JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1] ?? ''))) as { iat?: unknown }).iat;
  } catch {
    iat = undefined;
  }
  return typeof iat === 'number' && iat >= now - 60 && iat < now - 1 ? iat : now - 1;
}

/**
 * A `__client_uat` for a browser that signed in a while ago: before any token a test mints around
 * it. Clerk handshakes a token older than `__client_uat`, so "a second ago", read after minting,
 * races a slow machine (a second boundary between the two).
 */
export function clientUat(): number {
  return nowSeconds() - 30;
}

/** The suffix Clerk gives this instance's cookies (`__session_<suffix>`, `__refresh_<suffix>`, …). */
export function cookieSuffix(): Promise<string> {
  return getCookieSuffix(testEnv.CLERK_PUBLISHABLE_KEY!, crypto.subtle);
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface CallOptions extends RequestInit {
  /** Send as a browser document navigation (Sec-Fetch-Dest: document, Accept: text/html). */
  navigate?: boolean;
  bearer?: string;
  cookie?: string;
  /** Counted by the origin under this id (see originCount). */
  probe?: string;
  /** Scheme and host the gateway is served on. @default GATEWAY */
  origin?: string;
}

/** The request `call()` and `send()` send: https://gateway.test (or `origin`) + path, with the options applied. */
export function testRequest(path: string, options: CallOptions = {}): Request {
  const { navigate, bearer, cookie, probe, origin = GATEWAY, ...init } = options;
  const headers = new Headers(init.headers);
  if (navigate) {
    headers.set('sec-fetch-dest', 'document');
    headers.set('accept', 'text/html,application/xhtml+xml');
  }
  if (bearer) headers.set('authorization', `Bearer ${bearer}`);
  if (cookie) headers.set('cookie', cookie);
  if (probe) headers.set('x-test-probe', probe);
  // redirect: manual, or the binding would follow the 307 back into the gateway.
  return new Request(`${origin}${path}`, { redirect: 'manual', ...init, headers });
}

/** Calls the Worker (the real default export, inside workerd) at https://gateway.test + path. */
export function call(path: string, options: CallOptions = {}): Promise<Response> {
  return exports.default.fetch(testRequest(path, options));
}

/**
 * The same request through the Worker's fetch handler directly, with the test bindings. For large
 * batches: inside @cloudflare/vitest-pool-workers each exports.default.fetch gets slower the more
 * calls a test file has made (~3 ms → ~45 ms after 400 calls).
 */
export function callHandler(path: string, options: CallOptions = {}): Promise<Response> {
  return Promise.resolve(worker.fetch(testRequest(path, options), testEnv));
}

export interface SendOptions extends CallOptions {
  /** The Worker's settings. @default testEnv */
  env?: Env;
  /** The routes. @default test/fixtures/routes.config.ts */
  config?: HandleRequestOptions['config'];
  /** The request's clock (ms). @default Date.now */
  now?: () => number;
  /** Stands in for the origin: every call to it is a forward. @default the real origin */
  fetch?: typeof fetch;
}

/**
 * The request straight through the gateway's request path (handleRequest), with other settings,
 * routes, clock or origin fetch than the Worker's own. Each distinct settings object gets its own
 * runtime (caches, Backend API budget).
 */
export function send(path: string, options: SendOptions = {}): Promise<Response> {
  const { env = testEnv, config = routes, now, fetch: originFetch, ...init } = options;
  return handleRequest(testRequest(path, init), env, { config, ...(now ? { now } : {}), ...(originFetch ? { fetch: originFetch } : {}) });
}

// ---------------------------------------------------------------------------------------------
// The origin and the fake Backend API

/** What the origin received, from its JSON echo. */
export interface OriginRecord {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
}

export async function originSaw(response: Response): Promise<OriginRecord> {
  if (response.status !== 200) throw new Error(`expected the origin's 200, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as OriginRecord;
}

/** How many requests with `x-test-probe: id` reached the origin. */
export async function originCount(id: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${testEnv.TEST_ORIGIN_PORT}/__probe?id=${encodeURIComponent(id)}`);
  return ((await res.json()) as { count: number }).count;
}

let probeSeq = 0;
export const newProbe = (label: string) => `${label}-${Date.now()}-${probeSeq++}`;

/** Calls the Worker and asserts it answered `status` by itself, without calling the origin. */
export async function expectRefusedBy(path: string, status: number, options: CallOptions = {}, label = path): Promise<Response> {
  const probe = newProbe('refused');
  const res = await call(path, { ...options, probe });
  expect(res.status, label).toBe(status);
  expect(await originCount(probe), label).toBe(0);
  return res;
}

/** Registers a handshake nonce with the fake Backend API that resolves to this session; returns the nonce. */
export async function handshakeNonce(sessionToken: string): Promise<string> {
  const nonce = `nonce-${crypto.randomUUID()}`;
  await fetch(`http://127.0.0.1:${testEnv.TEST_BAPI_PORT}/__nonce`, {
    method: 'POST',
    body: JSON.stringify({ nonce, directives: [`__session=${sessionToken}; Path=/`, `__client_uat=${clientUat()}; Path=/`] }),
  });
  return nonce;
}

/**
 * Settings whose Backend API is a scope of its own on the fake one (test/servers.ts:
 * /__scoped/<scope>/…), so the test gets its own runtime and key cache and counts only its own
 * calls, whatever runs in parallel. `jwks: true` drops CLERK_JWT_KEY: keys come from the JWKS.
 */
export function scopedBackendApi(label: string, { jwks = false } = {}): {
  env: Env;
  /** JWKS fetches so far. */
  jwksHits: () => Promise<number>;
  /** Calls so far: `jwks`, and the others by path (`/v1/sessions/:sid/refresh`, …). */
  calls: () => Promise<Record<string, number>>;
} {
  const api = `http://127.0.0.1:${testEnv.TEST_BAPI_PORT}/__scoped/${label}${crypto.randomUUID().replace(/-/g, '')}`;
  return {
    env: { ...testEnv, CLERK_API_URL: api, ...(jwks ? { CLERK_JWT_KEY: undefined } : {}) },
    jwksHits: async () => ((await (await fetch(`${api}/__jwks_hits`)).json()) as { count: number }).count,
    calls: async () => (await (await fetch(`${api}/__calls`)).json()) as Record<string, number>,
  };
}

// ---------------------------------------------------------------------------------------------
// Logs

/**
 * Silences console[level] until the test ends (or `restore()`) and keeps what was logged: `calls()`
 * one string per call (its arguments joined by spaces), `text()` all of them a line each.
 */
export function captureConsole(level: 'error' | 'warn' | 'log' = 'error') {
  const spy = vi.spyOn(console, level).mockImplementation(() => undefined);
  onTestFinished(() => spy.mockRestore());
  const calls = () => spy.mock.calls.map((args) => args.map(String).join(' '));
  return { calls, text: () => calls().join('\n'), restore: () => spy.mockRestore() };
}

/** The reason code of a gateway refusal, from its JSON body or its HTML page (`<main data-code>`). */
export async function refusalCode(response: Response): Promise<string | undefined> {
  const text = await response.text();
  const html = /<main data-code="([^"]+)"/.exec(text);
  if (html) return html[1];
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}
