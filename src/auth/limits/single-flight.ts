import type { ClerkDeadline } from './clerk-deadline';

/** Options for {@link SingleFlight}. */
export interface SingleFlightOptions {
  /** Bounds every call and every wait. */
  deadline: ClerkDeadline;
  /** Most calls shared at once; past it a call runs unshared (it is still bounded by the deadline). */
  maxEntries: number;
}

/**
 * One call to Clerk in flight per key (a machine token, a refresh): requests that ask while it
 * runs share its answer instead of making their own call. Every caller waits at most the
 * deadline; a call older than the deadline is never joined (in workerd, a call started by a
 * request that has ended may never settle), so a key can never stay stuck.
 */
export class SingleFlight<T> {
  // Not a BoundedMap: a call in flight is never forgotten before it ends (others may be joining it);
  // past the bound a new call is simply not shared.
  private readonly flights = new Map<string, { promise: Promise<T>; started: number }>();

  constructor(private readonly options: SingleFlightOptions) {}

  /** How many calls are shared right now (for tests and the bound). */
  get size(): number {
    return this.flights.size;
  }

  /**
   * The answer of the call in flight for `key`, or of `work` started now (at `now`, milliseconds
   * since the epoch). `joined` says whether another request's call was shared. Rejects with
   * `ClerkTimeoutError` at the deadline.
   */
  async run(key: string, now: number, work: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; joined: boolean }> {
    const { deadline, maxEntries } = this.options;
    const flight = this.flights.get(key);
    if (flight && now - flight.started < deadline.timeoutMs) return { value: await deadline.wait(flight.promise), joined: true };
    const promise = deadline.run(work);
    if (this.flights.size < maxEntries || flight) {
      const entry = { promise, started: now };
      this.flights.set(key, entry);
      const forget = () => {
        if (this.flights.get(key) === entry) this.flights.delete(key);
      };
      promise.then(forget, forget);
    }
    return { value: await promise, joined: false };
  }
}
