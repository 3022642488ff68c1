// The JWKS gate (src/auth/jwks-gate.ts): an unknown kid makes at most one JWKS fetch at a time,
// then waits at least a second before fetching for an unknown kid again. Unknown-kid storms through the gateway: test/attacks/jwks.test.ts.
import { describe, expect, it } from 'vitest';

import { JwksGate, jwtKid } from '../../../../src/auth/limits/jwks-gate';

const T0 = 1_800_000_000_000;

describe('JwksGate', () => {
  const kidToken = (kid: string) => `${btoa(JSON.stringify({ alg: 'RS256', kid })).replace(/=+$/, '')}.e30.sig`;

  function gate(now: { t: number }) {
    let calls = 0;
    const g = new JwksGate({
      secretKey: 'sk_live_x',
      apiUrl: 'https://api.test',
      now: () => now.t,
      fetch: (async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        return new Response(JSON.stringify({ keys: [{ kid: 'ins_good' }] }));
      }) as typeof fetch,
    });
    return { g, calls: () => calls };
  }

  it('reads the kid of a JWT header', () => {
    expect(jwtKid(kidToken('ins_good'))).toBe('ins_good');
    expect(jwtKid('garbage')).toBeUndefined();
    // JSON headers without a string kid make Clerk fetch the JWKS for kid undefined: the gate refuses them.
    for (const header of ['[]', '"x"', '{"kid":7}', '{}']) expect(jwtKid(`${btoa(header)}.e30.sig`)).toBeNull();
    // A header Clerk decodes, however deeply nested, is a JWT to the gate too (review of c247969: a
    // recursive freeze of it overflowed the stack and the token passed the gate as "not a JWT").
    const nested = btoa(`${'['.repeat(12000)}${']'.repeat(12000)}`);
    expect(jwtKid(`${nested}.e30.sig`)).toBeNull();
    expect(jwtKid(`${nested}.e30.sig`)).toBeNull();
  });

  it('fetches once for a flood of unknown kids (single flight, then at most once a second)', async () => {
    const now = { t: T0 };
    const { g, calls } = gate(now);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => g.admits([kidToken(`ins_fake_${i}`)])));
    expect(results.every((r) => r === 'unknown-kid')).toBe(true);
    expect(calls()).toBe(1);
    for (let i = 0; i < 50; i++) expect(await g.admits([kidToken(`ins_more_${i}`)])).toBe('unknown-kid');
    expect(calls()).toBe(1);
    expect(await g.admits([kidToken('ins_good')])).toBe('admitted');
    now.t += 1_000;
    expect(await g.admits([kidToken('ins_new')])).toBe('unknown-kid');
    expect(calls()).toBe(2);
  });

  it('lets known kids through without fetching again', async () => {
    const now = { t: T0 };
    const { g, calls } = gate(now);
    expect(await g.admits([kidToken('ins_good')])).toBe('admitted');
    for (let i = 0; i < 20; i++) expect(await g.admits([kidToken('ins_good')])).toBe('admitted');
    expect(calls()).toBe(1);
  });
});
