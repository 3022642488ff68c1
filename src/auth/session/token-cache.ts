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
 * Per-isolate cache of verified session tokens, each kept with its whole token string, so a token
 * is verified (RSA) once and then only re-checked: its time claims on every use, its `azp`
 * against the parties of the current request. One cache per runtime, so tokens verified under
 * one key or config are never accepted under another.
 *
 * Entries are filed under a number read from the token's last characters ({@link fileNumber}),
 * not under the token: a `Map` lookup with a string makes V8 intern it first, which for a token
 * seen for the first time is a copy of its ~700 characters into the isolate's string table on
 * every request (a native profile: `perf record` on workerd, bench/profile-native.mjs). A token
 * is only ever answered by the entry that holds that very token (compared whole): two tokens
 * filed under one number are never taken for each other; the later one replaces the earlier.
 */
export class TokenCache {
  private readonly entries: BoundedMap<number, { token: string; verified: VerifiedToken }>;
  private readonly clockSkewMs: number;

  constructor(options: TokenCacheOptions = {}) {
    this.entries = new BoundedMap({ maxEntries: options.maxEntries ?? VERIFIED_TOKENS_KEPT });
    this.clockSkewMs = options.clockSkewMs ?? CLOCK_SKEW_MS;
  }

  /** The cached verification, if the token is still valid at `nowMs` for these parties. */
  get(token: string, nowMs: number, authorizedParties: readonly string[]): VerifiedToken | undefined {
    const key = fileNumber(token);
    const filed = this.entries.get(key);
    if (filed === undefined || filed.token !== token) return undefined;
    const entry = filed.verified;
    if (!this.isCurrent(entry, nowMs)) {
      this.entries.delete(key);
      return undefined;
    }
    // As @clerk/backend 3 with parties set: an azp must be there and be one of them.
    if (entry.azp === undefined || !authorizedParties.includes(entry.azp)) return undefined;
    // Set again: the newest entry is the one used last, so the bound forgets the least recently used.
    this.entries.set(key, filed);
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    this.entries.set(fileNumber(token), { token, verified: entry });
  }

  /**
   * Whether the token was verified as a session token and is still kept (expired or not): it is a
   * session token, whatever else holds for it now.
   */
  has(token: string): boolean {
    return this.entries.get(fileNumber(token))?.token === token;
  }

  get size(): number {
    return this.entries.size;
  }

  // The same checks as @clerk/backend's assertExpirationClaim / assertActivationClaim / assertIssuedAtClaim.
  private isCurrent(entry: VerifiedToken, nowMs: number): boolean {
    return checkTimeClaims(entry, { nowMs, clockSkewMs: this.clockSkewMs }) === 'ok';
  }
}

/**
 * The number a token is filed under: its last 7 characters' code units, 7 bits each (a whole
 * number below 2^49: a `Map` key without a string). A signature's last characters vary from
 * token to token; any other token is filed too, and told apart by the whole-token comparison.
 */
export function fileNumber(token: string): number {
  let n = 0;
  for (let i = Math.max(0, token.length - 7); i < token.length; i++) n = n * 128 + (token.charCodeAt(i) & 0x7f);
  return n;
}
