// Workerd-side test helpers: mint Clerk-shaped session tokens with jose, call the Worker, and
// read what the real origin (test/servers.ts) received.
import { env, exports } from 'cloudflare:workers';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';

import type { Env } from '../src/env';
import worker from '../src/worker';

export interface TestEnv extends Env {
  TEST_ORIGIN_PORT: string;
  TEST_BAPI_PORT: string;
  TEST_DEAD_PORT: string;
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

export const nowSeconds = () => Math.floor(Date.now() / 1000);

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
export async function mintToken(options: MintOptions = {}): Promise<string> {
  const now = nowSeconds();
  const payload: Record<string, unknown> = {
    sub: 'user_1',
    sid: 'sess_1',
    iss: ISSUER,
    azp: GATEWAY,
    iat: now - 1,
    nbf: now - 1,
    exp: now + 60,
    v: 2,
    sts: 'active',
    ...options.claims,
  };
  for (const claim of options.omit ?? []) delete payload[claim];
  const jwk = JSON.parse(options.key === 'foreign' ? testEnv.TEST_FOREIGN_PRIVATE_JWK : testEnv.TEST_INSTANCE_PRIVATE_JWK) as JWK;
  const key = await importJWK(jwk, 'RS256');
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg: 'RS256', kid: 'ins_test_key', typ: 'JWT', ...options.header } as never)
    .sign(key);
}

/** Cookie header for a browser holding this session (`__client_uat` at the token's iat). */
export function sessionCookie(token: string, clientUat = nowSeconds() - 1): string {
  return `__session=${token}; __client_uat=${clientUat}`;
}

export interface CallOptions extends RequestInit {
  /** Send as a browser document navigation (Sec-Fetch-Dest: document, Accept: text/html). */
  navigate?: boolean;
  bearer?: string;
  cookie?: string;
  /** Counted by the origin under this id (see originCount). */
  probe?: string;
}

/** The request `call()` sends: https://gateway.test + path, with the options applied. */
export function testRequest(path: string, options: CallOptions = {}): Request {
  const { navigate, bearer, cookie, probe, ...init } = options;
  const headers = new Headers(init.headers);
  if (navigate) {
    headers.set('sec-fetch-dest', 'document');
    headers.set('accept', 'text/html,application/xhtml+xml');
  }
  if (bearer) headers.set('authorization', `Bearer ${bearer}`);
  if (cookie) headers.set('cookie', cookie);
  if (probe) headers.set('x-test-probe', probe);
  // redirect: manual, or the binding would follow the 307 back into the gateway.
  return new Request(`${GATEWAY}${path}`, { redirect: 'manual', ...init, headers });
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
