import type { Identity } from './result';

/** The fields of `@clerk/backend`'s signed-in auth object this gateway reads. */
export interface SessionAuthObject {
  userId: string | null;
  sessionId: string | null;
  sessionStatus: string | null;
  orgId?: string | null;
  orgRole?: string | null;
  orgSlug?: string | null;
  orgPermissions?: readonly string[] | null;
}

/**
 * Whether `value` is 1 to 512 printable ASCII characters without a space (`/^[\x21-\x7e]{1,512}$/`):
 * values go into request headers to the origin, so anything that could split or smuggle a header
 * is refused. A loop, not that RegExp: `RegExp.prototype.test` on the user and session ids of every
 * first-seen token cost 1.8 k instructions (bench/profile-functions), the loop 1.3 k.
 */
export function isHeaderSafe(value: string): boolean {
  if (value.length === 0 || value.length > 512) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

function safe(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && isHeaderSafe(value) ? value : undefined;
}

/**
 * Turns the auth object of `toAuth({ treatPendingAsSignedOut: false })` into an identity, or
 * `undefined` when it does not describe a usable session (no user, no session id, or ids that
 * are not header-safe): fail closed.
 */
export function identityFromAuth(auth: SessionAuthObject, claims?: Readonly<Record<string, unknown>>): Identity | undefined {
  const userId = safe(auth.userId);
  const sessionId = safe(auth.sessionId);
  if (!userId || !sessionId) return undefined;
  const identity: Identity = { userId, sessionId, status: auth.sessionStatus === 'pending' ? 'pending' : 'active' };
  // Not a conditional spread: a generic copy on every first-seen token.
  if (claims) identity.claims = claims;
  const orgId = safe(auth.orgId);
  if (orgId) {
    // Claims are the token's: a malformed v1 `org_permissions` (not a list) reaches here as it is.
    const listed: unknown = auth.orgPermissions;
    const permissions = (Array.isArray(listed) ? listed : []).filter((p): p is string => safe(p) !== undefined && !(p as string).includes(','));
    identity.orgId = orgId;
    const role = safe(auth.orgRole);
    const slug = safe(auth.orgSlug);
    if (role) identity.orgRole = role;
    if (slug) identity.orgSlug = slug;
    if (permissions.length > 0) identity.orgPermissions = permissions;
  }
  return identity;
}
