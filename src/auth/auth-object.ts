import { signedInAuthObject } from '@clerk/backend/internal';

import type { SessionAuth } from '../config/types';

/**
 * `@clerk/backend`'s own signed-in auth object for a verified session token and its claims, as
 * `toAuth({ treatPendingAsSignedOut: false })` builds it: its `has()` is Clerk's, so roles,
 * permissions, features, plans and reverification are read exactly as Clerk reads them. Built
 * only for rules with conditions (a few µs). It holds no keys: `getToken()` would need the
 * Backend API and is not for route conditions.
 */
export function sessionAuthObject(sessionToken: string, claims: Readonly<Record<string, unknown>>): SessionAuth {
  return signedInAuthObject({}, sessionToken, claims as Parameters<typeof signedInAuthObject>[2]);
}
