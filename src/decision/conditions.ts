import { sessionAuthObject } from '../auth/auth-object';
import type { Identity } from '../auth/result';
import type { CompiledConditions, ReverificationConfig } from '../config/types';

/** Why a signed-in session does not meet a rule's conditions; each is a public reason. */
export type ConditionFailure =
  | { code: 'ERR_ORGANIZATION_MISMATCH'; reason: 'organization_mismatch' }
  | { code: 'ERR_FORBIDDEN'; reason: 'role_required' | 'permission_required' | 'feature_required' | 'plan_required' | 'check_failed' }
  | { code: 'ERR_REVERIFICATION_REQUIRED'; reason: 'reverification_required'; reverification: ReverificationConfig };

/**
 * The first condition of a rule the session fails, or `undefined` when it meets them all. The
 * organization in the URL is checked first (its 403 says "wrong organization", not "wrong role"),
 * reverification last (asking a user to verify again is pointless when a role is missing anyway).
 * `organizations` holds the value of the rule's parameter in every reading of the path that the
 * rule matched: each must name the active organization (its slug, ignoring case, or its id).
 */
export function unmetCondition(
  conditions: CompiledConditions,
  identity: Identity,
  sessionToken: string,
  organizations: readonly string[],
): ConditionFailure | undefined {
  // The rule's own set, then those of the other rules the request met (`combineRules`).
  const sets = [conditions, ...(conditions.also ?? [])];
  if (sets.some((set) => set.organizationParam !== undefined)) {
    const { orgId, orgSlug } = identity;
    const names = (value: string) => (orgId !== undefined && value === orgId) || (orgSlug !== undefined && value.toLowerCase() === orgSlug.toLowerCase());
    if (organizations.length === 0 || !organizations.every(names)) return { code: 'ERR_ORGANIZATION_MISMATCH', reason: 'organization_mismatch' };
  }
  // Without claims there is nothing for has() to read: fail closed.
  if (!identity.claims) return { code: 'ERR_FORBIDDEN', reason: 'check_failed' };
  const auth = sessionAuthObject(sessionToken, identity.claims);
  for (const set of sets) {
    if (set.role !== undefined && !auth.has({ role: set.role })) return { code: 'ERR_FORBIDDEN', reason: 'role_required' };
    if (set.permission !== undefined && !auth.has({ permission: set.permission })) return { code: 'ERR_FORBIDDEN', reason: 'permission_required' };
    if (set.feature !== undefined && !auth.has({ feature: set.feature })) return { code: 'ERR_FORBIDDEN', reason: 'feature_required' };
    if (set.plan !== undefined && !auth.has({ plan: set.plan })) return { code: 'ERR_FORBIDDEN', reason: 'plan_required' };
    if (set.check !== undefined && set.check(auth) !== true) return { code: 'ERR_FORBIDDEN', reason: 'check_failed' };
  }
  // Reverification last: asking to verify again is pointless if a role is missing anyway.
  for (const set of sets) {
    if (set.reverification !== undefined && !auth.has({ reverification: set.reverification })) {
      return { code: 'ERR_REVERIFICATION_REQUIRED', reason: 'reverification_required', reverification: set.reverification };
    }
  }
  return undefined;
}
