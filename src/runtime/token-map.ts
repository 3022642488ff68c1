import { BoundedMap, type BoundedMapOptions } from './bounded-map';

// A JWT's last characters are its signature's: unique for every token a key signed.
const TAIL = 32;

/**
 * A {@link BoundedMap} keyed by whole tokens (a session token is ~700 characters) that never makes
 * V8 intern a token: a `Map` lookup with a string made for this request copies it into V8's string
 * table first, a call into its runtime that also hashes every character (bench:instructions). Entries
 * are filed under the token's last characters and hold the whole token, compared on every read, so
 * a token that shares another's tail finds nothing (and, set, takes that entry's place: a cache miss
 * for the other, never its verdict).
 */
export class TokenMap<V> {
  private readonly entries: BoundedMap<string, { token: string; value: V }>;

  constructor(options: BoundedMapOptions) {
    this.entries = new BoundedMap(options);
  }

  get(token: string): V | undefined {
    const entry = this.entries.get(tail(token));
    return entry !== undefined && entry.token === token ? entry.value : undefined;
  }

  has(token: string): boolean {
    return this.entries.get(tail(token))?.token === token;
  }

  /** Stores `value` as the newest entry (see `BoundedMap.set`). */
  set(token: string, value: V): void {
    this.entries.set(tail(token), { token, value });
  }

  delete(token: string): void {
    const key = tail(token);
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

function tail(token: string): string {
  return token.length <= TAIL ? token : token.slice(-TAIL);
}
