import { createLocalJWKSet, errors, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose';

import { JWKS_COOLDOWN_MS, JWKS_RETRY_MS, JWKS_UNKNOWN_KID_MAX_MS, JWKS_UNKNOWN_KID_MS, SHARED_JWKS_TTL_MS } from '../../config/limits';
import type { AuthFailure } from '../result';
import { splitJwt } from '../jwt';
import { usableRsaKey } from '../session/rsa-key';
import type { BackendApiBudget } from './backend-budget';
import { ClerkDeadline } from './clerk-deadline';
import type { SharedCache } from './shared-cache';

// The session-token algorithms whose imported keys are kept (src/auth/session/signature.ts).
const RSA_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512']);

/** Options for {@link JwksGate}. */
export interface JwksGateOptions {
  /** Backend API base URL. @default 'https://api.clerk.com' */
  apiUrl?: string;
  secretKey: string;
  /** The longest wait between two tries after repeated failures, in milliseconds. @default JWKS_COOLDOWN_MS (30 s) */
  cooldownMs?: number;
  /** The first wait after a failed fetch, in milliseconds; doubles per failure up to `cooldownMs`. @default JWKS_RETRY_MS (1 s) */
  retryMs?: number;
  /** Least time between fetches for unknown `kid`s, in milliseconds; doubles while they bring no new key. @default JWKS_UNKNOWN_KID_MS (1 s) */
  unknownKidMs?: number;
  /** The most that least time grows to, in milliseconds. @default JWKS_UNKNOWN_KID_MAX_MS (4 s) */
  unknownKidMaxMs?: number;
  /** Bounds every fetch (headers and body). @default a ClerkDeadline of CLERK_TIMEOUT_MS with setTimeout */
  deadline?: ClerkDeadline;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Every fetch spends one call of it; none is made past it. @default no limit but the waits above */
  budget?: BackendApiBudget;
  /** The shared tier (Cache API): a key set another isolate fetched, kept SHARED_JWKS_TTL_MS (5 min). @default none */
  shared?: SharedCache;
}

/**
 * What the gate says of a request's JWTs: every `kid` is the instance's; a `kid` is not (the JWKS
 * was fetched and lacks it, or there is none); the JWKS could not be had in time, so nobody can
 * tell (`unavailable`); or a fetch was needed and the Backend API budget is spent (`busy`).
 */
export type GateVerdict = 'admitted' | 'unknown-kid' | 'unavailable' | 'busy';

/** The signed-out reason for a verdict other than `admitted`. */
export function gateFailure(verdict: Exclude<GateVerdict, 'admitted'>): AuthFailure {
  switch (verdict) {
    case 'unknown-kid':
      return { code: 'ERR_UNKNOWN_KID' };
    case 'unavailable':
      return { code: 'ERR_CLERK_UNAVAILABLE', call: 'jwks' };
    case 'busy':
      return { code: 'ERR_BACKEND_BUDGET', call: 'jwks-refetch' };
  }
}

/**
 * The `kid` of a JWT's protected header: a string, `null` for a JWT with no string `kid` (for which
 * Clerk would still fetch the JWKS), or `undefined` for something Clerk cannot decode as a JWT
 * (refused before any key is loaded).
 */
export function jwtKid(token: string): string | null | undefined {
  const jwt = splitJwt(token);
  if (!jwt) return undefined;
  return typeof jwt.header.kid === 'string' ? jwt.header.kid : null;
}

/**
 * Stands before `@clerk/backend` in JWKS mode, whose key loader refetches the JWKS for every
 * unknown `kid` with no cool-down and no timeout: a flood of made-up `kid`s would become a flood
 * of Backend API calls, and a hung fetch would hang every request. The gate keeps the last good
 * key set (a failed refresh never loses it), fetches one at a time under the deadline, retries a
 * failed fetch after 1 s doubling up to the cool-down, and fetches for a `kid` not yet known at
 * most once a second (doubling to 4 s while fetches bring nothing new), within the Backend API
 * budget. A token whose `kid` is still unknown is refused without Clerk.
 */
export class JwksGate {
  private keys = new Map<string, JsonWebKey>();
  private keySet: (header: JWSHeaderParameters) => Promise<CryptoKey> = createLocalJWKSet({ keys: [] });
  /** The keys of this key set as jose matched and imported them, by alg and kid (emptied with each new key set). */
  private imported = new Map<string, Promise<CryptoKey>>();
  /** When the last fetch started; waits are counted from it. */
  private lastFetch = Number.NEGATIVE_INFINITY;
  /** Failed fetches in a row. */
  private failures = 0;
  /** Good fetches in a row, made for unknown kids, that brought no new key. */
  private misses = 0;
  private inflight: { promise: Promise<boolean>; started: number } | undefined;
  private readonly deadline: ClerkDeadline;
  private readonly now: () => number;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: JwksGateOptions) {
    this.deadline = options.deadline ?? new ClerkDeadline();
    this.now = options.now ?? Date.now;
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Whether every JWT among these tokens names a `kid` of the instance (non-JWTs pass: Clerk refuses them unaided). */
  async admits(tokens: readonly string[], now = this.now()): Promise<GateVerdict> {
    const kids = tokens.map(jwtKid).filter((k): k is string | null => k !== undefined);
    if (kids.includes(null)) return 'unknown-kid';
    const known = () => kids.every((k) => this.keys.has(k as string));
    if (known()) return 'admitted';
    let ok: boolean;
    const flight = this.inflight;
    if (flight && now - flight.started < this.deadline.timeoutMs) {
      ok = await this.deadline.wait(flight.promise).catch(() => false);
    } else if (now >= this.nextFetchAt()) {
      if (!(this.options.budget?.take('jwks-refetch', now) ?? true)) return this.failures === 0 && this.keys.size > 0 ? 'unknown-kid' : 'busy';
      ok = await this.refresh(now, kids as string[]);
    } else {
      // Too soon to fetch again: the keys are as good as the last fetch.
      ok = this.failures === 0 && this.keys.size > 0;
    }
    if (known()) return 'admitted';
    return ok ? 'unknown-kid' : 'unavailable';
  }

  /**
   * The instance's key for a JWS header, from the JWKS as last fetched: `jose` picks it by `kid`
   * and algorithm and imports it once. Throws `JWKSNoMatchingKey` for a key the JWKS lacks, and
   * for a header without a `kid`, which jose would match to a lone key but Clerk finds no key for.
   */
  key(header: JWSHeaderParameters): Promise<CryptoKey> {
    const { kid, alg } = header;
    if (typeof kid !== 'string') return Promise.reject(new errors.JWKSNoMatchingKey());
    // One lookup per kid and alg of the key set (both bounded: the JWKS's kids, three algs), so a
    // first-seen token pays no key matching or import; a made-up kid or alg is not kept.
    if (!this.keys.has(kid) || typeof alg !== 'string' || !RSA_ALGORITHMS.has(alg)) return this.keySet(header);
    const id = `${alg} ${kid}`;
    let key = this.imported.get(id);
    if (!key) {
      key = this.keySet({ kid, alg }).then(usableRsaKey);
      this.imported.set(id, key);
    }
    return key;
  }

  /** When the next fetch may start: a backoff after failures, else the unknown-kid pace. */
  private nextFetchAt(): number {
    const { cooldownMs = JWKS_COOLDOWN_MS, retryMs = JWKS_RETRY_MS, unknownKidMs = JWKS_UNKNOWN_KID_MS, unknownKidMaxMs = JWKS_UNKNOWN_KID_MAX_MS } = this.options;
    if (this.failures > 0) return this.lastFetch + Math.min(retryMs * 2 ** (this.failures - 1), cooldownMs);
    return this.lastFetch + Math.min(unknownKidMs * 2 ** this.misses, unknownKidMaxMs);
  }

  /** One fetch, shared by every request that needs it; true when it brought a key set. */
  private refresh(now: number, wanted: readonly string[]): Promise<boolean> {
    this.lastFetch = now;
    const promise = this.deadline.run((signal) => this.load(signal, wanted, now)).then(
      (brought) => {
        this.failures = 0;
        this.misses = brought ? 0 : Math.min(this.misses + 1, 16);
        return true;
      },
      (error: unknown) => {
        this.failures = Math.min(this.failures + 1, 16);
        console.error('edge-auth-gateway: could not fetch the JWKS; keeping the last good keys, retrying with backoff:', error);
        return false;
      },
    );
    const entry = { promise, started: now };
    this.inflight = entry;
    void promise.then(() => {
      if (this.inflight === entry) this.inflight = undefined;
    });
    return promise;
  }

  /**
   * The key set: from the shared tier when it holds every `kid` wanted (another isolate fetched
   * it), else fetched from the Backend API and shared; true if it holds a `kid` not known before.
   * Throws on anything but a key set.
   */
  private async load(signal: AbortSignal, wanted: readonly string[], now: number): Promise<boolean> {
    const { shared } = this.options;
    const cached = shared && jwkMap((await shared.get('jwks', 'jwks', now))?.value);
    if (cached && cached.size > 0 && wanted.every((kid) => cached.has(kid))) return this.install(cached);
    const base = (this.options.apiUrl ?? 'https://api.clerk.com').replace(/\/+$/, '');
    const res = await this.doFetch(`${base}/v1/jwks`, {
      headers: { authorization: `Bearer ${this.options.secretKey}`, 'clerk-api-version': '2026-05-12' },
      signal,
    });
    if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
    const keys = jwkMap(((await res.json()) as { keys?: unknown } | null)?.keys);
    if (keys.size === 0) throw new Error('JWKS holds no key with a kid');
    await shared?.put('jwks', 'jwks', [...keys.values()], now + SHARED_JWKS_TTL_MS, now);
    return this.install(keys);
  }

  private install(keys: Map<string, JsonWebKey>): boolean {
    const brought = [...keys.keys()].some((kid) => !this.keys.has(kid));
    this.keys = keys;
    this.keySet = createLocalJWKSet({ keys: [...keys.values()] as JWK[] });
    this.imported = new Map();
    return brought;
  }
}

/** The keys of a JWKS's `keys` list that have a string `kid`, by kid (anything else gives none). */
function jwkMap(list: unknown): Map<string, JsonWebKey> {
  const keys = new Map<string, JsonWebKey>();
  for (const key of Array.isArray(list) ? (list as (JsonWebKey & { kid?: unknown })[]) : []) {
    if (key && typeof key === 'object' && typeof key.kid === 'string') keys.set(key.kid, key);
  }
  return keys;
}
