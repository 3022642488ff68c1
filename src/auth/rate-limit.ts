/** Options for {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Most takes in a burst. */
  capacity: number;
  /** Takes regained per second. */
  refillPerSecond: number;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** A per-isolate token bucket: `take()` is true while the rate stays within bounds. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = options.capacity;
    this.last = this.now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.options.capacity, this.tokens + ((now - this.last) / 1000) * this.options.refillPerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
