import type { Runtime } from '../runtime/runtime';
import type { Site } from '../runtime/site';
import type { TokenKind } from '../config/types';
import { delegated } from './authenticators/delegated';
import { machineToken } from './authenticators/machine-token';
import { sessionToken } from './authenticators/session-token';
import { tokenKindGate } from './authenticators/token-kind-gate';
import { withoutSession } from './authenticators/without-session';
import { readCredentials, type Credentials } from './credentials';
import { signedOut, type AuthState } from './result';

/** What an authenticator may use: the runtime's auth pieces and the request's site and clock. */
export interface AuthContext extends Pick<Runtime, 'settings' | 'client' | 'verifiedTokens' | 'machineVerdicts' | 'machineFlights' | 'refreshFlights' | 'deadline' | 'gate' | 'verifier' | 'budget'> {
  site: Site;
  /** The kinds of token the matched route takes (`accept`; sessions only by default). */
  accept: readonly TokenKind[];
  /** The request's URL (the gateway's own origin, the query as sent). */
  url: URL;
  /**
   * The URL as the gateway serves it: its own origin, the canonical path, the query. Clerk builds
   * handshake return URLs from it, so client-sent X-Forwarded-Host/-Proto are never consulted.
   */
  publicHref: string;
  /** Milliseconds since the epoch. */
  now: number;
}

/** An authenticator's answer when the credentials are not its kind (Oathkeeper's ErrAuthenticatorNotResponsible). */
export const NOT_RESPONSIBLE = Symbol('not responsible');

/** One way of authenticating: an auth state, or {@link NOT_RESPONSIBLE} to let the next one try. */
export type Authenticator = (
  request: Request,
  credentials: Credentials,
  context: AuthContext,
) => AuthState | typeof NOT_RESPONSIBLE | Promise<AuthState | typeof NOT_RESPONSIBLE>;

/** Tried in order; the first that is responsible answers. */
const AUTHENTICATORS: readonly Authenticator[] = [tokenKindGate, withoutSession, machineToken, sessionToken, delegated];

/**
 * Authenticates a request: reads its credentials once, with Clerk's rules, and hands them down
 * the chain. Every failure is a typed signed-out state: fail closed.
 */
export async function authenticate(request: Request, context: AuthContext): Promise<AuthState> {
  const { verifiedTokens } = context;
  const credentials = readCredentials(request, context.url, context.settings.instanceType === 'production', (token) => verifiedTokens.has(token));
  for (const authenticator of AUTHENTICATORS) {
    const state = await authenticator(request, credentials, context);
    if (state !== NOT_RESPONSIBLE) return state;
  }
  // Every kind of credentials has an authenticator; should one ever be missing, it is signed out.
  return signedOut({ code: 'ERR_AUTH_UNEXPECTED' });
}
