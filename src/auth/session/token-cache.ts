import { CLOCK_SKEW_MS, VERIFIED_TOKENS_KEPT } from '../../config/limits';
import { BoundedMap } from '../../runtime/bounded-map';
import type { Identity } from '../result';
import { checkTimeClaims } from '../time-claims';

/** What is kept of a token `@clerk/backend` verified: enough to re-check it without crypto. */
export interface VerifiedToken {
  identity: Identity;
  /** Time claims in seconds since the epoch, as in the token. */
  exp: number;
  nbf: number | undefined;
  iat: number;
  azp: string | undefined;
}

/**
 * What the cache keeps of a verified token's claims, or `undefined` when it cannot re-check them
 * (no numeric `exp` or `iat`): the token is then simply not kept.
 */
export function keptClaims(claims: Record<string, unknown> | null | undefined): Omit<VerifiedToken, 'identity'> | undefined {
  if (!claims || typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undefined;
  return {
    exp: claims.exp,
    iat: claims.iat,
    nbf: typeof claims.nbf === 'number' ? claims.nbf : undefined,
    azp: typeof claims.azp === 'string' ? claims.azp : undefined,
  };
}

/** Options for {@link TokenCache}. */
export interface TokenCacheOptions {
  /** Most tokens kept; the least recently used go first. @default VERIFIED_TOKENS_KEPT (4096) */
  maxEntries?: number;
  /** Clock skew allowed on `exp`/`nbf`/`iat`, in milliseconds, as `@clerk/backend`'s default. @default CLOCK_SKEW_MS (5000) */
  clockSkewMs?: number;
}

/**
 * Per-isolate cache of verified session tokens, keyed on the whole token string, so a token
 * is verified (RSA) once and then only re-checked: its time claims on every use, its `azp`
 * against the parties of the current request. One cache per runtime, so tokens verified under
 * one key or config are never accepted under another.
 */
export class TokenCache {
  private readonly entries: BoundedMap<string, VerifiedToken>;
  private readonly clockSkewMs: number;

  constructor(options: TokenCacheOptions = {}) {
    this.entries = new BoundedMap({ maxEntries: options.maxEntries ?? VERIFIED_TOKENS_KEPT });
    this.clockSkewMs = options.clockSkewMs ?? CLOCK_SKEW_MS;
  }

  /** The cached verification, if the token is still valid at `nowMs` for these parties. */
  get(token: string, nowMs: number, authorizedParties: readonly string[]): VerifiedToken | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (!this.isCurrent(entry, nowMs)) {
      this.entries.delete(token);
      return undefined;
    }
    // As @clerk/backend 3 with parties set: an azp must be there and be one of them.
    if (entry.azp === undefined || !authorizedParties.includes(entry.azp)) return undefined;
    // Set again: the newest entry is the one used last, so the bound forgets the least recently used.
    this.entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    this.entries.set(token, entry);
  }

  /**
   * Whether the token was verified as a session token and is still kept (expired or not): it is a
   * session token, whatever else holds for it now.
   */
  has(token: string): boolean {
    return this.entries.has(token);
  }

  get size(): number {
    return this.entries.size;
  }

  // The same checks as @clerk/backend's assertExpirationClaim / assertActivationClaim / assertIssuedAtClaim.
  private isCurrent(entry: VerifiedToken, nowMs: number): boolean {
    return checkTimeClaims(entry, { nowMs, clockSkewMs: this.clockSkewMs }) === 'ok';
  }
}
