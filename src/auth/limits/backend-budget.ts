import { BACKEND_API_BURST, BACKEND_API_PER_SECOND } from '../../config/limits';

/** What a client can make the gateway ask Clerk's Backend API for. */
export type BackendApiCall = 'handshake-nonce' | 'session-refresh' | 'jwks-refetch' | 'session-revoke' | 'machine-token';

/** Options for {@link BackendApiBudget}. */
export interface BackendApiBudgetOptions {
  /** Calls allowed at once, per isolate. @default BACKEND_API_BURST (20) */
  burst?: number;
  /** Calls regained per second, per isolate. @default BACKEND_API_PER_SECOND (5) */
  perSecond?: number;
  /** Where running out and recovering are reported. @default console.warn */
  log?: (message: string) => void;
}

/**
 * One budget for every Backend API call a client can cause (resolving a handshake nonce,
 * refreshing an expired session, refetching the JWKS for an unknown `kid`), per isolate: a
 * token bucket of `burst` calls that refills at `perSecond`. Past it the call is not made and
 * the request goes on as if Clerk had not been asked (signed out, or a handshake). The clock is
 * the caller's, so the budget is as deterministic as the request that spends it.
 */
export class BackendApiBudget {
  private available: number;
  private last: number | undefined;
  private refused = 0;
  private readonly burst: number;
  private readonly perSecond: number;
  private readonly log: (message: string) => void;

  constructor(options: BackendApiBudgetOptions = {}) {
    this.burst = options.burst ?? BACKEND_API_BURST;
    this.perSecond = options.perSecond ?? BACKEND_API_PER_SECOND;
    this.log = options.log ?? ((message) => console.warn(message));
    this.available = this.burst;
  }

  /** Spends one call at `now` (milliseconds since the epoch); false when the budget is spent. */
  take(call: BackendApiCall, now: number): boolean {
    if (this.last !== undefined && now > this.last) {
      this.available = Math.min(this.burst, this.available + ((now - this.last) / 1000) * this.perSecond);
    }
    this.last = Math.max(now, this.last ?? now);
    if (this.available < 1) {
      // One line when the budget runs out and one when it is back, not one per refused call.
      if (this.refused++ === 0) {
        this.log(`edge-auth-gateway: Backend API budget exhausted (${this.burst} calls, then ${this.perSecond}/s per isolate); refusing a ${call} call and those after it`);
      }
      return false;
    }
    if (this.refused > 0) {
      this.log(`edge-auth-gateway: Backend API budget available again after refusing ${this.refused} calls`);
      this.refused = 0;
    }
    this.available -= 1;
    return true;
  }
}
