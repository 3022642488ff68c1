// How a rule treats a *pending* session (signed in, an after-auth task still open), in one place:
// read from routes.config.ts, copied into a policy, combined across the rules one request meets,
// applied by decide() and shown by `routes list`/`explain`. The rest of the gateway passes the
// fields of `PendingPolicy` along without reading them.
import type { Identity } from '../auth/result';
import { describe } from '../config/describe';

/** What a rule, and so a policy, says about pending sessions. */
export interface PendingPolicy {
  /** `true`: a pending session counts as signed out here (Clerk's default). */
  readonly treatPendingAsSignedOut: boolean;
}

/** What a path no rule matches says (and `protect: true` without options). */
export const DEFAULT_PENDING: PendingPolicy = { treatPendingAsSignedOut: true };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The pending options of one rule of routes.config.ts. `treatPendingAsSignedOut` keeps both of
 * its documented spellings, since configs that start today use each: the rule's own field is the
 * only one a public rule (`protect: false`) can have, and `protect: { treatPendingAsSignedOut }`
 * is what the README and the shipped routes.config.ts write. Both compile to the one field;
 * given both, they must agree.
 */
export function checkPending(rule: Record<string, unknown>, where: string, problems: string[]): PendingPolicy {
  const own = rule.treatPendingAsSignedOut;
  const nested = isObject(rule.protect) ? rule.protect.treatPendingAsSignedOut : undefined;
  let value = DEFAULT_PENDING.treatPendingAsSignedOut;
  if (nested !== undefined) {
    if (typeof nested === 'boolean') value = nested;
    else problems.push(`${where}: protect.treatPendingAsSignedOut must be true or false, got ${describe(nested)}`);
  }
  if (own === undefined) return { treatPendingAsSignedOut: value };
  if (typeof own !== 'boolean') problems.push(`${where}: treatPendingAsSignedOut must be true or false, got ${describe(own)}`);
  else if (typeof nested === 'boolean' && nested !== own) problems.push(`${where}: treatPendingAsSignedOut and protect.treatPendingAsSignedOut disagree; keep one`);
  else value = own;
  return { treatPendingAsSignedOut: value };
}

/** The pending options of a rule (or policy), and nothing else of it. */
export function pendingOf(source: PendingPolicy): PendingPolicy {
  return { treatPendingAsSignedOut: source.treatPendingAsSignedOut };
}

/**
 * The pending options of several policies met by one request (`undefined`: no rule). Any one,
 * public or "no rule", that would forward a pending session as signed out wins: its identity
 * must not reach a handler that was told to treat it as signed out.
 */
export function combinePending(met: readonly (PendingPolicy | undefined)[]): PendingPolicy {
  return { treatPendingAsSignedOut: met.some((policy) => (policy ?? DEFAULT_PENDING).treatPendingAsSignedOut) };
}

export function samePending(a: PendingPolicy, b: PendingPolicy): boolean {
  return a.treatPendingAsSignedOut === b.treatPendingAsSignedOut;
}

/** Whether `decide()` treats this session as signed out on this policy (`undefined`: public). */
export function pendingHeldBack(policy: PendingPolicy | undefined, identity: Identity | undefined): boolean {
  return identity?.status === 'pending' && (policy ?? DEFAULT_PENDING).treatPendingAsSignedOut;
}

/** What `routes list`/`explain` add to `public` or `protected` for these options, if anything. */
export function describePending(policy: PendingPolicy & { readonly protect: boolean }): string | undefined {
  if (policy.treatPendingAsSignedOut) return undefined;
  return policy.protect ? 'pending allowed' : 'pending sessions recognised';
}
