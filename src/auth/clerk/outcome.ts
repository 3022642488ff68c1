import type { AuthState } from '../result';
import type { VerifiedToken } from '../session/token-cache';

/**
 * What `@clerk/backend` answered; a signed-in answer carries the claims the token cache
 * re-checks. Its own file: the runtime's refresh single-flight and the context name this type,
 * and the code that asks Clerk imports the context.
 */
export type ClerkOutcome =
  | Exclude<AuthState, { kind: 'signed-in' }>
  | (Extract<AuthState, { kind: 'signed-in' }> & { claims: Omit<VerifiedToken, 'identity'> | undefined });
