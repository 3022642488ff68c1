import { createLocalJWKSet, errors, type CryptoKey, type JWK, type JWSHeaderParameters } from 'jose';

import { JWKS_COOLDOWN_MS } from '../../config/limits';
import { splitJwt } from '../session/jwt';
import type { BackendApiBudget } from './backend-budget';

/** Options for {@link JwksGate}. */
export interface JwksGateOptions {
  /** Backend API base URL. @default 'https://api.clerk.com' */
  apiUrl?: string;
  secretKey: string;
  /** Least time between two JWKS fetches caused by unknown `kid`s, in milliseconds. @default JWKS_COOLDOWN_MS (30 s) */
  cooldownMs?: number;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Every refetch spends one call of it; none is made past it. @default no limit but the cool-down */
  budget?: BackendApiBudget;
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
 * unknown `kid` with no cool-down: a flood of tokens with made-up `kid`s would become a flood
 * of Backend API calls. The gate knows the instance's `kid`s and refreshes them at most once
 * per cool-down, single-flight; a token whose `kid` is still unknown is refused without Clerk.
 */
export class JwksGate {
  private keys = new Map<string, JsonWebKey>();
  private keySet: (header: JWSHeaderParameters) => Promise<CryptoKey> = createLocalJWKSet({ keys: [] });
  private lastFetch = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: JwksGateOptions) {
    this.cooldownMs = options.cooldownMs ?? JWKS_COOLDOWN_MS;
    this.now = options.now ?? Date.now;
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** True if every JWT among these tokens names a `kid` of the instance (non-JWTs pass: Clerk refuses them unaided). */
  async admits(tokens: readonly string[], now = this.now()): Promise<boolean> {
    const kids = tokens.map(jwtKid).filter((k): k is string | null => k !== undefined);
    if (kids.includes(null)) return false;
    if (kids.every((k) => this.keys.has(k as string))) return true;
    if (this.inflight || (now - this.lastFetch >= this.cooldownMs && (this.options.budget?.take('jwks-refetch', now) ?? true))) {
      await this.refresh(now);
    }
    return kids.every((k) => this.keys.has(k as string));
  }

  /**
   * The instance's key for a JWS header, from the JWKS as last fetched: `jose` picks it by `kid`
   * and algorithm and imports it once. Throws `JWKSNoMatchingKey` for a key the JWKS lacks, and
   * for a header without a `kid`, which jose would match to a lone key but Clerk finds no key for.
   */
  key(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (typeof header.kid !== 'string') return Promise.reject(new errors.JWKSNoMatchingKey());
    return this.keySet(header);
  }

  private refresh(now: number): Promise<void> {
    if (!this.inflight) {
      this.lastFetch = now;
      this.inflight = this.load().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async load(): Promise<void> {
    const base = (this.options.apiUrl ?? 'https://api.clerk.com').replace(/\/+$/, '');
    try {
      const res = await this.doFetch(`${base}/v1/jwks`, {
        headers: { authorization: `Bearer ${this.options.secretKey}`, 'clerk-api-version': '2026-05-12' },
      });
      if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
      const body = (await res.json()) as { keys?: (JsonWebKey & { kid?: unknown })[] };
      const keys = new Map<string, JsonWebKey>();
      for (const key of body.keys ?? []) if (typeof key.kid === 'string') keys.set(key.kid, key);
      if (keys.size > 0) {
        this.keys = keys;
        this.keySet = createLocalJWKSet({ keys: [...keys.values()] as JWK[] });
      }
    } catch (error) {
      console.error('edge-auth-gateway: could not fetch the JWKS; unknown kids are refused until the next try:', error);
    }
  }
}
