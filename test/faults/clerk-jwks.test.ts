// Fault injection, Clerk side, JWKS (issue 16): a fake JWKS endpoint that is down, answers 500 or
// garbage, is slow or hangs, in front of the JWKS gate (src/auth/limits/jwks-gate.ts) with an
// injected clock, timer and fetch. Each case asserts that the gate fails closed ("unavailable",
// never "admitted" for a kid it has not seen), the bound on time (the deadline, in fake time),
// and the time to recover once the fault ends. Through the Worker: clerk-backend-api.test.ts.
import { describe, expect, it } from 'vitest';

import { BackendApiBudget } from '../../src/auth/limits/backend-budget';
import { ClerkDeadline, ClerkTimeoutError } from '../../src/auth/limits/clerk-deadline';
import { JwksGate, type GateVerdict } from '../../src/auth/limits/jwks-gate';
import { FakeClock, track } from './clock';

const TIMEOUT = 3_000;
type Mode = 'ok' | 'down' | '500' | 'garbage' | 'slow' | 'hang' | 'deaf-hang';
const FAULTS: Mode[] = ['down', '500', 'garbage', 'slow', 'hang'];

const kidToken = (kid: string) => `${btoa(JSON.stringify({ alg: 'RS256', kid })).replace(/=+$/, '')}.e30.sig`;

/** A fake JWKS endpoint: `mode` decides each answer; `kids` are the keys it serves when ok. */
function fakeJwks(clock: FakeClock) {
  const state = { mode: 'ok' as Mode, kids: ['ins_1'], slowMs: 10_000, calls: 0, inflight: 0, maxInflight: 0 };
  const fetchFn = ((_input: RequestInfo | URL, init?: RequestInit) => {
    state.calls++;
    state.inflight++;
    state.maxInflight = Math.max(state.maxInflight, state.inflight);
    const signal = init?.signal ?? undefined;
    const body = () => new Response(JSON.stringify({ keys: state.kids.map((kid) => ({ kid, kty: 'RSA', alg: 'RS256', n: 'AQAB', e: 'AQAB' })) }));
    const answer = new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason ?? new Error('aborted'));
      switch (state.mode) {
        case 'ok':
          return resolve(body());
        case 'down':
          return reject(new TypeError('fetch failed: connection refused'));
        case '500':
          return resolve(new Response('{"errors":[]}', { status: 500 }));
        case 'garbage':
          return resolve(new Response('<html>not json'));
        case 'slow':
          if (signal) signal.addEventListener('abort', onAbort);
          clock.timer(() => resolve(body()), state.slowMs);
          return;
        case 'hang':
          if (signal) signal.addEventListener('abort', onAbort);
          return;
        case 'deaf-hang':
          // As @clerk/backend's own fetches: no signal, never settles.
          return;
      }
    });
    return answer.finally(() => state.inflight--);
  }) as typeof fetch;
  return { state, fetch: fetchFn };
}

function setup(options: { budget?: BackendApiBudget } = {}) {
  const clock = new FakeClock();
  const jwks = fakeJwks(clock);
  const deadline = new ClerkDeadline({ timeoutMs: TIMEOUT, timer: clock.timer });
  const gate = new JwksGate({ secretKey: 'sk_live_x', apiUrl: 'https://api.test', now: clock.now, fetch: jwks.fetch, deadline, ...options });
  return { clock, jwks, gate };
}

/** Asks every `step` ms until the gate admits `kid` (or `limit` ms pass); the fake time it took. */
async function timeToAdmit(clock: FakeClock, gate: JwksGate, kid: string, { step = 100, limit = 60_000 } = {}): Promise<number> {
  const start = clock.t;
  while (clock.t - start <= limit) {
    const asked = track(clock, gate.admits([kidToken(kid)]));
    await clock.advance(0);
    if (!asked.done()) await clock.advance(TIMEOUT);
    if (asked.value() === 'admitted') return clock.t - start;
    await clock.advance(step);
  }
  return Number.POSITIVE_INFINITY;
}

describe('the Clerk deadline', () => {
  it('rejects at the deadline, to the millisecond of the injected timer, even when the call ignores its signal', async () => {
    const clock = new FakeClock();
    const deadline = new ClerkDeadline({ timeoutMs: TIMEOUT, timer: clock.timer });
    let aborted = false;
    const deaf = track(clock, deadline.run(() => new Promise(() => undefined)).catch((e: unknown) => e));
    const heeding = track(
      clock,
      deadline.run((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(signal.reason))))).catch((e: unknown) => e),
    );
    await clock.advance(TIMEOUT - 1);
    expect([deaf.done(), heeding.done()]).toEqual([false, false]);
    await clock.advance(1);
    expect(deaf.value()).toBeInstanceOf(ClerkTimeoutError);
    expect(heeding.value()).toBeInstanceOf(ClerkTimeoutError);
    expect(aborted).toBe(true);
    // An answer in time cancels its timer.
    await deadline.run(async () => 1);
    expect(clock.pending).toBe(0);
  });
});

describe("a request's time for Clerk", () => {
  it('a call after others gets what is left of twice the deadline, never more than one deadline', () => {
    const deadline = new ClerkDeadline({ timeoutMs: TIMEOUT });
    const start = 1_000_000;
    expect(deadline.leftSince(start, start)).toBe(TIMEOUT);
    expect(deadline.leftSince(start, start + 2_500)).toBe(TIMEOUT);
    expect(deadline.leftSince(start, start + 4_000)).toBe(2_000);
    expect(deadline.leftSince(start, start + 2 * TIMEOUT)).toBe(1);
    // A request clock that is not the wall clock: one whole deadline.
    expect(deadline.leftSince(start, start - 5)).toBe(TIMEOUT);
  });
});

describe('JWKS faults (no key known yet: the first fetch fails)', () => {
  for (const mode of FAULTS) {
    it(`${mode}: every request answers "unavailable" within the deadline; one fetch at a time; recovers within 1 s of the fault ending`, async () => {
      const { clock, jwks, gate } = setup();
      jwks.state.mode = mode;
      const start = clock.t;
      const asked = Array.from({ length: 50 }, (_, i) => track(clock, gate.admits([kidToken(i % 2 ? 'ins_1' : `ins_other_${i}`)])));
      await clock.advance(TIMEOUT);
      for (const a of asked) {
        expect(a.done()).toBe(true);
        expect(a.at()! - start).toBeLessThanOrEqual(TIMEOUT);
        // Fail closed, and said as "could not check", not "invalid".
        expect(a.value()).toBe<GateVerdict>('unavailable');
      }
      expect(jwks.state.maxInflight).toBe(1);
      expect(jwks.state.calls).toBe(1);

      jwks.state.mode = 'ok';
      const recovery = await timeToAdmit(clock, gate, 'ins_1');
      expect(recovery, `${mode}: recovered after ${recovery} ms`).toBeLessThanOrEqual(1_000);
    });
  }

  it('a hung fetch that ignores its signal (as @clerk/backend\'s do) holds nobody past the deadline, and is not joined after it', async () => {
    const { clock, jwks, gate } = setup();
    jwks.state.mode = 'deaf-hang';
    const first = track(clock, gate.admits([kidToken('ins_1')]));
    await clock.advance(TIMEOUT);
    expect([first.value(), first.at()! - (clock.t - TIMEOUT)]).toEqual(['unavailable', TIMEOUT]);
    jwks.state.mode = 'ok';
    expect(await timeToAdmit(clock, gate, 'ins_1')).toBeLessThanOrEqual(1_000);
  });

  it('a slow JWKS that answers within the deadline is waited for: one fetch for 100 concurrent requests', async () => {
    const { clock, jwks, gate } = setup();
    jwks.state.mode = 'slow';
    jwks.state.slowMs = 1_000;
    const asked = Array.from({ length: 100 }, () => track(clock, gate.admits([kidToken('ins_1')])));
    await clock.advance(1_000);
    expect(asked.every((a) => a.value() === 'admitted')).toBe(true);
    expect(jwks.state.calls).toBe(1);
  });
});

describe('JWKS that stays usable', () => {
  it('keeps the last good keys through any fault; a new kid meanwhile is "unavailable", not "unknown"', async () => {
    for (const mode of FAULTS) {
      const { clock, jwks, gate } = setup();
      expect(await gate.admits([kidToken('ins_1')])).toBe('admitted');
      jwks.state.mode = mode;
      await clock.advance(120_000);
      const calls = jwks.state.calls;
      expect(await gate.admits([kidToken('ins_1')]), mode).toBe('admitted');
      expect(jwks.state.calls, mode).toBe(calls);
      const fresh = track(clock, gate.admits([kidToken('ins_2')]));
      await clock.advance(TIMEOUT);
      expect(fresh.value(), mode).toBe('unavailable');
      expect(await gate.admits([kidToken('ins_1')]), mode).toBe('admitted');
    }
  });

  it('retries a failing JWKS after 1 s, doubling to the 30 s cool-down (not every request, not only every 30 s)', async () => {
    const { clock, jwks, gate } = setup();
    jwks.state.mode = 'down';
    const tries: number[] = [];
    const start = clock.t;
    for (let t = 0; t < 120_000; t += 100) {
      const before = jwks.state.calls;
      await gate.admits([kidToken('ins_1')]);
      if (jwks.state.calls > before) tries.push(clock.t - start);
      await clock.advance(100);
    }
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    expect(gaps.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    expect(Math.max(...gaps)).toBe(30_000);
  });

  it('a new signing key is accepted within a second of appearing in the JWKS, however recent the last fetch, under traffic', async () => {
    const { clock, jwks, gate } = setup();
    expect(await gate.admits([kidToken('ins_1')])).toBe('admitted');
    await clock.advance(200);
    jwks.state.kids = ['ins_1', 'ins_2'];
    expect(await timeToAdmit(clock, gate, 'ins_2', { step: 50 })).toBeLessThanOrEqual(1_000);
  });

  it('tokens with the new kid that arrive before the JWKS has it: accepted within 5 s once it does', async () => {
    const { clock, jwks, gate } = setup();
    expect(await gate.admits([kidToken('ins_1')])).toBe('admitted');
    // 20 s of traffic with the new kid before Clerk's JWKS serves it (every fetch a miss).
    for (let t = 0; t < 20_000; t += 100) {
      expect(await gate.admits([kidToken('ins_2')])).toBe('unknown-kid');
      await clock.advance(100);
    }
    jwks.state.kids = ['ins_1', 'ins_2'];
    expect(await timeToAdmit(clock, gate, 'ins_2')).toBeLessThanOrEqual(5_000);
  });

  it('a flood of made-up kids stays bounded (at most one fetch per 4 s, within the budget), and a real new key still gets through', async () => {
    const budget = new BackendApiBudget({ log: () => undefined });
    const { clock, jwks, gate } = setup({ budget });
    expect(await gate.admits([kidToken('ins_1')])).toBe('admitted');
    for (let t = 0; t < 60_000; t += 50) {
      expect(await gate.admits([kidToken(`ins_fake_${t}`)])).toBe('unknown-kid');
      await clock.advance(50);
    }
    expect(jwks.state.calls).toBeLessThanOrEqual(1 + 60_000 / 4_000 + 2);
    jwks.state.kids = ['ins_1', 'ins_2'];
    expect(await timeToAdmit(clock, gate, 'ins_2')).toBeLessThanOrEqual(5_000);
  });
});
