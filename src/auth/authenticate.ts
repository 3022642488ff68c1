import type { AuthContext } from './context';
import { delegated } from './authenticators/delegated';
import { withOrganizationSync } from './clerk/organization-sync';
import { machineToken } from './authenticators/machine-token';
import { sessionToken } from './authenticators/session-token';
import { tokenKindRefusal } from './authenticators/token-kind-gate';
import { gatewayReadsCredentials, readCredentials, type Credentials } from './credentials';
import { signedOut, type AuthState } from './result';

// Only reachable if a kind is added to `Credentials` without a case: the compiler refuses that first.
function unhandled(credentials: never): never {
  throw new Error(`edge-auth-gateway: no authentication for credentials of kind ${(credentials as Credentials).kind}`);
}

/**
 * Authenticates a request: reads its credentials once, with Clerk's rules, refuses a kind of
 * token the route does not take, and hands the rest to the one function for their kind. The
 * `switch` is exhaustive: a new kind of credentials does not compile until it has a case. Every
 * failure is a typed signed-out state: fail closed.
 */
export async function authenticate(request: Request, context: AuthContext): Promise<AuthState> {
  const { verifiedTokens } = context;
  const production = gatewayReadsCredentials(context, context.settings.instanceType === 'production', context.site.clerk.satellite);
  const credentials = readCredentials(context, context.cookies, context.url, production, (token) => verifiedTokens.has(token));
  const refusal = tokenKindRefusal(credentials, context.accept);
  if (refusal) return refusal;
  switch (credentials.kind) {
    case 'none':
      return signedOut({ code: 'ERR_NO_CREDENTIALS' });
    case 'ambiguous':
      return signedOut({ code: 'ERR_AMBIGUOUS_SESSION_COOKIE' });
    case 'bearer':
      return sessionToken(request, credentials, context);
    case 'cookie':
      // Without organizationSyncOptions, the session cookie's path is exactly what it was (no extra await).
      return context.organizationSync ? withOrganizationSync(await sessionToken(request, credentials, context), request, credentials.token, context) : sessionToken(request, credentials, context);
    case 'machine':
      return machineToken(request, credentials, context);
    case 'delegated':
      return delegated(request, credentials, context);
    default:
      return unhandled(credentials);
  }
}
