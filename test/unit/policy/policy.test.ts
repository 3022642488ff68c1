// `Policy` (src/policy/policy.ts): what decides one request, built from the rule it meets or from
// every rule it meets combined (src/routing/combine.ts), never a made-up rule.
import { describe, expect, it } from 'vitest';

import type { CompiledConfig } from '../../../src/config/types';
import { validateConfig } from '../../../src/config/validate';
import { combinePolicies } from '../../../src/routing/combine';
import { matchRoute } from '../../../src/routing/match';
import { combinePending, DEFAULT_PENDING, describePending, pendingHeldBack } from '../../../src/policy/pending';
import { policyName, policyOf } from '../../../src/policy/policy';

function compile(config: unknown): CompiledConfig {
  const result = validateConfig(config);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

const config = compile({
  routes: [
    { match: '/x', methods: ['GET'], protect: { role: 'org:reader' }, name: 'read', unauthorizedUrl: '/no' },
    { match: '/x', methods: ['DELETE'], protect: { role: 'org:admin' }, accept: ['session_token'], name: 'delete', onUnauthenticated: 'status' },
    { match: '/y', protect: false, treatPendingAsSignedOut: false, origin: 'https://other.example', name: 'y' },
    { match: '/z', protect: { treatPendingAsSignedOut: false }, name: 'z' },
  ],
});
const [read, del, y, z] = config.routes;

describe('Policy', () => {
  it('is the rule’s own, one object per rule, when a request meets one rule', () => {
    const policy = matchRoute(config, ['/z'], { methods: ['GET'], host: '' });
    expect(policy).toBe(policyOf(z));
    expect(policy).toMatchObject({ rules: [z], name: 'z', protect: true, treatPendingAsSignedOut: false, conditions: [] });
    expect(matchRoute(config, ['/y'], { methods: ['GET'], host: '' })).toMatchObject({ rules: [y], protect: false, origin: y!.origin });
    expect(matchRoute(config, ['/nothing'], { methods: ['GET'], host: '' })).toBeUndefined();
  });

  it('combines every rule a POST could become: each condition set listed, named by its rules', () => {
    // A POST is matched as every method a rule names: here `read` and `delete` (and no rule).
    const policy = matchRoute(config, ['/x'], { methods: ['*'], host: '', method: 'POST' });
    expect(policy).toMatchObject({
      rules: [read, del],
      name: 'read & delete',
      protect: true,
      conditions: [{ role: 'org:reader' }, { role: 'org:admin' }],
      // The labels are the first protected rule's; no rule decides a POST itself, so the origin is ORIGIN_URL's.
      onUnauthenticated: 'redirect',
      unauthorizedUrl: '/no',
      origin: undefined,
    });
  });

  it('combines as policies: a rule met twice counts once, the primary says where the request goes', () => {
    const both = combinePolicies(policyOf(y), [policyOf(y), policyOf(z), policyOf(z), policyOf(read)]);
    expect(both).toMatchObject({ rules: [z, read], name: 'z & read', conditions: [{ role: 'org:reader' }], origin: y!.origin, treatPendingAsSignedOut: true });
    // Combining a combined policy again keeps its rules flat.
    expect(combinePolicies(both, [both, policyOf(del)])).toMatchObject({ rules: [z, read, del], name: 'z & read & delete' });
    // Only public policies: the primary's own, pending sessions held back if any holds them back.
    expect(combinePolicies(policyOf(y), [policyOf(y)])).toBe(policyOf(y));
    expect(combinePolicies(policyOf(y), [policyOf(y), undefined])).toMatchObject({ rules: [y], protect: false, treatPendingAsSignedOut: true });
  });

  it('is named as logs named the rules: each name once, joined by " & "', () => {
    expect(policyName([read!])).toBe('read');
    expect(policyName([read!, del!, read!])).toBe('read & delete');
  });
});

describe('pending sessions, in one place (src/policy/pending.ts)', () => {
  const pending = { userId: 'user_1', sessionId: 'sess_1', status: 'pending' as const };
  it('holds a pending session back unless every policy met lets it through', () => {
    expect(pendingHeldBack(undefined, pending)).toBe(true);
    expect(pendingHeldBack(policyOf(z), pending)).toBe(false);
    expect(pendingHeldBack(policyOf(read), { ...pending, status: 'active' })).toBe(false);
    expect(combinePending([policyOf(z), policyOf(y)])).toEqual({ treatPendingAsSignedOut: false });
    expect(combinePending([policyOf(z), undefined])).toEqual(DEFAULT_PENDING);
  });

  it('is shown as routes list shows it', () => {
    expect(describePending(policyOf(z))).toBe('pending allowed');
    expect(describePending(policyOf(y))).toBe('pending sessions recognised');
    expect(describePending(policyOf(read))).toBeUndefined();
  });
});
