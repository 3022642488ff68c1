import { sessionAuthObject } from '../auth/auth-object';
import type { Identity } from '../auth/result';
import { CONDITION_REGISTRY, CONDITION_STAGES, inCheckOrder, type ConditionFailure, type ConditionRegistry, type SessionFacts } from '../policy/conditions';

export type { ConditionFailure } from '../policy/conditions';

/**
 * The first condition of a policy the session fails, or `undefined` when it meets them all.
 * Stage by stage (see `ConditionStage`), each set in turn: the organization in the URL first, the
 * session's claims read with Clerk's `has()` next, reverification last. `organizations` holds the
 * value of each `organizationParam` in every reading of the path its rule matched: each must name
 * the active organization.
 */
export function unmetCondition(
  sets: readonly Readonly<Record<string, unknown>>[],
  identity: Identity,
  sessionToken: string,
  organizations: readonly string[],
  registry: ConditionRegistry = CONDITION_REGISTRY,
): ConditionFailure | undefined {
  const entries = inCheckOrder(registry);
  const facts = { identity, organizations };
  let session: SessionFacts | undefined;
  for (const stage of CONDITION_STAGES) {
    if (stage !== 'request' && !session) {
      // Without claims there is nothing for has() to read: fail closed (even with no such condition, as always).
      if (!identity.claims) return { code: 'ERR_FORBIDDEN', reason: 'check_failed' };
      session = { ...facts, auth: sessionAuthObject(sessionToken, identity.claims) };
    }
    for (const set of sets) {
      for (const [key, entry] of entries) {
        const value = set[key];
        if (entry.stage !== stage || value === undefined) continue;
        // `session` is set above for every stage after `request`.
        const failure = entry.stage === 'request' ? entry.check(value, facts) : entry.check(value, session as SessionFacts);
        if (failure) return failure;
      }
    }
  }
  return undefined;
}
