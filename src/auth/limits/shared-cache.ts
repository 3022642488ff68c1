import { SHARED_CACHE_TIMEOUT_MS } from '../../config/limits';
import { ClerkDeadline, type Timer } from './clerk-deadline';

/** Options for {@link SharedCache}. */
export interface SharedCacheOptions {
  /**
   * What every key is scoped to (hashed in, never stored): the instance, so that two gateways of
   * different Clerk instances in one zone never read each other's answers.
   */
  scope: string;
  /**
   * Opens the Cache API cache, once per call: a Cache opened in one request is not carried into
   * another (workerd ties I/O to the request that started it).
   * @default `caches.open('edge-auth-gateway')` where the runtime has the Cache API, else none (every read misses)
   */
  cache?: (() => Promise<Cache>) | undefined;
  /** The most one read or write may take, in milliseconds. @default SHARED_CACHE_TIMEOUT_MS (50) */
  timeoutMs?: number;
  /** Injected for tests. @default setTimeout */
  timer?: Timer;
}

/** A value read back from the shared tier, and until when it holds (ms since the epoch). */
export interface SharedEntry {
  value: unknown;
  until: number;
}

// A host no zone serves: entries of the gateway's named cache are never confused with pages.
const ORIGIN = 'https://edge-auth-gateway.invalid';

function defaultCache(): (() => Promise<Cache>) | undefined {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  return storage?.open ? () => storage.open('edge-auth-gateway') : undefined;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * The shared tier: answers the Backend API gave (the JWKS, opaque machine-token verdicts) kept in
 * the Cache API, which every isolate of a data center reads, where the per-isolate caches reach
 * only their own isolate. Keyed by a SHA-256 of the scope and the key (never a token), stored
 * with the instant it lapses, which readers honour to the millisecond (the Cache API's max-age
 * is whole seconds and may keep it longer). Every call is bounded by the deadline and fails
 * open: a read that errs or is late is a miss (the caller asks Clerk as it would have), a write
 * that errs or is late is dropped. Nothing read here is trusted beyond what its caller checks.
 */
export class SharedCache {
  private readonly cache: (() => Promise<Cache>) | undefined;
  private readonly deadline: ClerkDeadline;
  private readonly scope: string;

  constructor(options: SharedCacheOptions) {
    this.scope = options.scope;
    this.cache = 'cache' in options ? options.cache : defaultCache();
    this.deadline = new ClerkDeadline({ timeoutMs: options.timeoutMs ?? SHARED_CACHE_TIMEOUT_MS, ...(options.timer ? { timer: options.timer } : {}) });
  }

  /** The entry for `key` if one is there and holds at `now`; `undefined` on a miss, an error or the deadline. */
  async get(kind: string, key: string, now: number): Promise<SharedEntry | undefined> {
    const { cache } = this;
    if (!cache) return undefined;
    try {
      return await this.deadline.run(async () => {
        const hit = await (await cache()).match(await this.url(kind, key));
        if (!hit) return undefined;
        const entry = (await hit.json()) as Partial<SharedEntry> | null;
        return entry && typeof entry.until === 'number' && entry.until > now && 'value' in entry ? { value: entry.value, until: entry.until } : undefined;
      });
    } catch {
      return undefined;
    }
  }

  /** Keeps `value` until `until` (ms since the epoch); never throws, never waits past the deadline. */
  async put(kind: string, key: string, value: unknown, until: number, now: number): Promise<void> {
    const { cache } = this;
    const seconds = Math.ceil((until - now) / 1000);
    if (!cache || seconds <= 0) return;
    try {
      const body = JSON.stringify({ value, until });
      await this.deadline.run(async () => (await cache()).put(await this.url(kind, key), new Response(body, { headers: { 'cache-control': `max-age=${seconds}`, 'content-type': 'application/json' } })));
    } catch {
      // Failing open: the next isolate asks the Backend API, as it would without this tier.
    }
  }

  private async url(kind: string, key: string): Promise<string> {
    return `${ORIGIN}/${kind}/${await sha256Hex(`${this.scope}\n${key}`)}`;
  }
}
