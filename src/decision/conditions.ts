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
  if (conditions.organizationParam !== undefined) {
    const { orgId, orgSlug } = identity;
    const names = (value: string) => (orgId !== undefined && value === orgId) || (orgSlug !== undefined && value.toLowerCase() === orgSlug.toLowerCase());
    if (organizations.length === 0 || !organizations.every(names)) return { code: 'ERR_ORGANIZATION_MISMATCH', reason: 'organization_mismatch' };
  }
  // Without claims there is nothing for has() to read: fail closed.
  if (!identity.claims) return { code: 'ERR_FORBIDDEN', reason: 'check_failed' };
  const auth = sessionAuthObject(sessionToken, identity.claims);
  if (conditions.role !== undefined && !auth.has({ role: conditions.role })) return { code: 'ERR_FORBIDDEN', reason: 'role_required' };
  if (conditions.permission !== undefined && !auth.has({ permission: conditions.permission })) return { code: 'ERR_FORBIDDEN', reason: 'permission_required' };
  if (conditions.feature !== undefined && !auth.has({ feature: conditions.feature })) return { code: 'ERR_FORBIDDEN', reason: 'feature_required' };
  if (conditions.plan !== undefined && !auth.has({ plan: conditions.plan })) return { code: 'ERR_FORBIDDEN', reason: 'plan_required' };
  if (conditions.check !== undefined && conditions.check(auth) !== true) return { code: 'ERR_FORBIDDEN', reason: 'check_failed' };
  for (const more of conditions.also ?? []) {
    const failure = unmetCondition({ ...more, reverification: undefined }, identity, sessionToken, organizations);
    if (failure) return failure;
  }
  // Reverification last, over every set: asking to verify again is pointless if a role is missing.
  for (const set of [conditions, ...(conditions.also ?? [])]) {
    if (set.reverification !== undefined && !auth.has({ reverification: set.reverification })) {
      return { code: 'ERR_REVERIFICATION_REQUIRED', reason: 'reverification_required', reverification: set.reverification };
    }
  }
  return undefined;
}
