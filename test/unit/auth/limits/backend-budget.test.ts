// The Backend API budget (src/auth/backend-budget.ts) on an injected clock. What it bounds through
// the gateway: test/e2e/backend-budget.test.ts.
import { describe, expect, it } from 'vitest';

import { BackendApiBudget } from '../../../../src/auth/limits/backend-budget';

describe('BackendApiBudget', () => {
  it('the Backend API budget refills at its rate and says once when it runs out and once when it is back', () => {
    const lines: string[] = [];
    const budget = new BackendApiBudget({ burst: 2, perSecond: 1, log: (line) => lines.push(line) });
    const t = 1_000_000;
    expect([budget.take('handshake-nonce', t), budget.take('session-refresh', t), budget.take('jwks-refetch', t), budget.take('jwks-refetch', t)]).toEqual([true, true, false, false]);
    expect(lines).toEqual([expect.stringMatching(/budget exhausted .*refusing a jwks-refetch call/)]);
    expect([budget.take('session-refresh', t + 1000), budget.take('session-refresh', t + 1000)]).toEqual([true, false]);
    expect(lines[1]).toMatch(/available again after refusing 2 calls/);
    // A clock that steps back regains nothing.
    expect(budget.take('session-refresh', t)).toBe(false);
  });
});
