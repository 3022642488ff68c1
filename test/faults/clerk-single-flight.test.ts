// Single-flight for calls to Clerk (src/auth/limits/single-flight.ts), with an injected clock and
// timer: one call per key at a time, shared by every request that asks meanwhile; a call stuck
// past the deadline (in workerd, one started by a request that ended may never settle) is never
// joined; the map stays bounded. Through the gateway: clerk-backend-api.test.ts.
import { describe, expect, it } from 'vitest';

import { ClerkDeadline, ClerkTimeoutError } from '../../src/auth/limits/clerk-deadline';
import { SingleFlight } from '../../src/auth/limits/single-flight';
import { FakeClock, track } from './clock';

const TIMEOUT = 3_000;

function setup(maxEntries = 100) {
  const clock = new FakeClock();
  const flights = new SingleFlight<string>({ deadline: new ClerkDeadline({ timeoutMs: TIMEOUT, timer: clock.timer }), maxEntries });
  return { clock, flights };
}

describe('SingleFlight', () => {
  it('one call for 50 concurrent askers of one key; they all get its answer', async () => {
    const { clock, flights } = setup();
    let calls = 0;
    const work = () => {
      calls++;
      return new Promise<string>((resolve) => clock.timer(() => resolve('verdict'), 500));
    };
    const asked = Array.from({ length: 50 }, () => track(clock, flights.run('ak_1', clock.t, work)));
    await clock.advance(500);
    expect(calls).toBe(1);
    expect(asked.map((a) => a.value()?.value)).toEqual(Array(50).fill('verdict'));
    expect(asked.filter((a) => a.value()?.joined).length).toBe(49);
    expect(flights.size).toBe(0);
  });

  it('a call that never settles holds nobody past the deadline and is not joined after it', async () => {
    const { clock, flights } = setup();
    let calls = 0;
    const stuck = () => {
      calls++;
      return new Promise<string>(() => undefined);
    };
    const first = track(clock, flights.run('ak_1', clock.t, stuck).catch((e: unknown) => e));
    await clock.advance(1_000);
    const joiner = track(clock, flights.run('ak_1', clock.t, stuck).catch((e: unknown) => e));
    await clock.advance(2_000);
    expect(first.value()).toBeInstanceOf(ClerkTimeoutError);
    await clock.advance(1_000);
    // The joiner's own timer: 3 s after it joined.
    expect(joiner.value()).toBeInstanceOf(ClerkTimeoutError);
    expect(calls).toBe(1);
    const after = await flights.run('ak_1', clock.t, async () => 'fresh');
    expect(after).toEqual({ value: 'fresh', joined: false });
  });

  it('stays bounded: past maxEntries a call runs unshared', async () => {
    const { clock, flights } = setup(2);
    const slow = () => new Promise<string>((resolve) => clock.timer(() => resolve('x'), 100));
    const asked = ['a', 'b', 'c', 'd'].map((key) => track(clock, flights.run(key, clock.t, slow)));
    expect(flights.size).toBe(2);
    await clock.advance(100);
    expect(asked.every((a) => a.value()?.value === 'x')).toBe(true);
    expect(flights.size).toBe(0);
  });
});
