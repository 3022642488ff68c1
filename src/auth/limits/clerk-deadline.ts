import { CLERK_TIMEOUT_MS } from '../../config/limits';

/** Starts a timer that calls `callback` after `ms` milliseconds; returns a function that cancels it. */
export type Timer = (callback: () => void, ms: number) => () => void;

/** `setTimeout`, as a {@link Timer}. */
export const realTimer: Timer = (callback, ms) => {
  const id = setTimeout(callback, ms);
  return () => clearTimeout(id);
};

/** A call to Clerk that did not answer before the deadline. */
export class ClerkTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Clerk did not answer within ${timeoutMs} ms`);
    this.name = 'ClerkTimeoutError';
  }
}

/** Options for {@link ClerkDeadline}. */
export interface ClerkDeadlineOptions {
  /** How long any one call to Clerk may take, in milliseconds. @default CLERK_TIMEOUT_MS (3000) */
  timeoutMs?: number;
  /** Injected for tests, so the deadline never depends on the machine's speed. @default setTimeout */
  timer?: Timer;
}

/**
 * The deadline on every call the gateway makes to Clerk (JWKS, handshake nonce, refresh,
 * machine-token verification, revocation). `@clerk/backend` takes no `fetch` or `AbortSignal`
 * (it calls the global `fetch` it bound when it loaded), so its calls are bounded by racing them
 * against the timer: the request answers at the deadline whatever Clerk does, and the abandoned
 * call ends with the request. The gateway's own fetches also get the signal, which aborts them.
 */
export class ClerkDeadline {
  readonly timeoutMs: number;
  private readonly timer: Timer;

  constructor(options: ClerkDeadlineOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? CLERK_TIMEOUT_MS;
    this.timer = options.timer ?? realTimer;
  }

  /**
   * Runs `work` with a signal that aborts at the deadline; rejects with {@link ClerkTimeoutError}
   * at the deadline whether or not `work` heeds the signal. `ms` shortens the deadline for a call
   * made after others in the same request.
   */
  run<T>(work: (signal: AbortSignal) => Promise<T>, ms = this.timeoutMs): Promise<T> {
    const controller = new AbortController();
    let started: Promise<T>;
    try {
      started = work(controller.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.race(started, () => controller.abort(new ClerkTimeoutError(ms)), ms);
  }

  /**
   * What is left, in milliseconds, of a request's time for Clerk (twice the deadline: at most two
   * calls in a row) since `requestStart`, by the wall clock, for a call made after others; at
   * most one deadline, at least 1 ms. The whole deadline when `requestStart` is not on the wall
   * clock (an injected request clock).
   */
  leftSince(requestStart: number, wallNow = Date.now()): number {
    const spent = wallNow - requestStart;
    if (spent < 0 || spent > 2 * this.timeoutMs) return this.timeoutMs;
    return Math.max(1, Math.min(this.timeoutMs, 2 * this.timeoutMs - spent));
  }

  /**
   * Waits for a call another request started (single-flight), at most the deadline from now:
   * each waiter has its own timer, so none waits on a timer that belongs to a request that ended.
   */
  wait<T>(promise: Promise<T>): Promise<T> {
    return this.race(promise, () => undefined, this.timeoutMs);
  }

  private race<T>(promise: Promise<T>, onTimeout: () => void, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const cancel = this.timer(() => {
        onTimeout();
        reject(new ClerkTimeoutError(ms));
      }, ms);
      promise.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          reject(error);
        },
      );
    });
  }
}
