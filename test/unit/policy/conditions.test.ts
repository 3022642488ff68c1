// The condition registry (src/policy/conditions.ts): every condition of `protect` is one entry,
// parsed by config validation, checked by decide() and described by `routes list`/`explain`, all
// by walking the registry. A condition added to it, and only to it, works in all three.
import { describe, expect, expectTypeOf, it } from 'vitest';

import type { Identity } from '../../../src/auth/result';
import type { ConditionKey, ProtectOptions } from '../../../src/config/types';
import { validateConfig } from '../../../src/config/validate';
import { unmetCondition, type ConditionFailure } from '../../../src/decision/conditions';
import type { SessionFlags } from '../../../src/explain/report';
import { sessionClaims } from '../../../src/explain/session-claims';
import { protection } from '../../../src/explain/format';
import {
  CONDITION_KEYS,
  CONDITION_REGISTRY,
  CONDITIONS,
  describeConditions,
  parseConditions,
  type ConditionRegistry,
  type ParseContext,
} from '../../../src/policy/conditions';
import { policyOf } from '../../../src/policy/policy';

const MATCH = '/orgs/:org/(.*)';

function identity(flags: SessionFlags, org: { orgId?: string; orgSlug?: string } = {}): Identity {
  return { userId: 'user_1', sessionId: 'sess_1', status: 'active', ...org, claims: sessionClaims(flags, 'active') };
}

interface Sample {
  /** `protect.<key>` as a user writes it. */
  written: unknown;
  /** What `routes list` shows for it. */
  shown: string;
  /** A session (and the organizations in the path) that meets it, and one that does not. */
  meets: { identity: Identity; organizations: readonly string[] };
  fails: { identity: Identity; organizations: readonly string[] };
  failure: ConditionFailure;
}

// A `Record` over every condition: a condition added to the registry without a sample here does
// not typecheck, and the key test below fails.
const SAMPLES: Record<ConditionKey, Sample> = {
  role: {
    written: 'org:admin',
    shown: 'role org:admin',
    meets: { identity: identity({ role: 'org:admin' }), organizations: [] },
    fails: { identity: identity({ role: 'org:member' }), organizations: [] },
    failure: { code: 'ERR_FORBIDDEN', reason: 'role_required' },
  },
  permission: {
    written: 'org:invoices:manage',
    shown: 'permission org:invoices:manage',
    meets: { identity: identity({ permissions: ['org:invoices:manage'] }), organizations: [] },
    fails: { identity: identity({ permissions: ['org:invoices:read'] }), organizations: [] },
    failure: { code: 'ERR_FORBIDDEN', reason: 'permission_required' },
  },
  feature: {
    written: 'export',
    shown: 'feature export',
    meets: { identity: identity({ features: ['export'] }), organizations: [] },
    fails: { identity: identity({ features: ['import'] }), organizations: [] },
    failure: { code: 'ERR_FORBIDDEN', reason: 'feature_required' },
  },
  plan: {
    written: 'u:pro',
    shown: 'plan u:pro',
    meets: { identity: identity({ plans: ['pro'] }), organizations: [] },
    fails: { identity: identity({ plans: ['free'] }), organizations: [] },
    failure: { code: 'ERR_FORBIDDEN', reason: 'plan_required' },
  },
  reverification: {
    written: 'strict',
    shown: 'reverification second_factor within 10 min',
    meets: { identity: identity({ fva: [0, 0] }), organizations: [] },
    fails: { identity: identity({ fva: [0, 30] }), organizations: [] },
    failure: { code: 'ERR_REVERIFICATION_REQUIRED', reason: 'reverification_required', reverification: { level: 'second_factor', afterMinutes: 10 } },
  },
  organizationParam: {
    written: 'org',
    shown: 'organization = :org',
    meets: { identity: identity({ orgSlug: 'acme' }, { orgId: 'org_1', orgSlug: 'acme' }), organizations: ['ACME', 'org_1'] },
    fails: { identity: identity({ orgSlug: 'acme' }, { orgId: 'org_1', orgSlug: 'acme' }), organizations: ['acme', 'evil'] },
    failure: { code: 'ERR_ORGANIZATION_MISMATCH', reason: 'organization_mismatch' },
  },
  check: {
    written: (auth: { orgId?: string | null }) => auth.orgId === 'org_1',
    shown: 'check()',
    meets: { identity: identity({ orgId: 'org_1' }), organizations: [] },
    fails: { identity: identity({ orgId: 'org_2' }), organizations: [] },
    failure: { code: 'ERR_FORBIDDEN', reason: 'check_failed' },
  },
};

describe('the condition registry', () => {
  it('has one entry per condition option of ProtectOptions, and a sample here for each', () => {
    // Also checked at compile time (`satisfies` in the registry); this says it where tests are read.
    expectTypeOf<keyof typeof CONDITIONS>().toEqualTypeOf<Exclude<keyof ProtectOptions, 'treatPendingAsSignedOut'>>();
    expect(Object.keys(SAMPLES).sort()).toEqual([...CONDITION_KEYS].sort());
  });

  it.each(Object.entries(SAMPLES))('%s is parsed from routes.config.ts, checked against the session and described', (key, sample) => {
    const result = validateConfig({ routes: [{ match: MATCH, protect: { [key]: sample.written } }] });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const route = result.config.routes[0]!;
    expect(route.conditions?.[key as ConditionKey]).toBeDefined();
    expect(protection(policyOf(route))).toBe(`protected: ${sample.shown}`);
    expect(unmetCondition([route.conditions!], sample.meets.identity, 'token', sample.meets.organizations)).toBeUndefined();
    expect(unmetCondition([route.conditions!], sample.fails.identity, 'token', sample.fails.organizations)).toEqual(sample.failure);
  });

  it('refuses a value of the wrong kind for every condition, naming the rule and the option', () => {
    for (const key of CONDITION_KEYS) {
      const result = validateConfig({ routes: [{ match: MATCH, protect: { [key]: 42 } }] });
      expect(result.ok ? [] : result.problems, key).toEqual([expect.stringMatching(new RegExp(`^route #1 \\("/orgs/:org/\\(\\.\\*\\)"\\): protect\\.${key} `))]);
    }
  });

  it('checks the organization in the path first, the claims next, reverification last, across every set', () => {
    const sets = [{ reverification: { level: 'second_factor', afterMinutes: 10 } as const }, { role: 'org:admin' }, { organizationParam: 'org' }];
    const member = identity({ role: 'org:member', fva: [0, 30] }, { orgId: 'org_1', orgSlug: 'acme' });
    expect(unmetCondition(sets, member, 'token', ['evil'])).toEqual({ code: 'ERR_ORGANIZATION_MISMATCH', reason: 'organization_mismatch' });
    expect(unmetCondition(sets, member, 'token', ['acme'])).toEqual({ code: 'ERR_FORBIDDEN', reason: 'role_required' });
    const admin = identity({ role: 'org:admin', fva: [0, 30] }, { orgId: 'org_1', orgSlug: 'acme' });
    expect(unmetCondition(sets, admin, 'token', ['acme'])?.reason).toBe('reverification_required');
    expect(describeConditions(sets[0]!)).toEqual(['reverification second_factor within 10 min']);
    expect(describeConditions({ reverification: sets[0]!.reverification, role: 'org:admin', organizationParam: 'org' })).toEqual([
      'organization = :org',
      'role org:admin',
      'reverification second_factor within 10 min',
    ]);
  });

  it('fails closed without claims, after the organization check, even for a set that reads none', () => {
    const bare: Identity = { userId: 'user_1', sessionId: 'sess_1', status: 'active', orgSlug: 'acme' };
    expect(unmetCondition([{ organizationParam: 'org' }], bare, 'token', ['evil'])?.reason).toBe('organization_mismatch');
    expect(unmetCondition([{ organizationParam: 'org' }], bare, 'token', ['acme'])).toEqual({ code: 'ERR_FORBIDDEN', reason: 'check_failed' });
  });
});

describe('a condition added to the registry', () => {
  // A condition the gateway does not have: the session's email must be at a domain. One entry, and
  // the walkers that config validation, decide() and `routes list` use parse, check and show it.
  const registry: ConditionRegistry = {
    ...CONDITION_REGISTRY,
    emailDomain: {
      stage: 'session',
      parse: (value: unknown, at: ParseContext) => {
        if (typeof value === 'string' && /^[a-z0-9.-]+$/.test(value)) return value;
        at.problems.push(`${at.where}: protect.emailDomain must be a domain name`);
        return undefined;
      },
      check: (domain, { auth }) => (String(auth.sessionClaims.email ?? '').endsWith(`@${String(domain)}`) ? undefined : { code: 'ERR_FORBIDDEN', reason: 'check_failed' }),
      describe: (domain) => `email at ${String(domain)}`,
    },
  };
  const at = (problems: string[]): ParseContext => ({ where: 'route #1', match: '/x', problems });
  const withEmail = (email: string): Identity => ({ ...identity({ role: 'org:admin' }), claims: { ...sessionClaims({ role: 'org:admin' }, 'active'), email } });

  it('is parsed, checked in its stage and described, beside the built-in ones', () => {
    const problems: string[] = [];
    const set = parseConditions({ role: 'org:admin', emailDomain: 'example.com' }, at(problems), registry);
    expect(problems).toEqual([]);
    expect(set).toEqual({ role: 'org:admin', emailDomain: 'example.com' });
    expect(unmetCondition([set!], withEmail('pat@example.com'), 'token', [], registry)).toBeUndefined();
    expect(unmetCondition([set!], withEmail('pat@evil.example'), 'token', [], registry)).toEqual({ code: 'ERR_FORBIDDEN', reason: 'check_failed' });
    expect(describeConditions(set!, registry)).toEqual(['role org:admin', 'email at example.com']);
  });

  it('reports its own problems and is absent from the registry the gateway runs', () => {
    const problems: string[] = [];
    expect(parseConditions({ emailDomain: 'Not A Domain' }, at(problems), registry)).toBeUndefined();
    expect(problems).toEqual(['route #1: protect.emailDomain must be a domain name']);
    expect(parseConditions({ emailDomain: 'example.com' }, at([]))).toBeUndefined();
  });
});
