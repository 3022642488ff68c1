// The conditions a rule's `protect` can set, one entry each: how the routes DSL spells and checks
// it at start (`parse`), how a signed-in session is checked against it (`check`, with Clerk's
// `has()`), and how `routes list`/`explain` show it (`describe`). Config validation, `decide()`
// and the explain text all walk this registry; none of them names a condition.
import type { Identity } from '../auth/result';
import { describe } from '../config/describe';
import { didYouMean } from '../config/suggest';
import type { CompiledConditions, ConditionKey, ReverificationConfig, ReverificationPreset, SessionAuth } from '../config/types';

/** Why a signed-in session does not meet a rule's conditions; each is a public reason. */
export type ConditionFailure =
  | { code: 'ERR_ORGANIZATION_MISMATCH'; reason: 'organization_mismatch' }
  | { code: 'ERR_FORBIDDEN'; reason: 'role_required' | 'permission_required' | 'feature_required' | 'plan_required' | 'check_failed' }
  | { code: 'ERR_REVERIFICATION_REQUIRED'; reason: 'reverification_required'; reverification: ReverificationConfig };

/**
 * When a condition is checked, in this order: `request`, against what the request says (the
 * organization in the path), before the session's claims are read, so its 403 says "wrong
 * organization", not "wrong role"; `session`, against the claims with `has()`; `step-up` last,
 * since asking a user to verify again is pointless when a role is missing anyway.
 */
export type ConditionStage = 'request' | 'session' | 'step-up';
export const CONDITION_STAGES: readonly ConditionStage[] = ['request', 'session', 'step-up'];

/** What a `request` condition is checked against. */
export interface ConditionFacts {
  identity: Identity;
  /** The value of each `organizationParam` in every reading of the path its rule matched. */
  organizations: readonly string[];
}

/** What a `session` or `step-up` condition is checked against: `auth` is Clerk's own auth object (`sessionAuthObject`). */
export interface SessionFacts extends ConditionFacts {
  auth: SessionAuth;
}

/** Where a condition is being read in `routes.config.ts`. */
export interface ParseContext {
  /** The rule, as config errors name it (`route #2 ("/orgs/:org/(.*)")`). */
  where: string;
  /** The rule's `match`, as written. */
  match: unknown;
  /** Problems are pushed here, each naming the rule and the field. */
  problems: string[];
}

type Value<K extends ConditionKey> = NonNullable<CompiledConditions[K]>;

// Method syntax (not arrow properties) on purpose: methods are compared bivariantly, so a typed
// entry is also an `AnyCondition`, whose walkers hand each entry only values its own `parse` made.
interface Shown<V> {
  /** The option as written, compiled; `undefined` after pushing a problem. Called only when it is given. */
  parse(value: unknown, at: ParseContext): V | undefined;
  /** A few words for `routes list`/`explain` (`role org:admin`). */
  describe(value: V): string;
}
type Checked<V> =
  | { stage: 'request'; check(value: V, facts: ConditionFacts): ConditionFailure | undefined }
  | { stage: 'session' | 'step-up'; check(value: V, facts: SessionFacts): ConditionFailure | undefined };

/** One condition of `protect`: its value type is what `ProtectOptions[K]` compiles to. */
export type ConditionEntry<K extends ConditionKey> = Shown<Value<K>> & Checked<Value<K>>;
/** An entry as the walkers see it, whatever its value. */
export type AnyCondition = Shown<unknown> & Checked<unknown>;
/** Conditions by their key in `protect`, in the order their problems are reported. */
export type ConditionRegistry = Readonly<Record<string, AnyCondition>>;

// Clerk's presets (`@clerk/shared/authorization`), expanded so the 403 tells the front end exactly what to ask for.
const REVERIFICATION_PRESETS: Readonly<Record<ReverificationPreset, ReverificationConfig>> = {
  strict_mfa: { level: 'multi_factor', afterMinutes: 10 },
  strict: { level: 'second_factor', afterMinutes: 10 },
  moderate: { level: 'second_factor', afterMinutes: 60 },
  lax: { level: 'second_factor', afterMinutes: 1440 },
};
const LEVELS = new Set(['first_factor', 'second_factor', 'multi_factor']);
const ROLE = /^org:[A-Za-z0-9_-]+$/;
const PERMISSION = /^org:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/;
// `has()` takes an optional scope before the key; it throws (and answers false) on any other.
const ENTITLEMENT = /^(?:(?:o|org|organization|u|user):)?[A-Za-z0-9_-]+$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function parseReverification(value: unknown, { where, problems }: ParseContext): ReverificationConfig | undefined {
  if (typeof value === 'string') {
    if (value in REVERIFICATION_PRESETS) return REVERIFICATION_PRESETS[value as ReverificationPreset];
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { level, afterMinutes, ...rest } = value as Record<string, unknown>;
    for (const key of Object.keys(rest)) problems.push(`${where}: protect.reverification.${key} is not an option (known: level, afterMinutes)${didYouMean(key, ['level', 'afterMinutes'])}`);
    const levelOk = typeof level === 'string' && LEVELS.has(level);
    const minutesOk = typeof afterMinutes === 'number' && Number.isFinite(afterMinutes) && afterMinutes > 0;
    if (!levelOk) problems.push(`${where}: protect.reverification.level must be one of ${[...LEVELS].join(', ')}, got ${describe(level)}`);
    if (!minutesOk) problems.push(`${where}: protect.reverification.afterMinutes must be a number of minutes above 0, got ${describe(afterMinutes)}`);
    return levelOk && minutesOk ? { level: level as ReverificationConfig['level'], afterMinutes } : undefined;
  }
  problems.push(`${where}: protect.reverification must be ${Object.keys(REVERIFICATION_PRESETS).join(', ')} or { level, afterMinutes }, got ${describe(value)}`);
  return undefined;
}

/** A pattern names the parameter: `:org` in a path pattern, `(?<org>…)` in a RegExp. */
function patternHasParam(pattern: unknown, name: string): boolean {
  if (pattern instanceof RegExp) return pattern.source.includes(`(?<${name}>`);
  return typeof pattern === 'string' && new RegExp(`:${name}(?![A-Za-z0-9_])`).test(pattern);
}

function parseOrganizationParam(value: unknown, { where, match, problems }: ParseContext): string | undefined {
  const patterns = Array.isArray(match) ? match : [match];
  if (typeof value !== 'string' || !PARAM_NAME.test(value)) {
    problems.push(`${where}: protect.organizationParam must be the name of a parameter of match, like "org" for '/orgs/:org/(.*)', got ${describe(value)}`);
  } else if (!patterns.every((p) => patternHasParam(p, value))) {
    problems.push(`${where}: protect.organizationParam "${value}" is not a parameter of every pattern in match; write :${value} in each (or (?<${value}>…) in a RegExp)`);
  } else return value;
  return undefined;
}

/** A string option that must match `pattern`, else `message` (after `protect.<key> `) with the value. */
function parseString(key: ConditionKey, pattern: RegExp, message: string) {
  return (value: unknown, { where, problems }: ParseContext): string | undefined => {
    if (typeof value === 'string' && pattern.test(value)) return value;
    problems.push(`${where}: protect.${key} ${message}, got ${describe(value)}`);
    return undefined;
  };
}

const ENTITLEMENT_MESSAGE = 'must be a key, optionally scoped ("export", "o:export", "u:export")';
const forbidden = (reason: Extract<ConditionFailure, { code: 'ERR_FORBIDDEN' }>['reason']): ConditionFailure => ({ code: 'ERR_FORBIDDEN', reason });

/**
 * Every condition of `protect`. The `satisfies` clause makes this list and `ProtectOptions`
 * (`src/config/types.ts`, the documented options) agree key for key at compile time; the order
 * here is the order of config problems and of the `known:` lists in them.
 */
export const CONDITIONS = {
  role: {
    parse: parseString('role', ROLE, 'must be an organization role key like "org:admin" (org: prefix, then letters, digits, "_" or "-")'),
    stage: 'session',
    check: (role, { auth }) => (auth.has({ role }) ? undefined : forbidden('role_required')),
    describe: (role) => `role ${role}`,
  },
  permission: {
    parse: parseString('permission', PERMISSION, 'must look like "org:invoices:manage" (org:<feature>:<permission>)'),
    stage: 'session',
    check: (permission, { auth }) => (auth.has({ permission }) ? undefined : forbidden('permission_required')),
    describe: (permission) => `permission ${permission}`,
  },
  feature: {
    parse: parseString('feature', ENTITLEMENT, ENTITLEMENT_MESSAGE),
    stage: 'session',
    check: (feature, { auth }) => (auth.has({ feature }) ? undefined : forbidden('feature_required')),
    describe: (feature) => `feature ${feature}`,
  },
  plan: {
    parse: parseString('plan', ENTITLEMENT, ENTITLEMENT_MESSAGE),
    stage: 'session',
    check: (plan, { auth }) => (auth.has({ plan }) ? undefined : forbidden('plan_required')),
    describe: (plan) => `plan ${plan}`,
  },
  reverification: {
    parse: parseReverification,
    stage: 'step-up',
    check: (reverification, { auth }) =>
      auth.has({ reverification }) ? undefined : { code: 'ERR_REVERIFICATION_REQUIRED', reason: 'reverification_required', reverification },
    describe: (r) => `reverification ${r.level} within ${r.afterMinutes} min`,
  },
  organizationParam: {
    parse: parseOrganizationParam,
    stage: 'request',
    // Each value in the path must name the active organization: its id, or its slug ignoring case.
    check: (_param, { identity: { orgId, orgSlug }, organizations }) => {
      const names = (value: string) => (orgId !== undefined && value === orgId) || (orgSlug !== undefined && value.toLowerCase() === orgSlug.toLowerCase());
      return organizations.length > 0 && organizations.every(names) ? undefined : { code: 'ERR_ORGANIZATION_MISMATCH', reason: 'organization_mismatch' };
    },
    describe: (param) => `organization = :${param}`,
  },
  check: {
    parse: (value, { where, problems }) => {
      if (typeof value === 'function') return value as Value<'check'>;
      problems.push(`${where}: protect.check must be a function (auth) => boolean, got ${describe(value)}`);
      return undefined;
    },
    stage: 'session',
    // Only `true` lets the request through; a throw is the gateway's 500, never a forward.
    check: (fn, { auth }) => (fn(auth) === true ? undefined : forbidden('check_failed')),
    describe: () => 'check()',
  },
} satisfies { readonly [K in ConditionKey]: ConditionEntry<K> };

/** The registry the gateway runs; tests hand the walkers registries of their own. */
export const CONDITION_REGISTRY: ConditionRegistry = CONDITIONS;
/** The keys of `protect` that are conditions, in registry order. */
export const CONDITION_KEYS: readonly string[] = Object.keys(CONDITIONS);

/** The entries in the order they are checked and shown: by stage, then in registry order. */
export function inCheckOrder(registry: ConditionRegistry): [string, AnyCondition][] {
  const entries = Object.entries(registry);
  return CONDITION_STAGES.flatMap((stage) => entries.filter(([, entry]) => entry.stage === stage));
}

/** The conditions of an object `protect`, or `undefined` when it sets none. */
export function parseConditions(protect: Readonly<Record<string, unknown>>, at: ParseContext, registry: ConditionRegistry = CONDITION_REGISTRY): CompiledConditions | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(registry)) {
    if (protect[key] === undefined) continue;
    const value = entry.parse(protect[key], at);
    if (value !== undefined) out[key] = value;
  }
  // Each value is what its own entry's `parse` made: the shape `CompiledConditions` describes.
  return Object.keys(out).length > 0 ? (out as CompiledConditions) : undefined;
}

/** One condition set in words, in check order (`organization = :org, role org:admin`). */
export function describeConditions(set: Readonly<Record<string, unknown>>, registry: ConditionRegistry = CONDITION_REGISTRY): string[] {
  return inCheckOrder(registry).flatMap(([key, entry]) => (set[key] === undefined ? [] : [entry.describe(set[key])]));
}
