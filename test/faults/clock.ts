// A fake clock and timer for the fault suite: time moves only when a test says so, so bounds on
// time are exact and never depend on the machine's speed.
import type { Timer } from '../../src/auth/limits/clerk-deadline';

export const T0 = 1_800_000_000_000;

/** Lets every promise chain that can progress without time do so. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setTimeout(r, 0));
}

export class FakeClock {
  t = T0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private seq = 0;

  readonly now = (): number => this.t;

  readonly timer: Timer = (callback, ms) => {
    const id = this.seq++;
    this.timers.push({ at: this.t + ms, callback, id });
    return () => {
      this.timers = this.timers.filter((entry) => entry.id !== id);
    };
  };

  /** Timers still set (for a bound: none may be left over once everything answered). */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each timer due on the way, in order, letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((entry) => entry.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((entry) => entry !== due);
      this.t = Math.max(this.t, due.at);
      due.callback();
      await settle();
    }
    this.t = target;
    await settle();
  }
}

/** Tracks when a promise settles, in fake time. */
export function track<T>(clock: FakeClock, promise: Promise<T>): { done: () => boolean; at: () => number | undefined; value: () => T | undefined } {
  let at: number | undefined;
  let value: T | undefined;
  promise.then(
    (v) => {
      at = clock.t;
      value = v;
    },
    () => {
      at = clock.t;
    },
  );
  return { done: () => at !== undefined, at: () => at, value: () => value };
}
