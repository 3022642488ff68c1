import type { ClerkClient } from '@clerk/backend';

import type { GatewaySettings } from '../settings/settings';
import type { CompiledOrganizationSync, TokenKind } from '../config/types';
import type { CookiePairs } from '../request/cookies';
import type { HeaderReader } from '../request/headers';
import type { RequestUrl } from '../request/read';
import type { Site } from '../runtime/site';
import type { ClerkOutcome } from './clerk/outcome';
import type { BackendApiBudget } from './limits/backend-budget';
import type { ClerkDeadline } from './limits/clerk-deadline';
import type { JwksGate } from './limits/jwks-gate';
import type { SingleFlight } from './limits/single-flight';
import type { MachineVerdict, MachineVerdictCache } from './machine/verdict-cache';
import type { SignatureVerifier } from './session/signature';
import type { TokenCache } from './session/token-cache';

/**
 * The per-isolate pieces authentication uses, built once by the runtime (which extends this).
 * Declared here, not picked from `Runtime`, so nothing in `auth/` imports the runtime that
 * imports it: no import circle.
 */
export interface AuthRuntime {
  settings: GatewaySettings;
  client: ClerkClient;
  /** Tokens verified under these settings; never shared with another runtime. */
  verifiedTokens: TokenCache;
  /** Machine-token verdicts, kept briefly. */
  machineVerdicts: MachineVerdictCache;
  /** One Backend API call per machine token at a time; concurrent requests share its verdict. */
  machineFlights: SingleFlight<MachineVerdict>;
  /** One session refresh per browser (refresh cookie and token) at a time. */
  refreshFlights: SingleFlight<ClerkOutcome>;
  /** Bounds every call to Clerk: CLERK_TIMEOUT_MS. */
  deadline: ClerkDeadline;
  /** JWKS mode only: keeps unknown-`kid` floods from reaching the Backend API. */
  gate: JwksGate | undefined;
  /** Signature check with keys imported once, before Clerk (cheap refusal of forged tokens). */
  verifier: SignatureVerifier;
  /** Every Backend API call a client can cause (nonce, refresh, JWKS refetch). */
  budget: BackendApiBudget;
  /** `organizationSyncOptions` of the routes; undefined: the URL activates no organization. */
  organizationSync: CompiledOrganizationSync | undefined;
}

/** What authenticating one request may use: the runtime's auth pieces and the request's site, cookies and clock. */
export interface AuthContext extends AuthRuntime {
  site: Site;
  /** The kinds of token the matched route takes (`accept`; sessions only by default). */
  accept: readonly TokenKind[];
  /** The request's URL (the gateway's own origin, the query as sent). */
  url: RequestUrl;
  /**
   * The URL as the gateway serves it: its own origin, the canonical path, the query. Clerk builds
   * handshake return URLs from it, so client-sent X-Forwarded-Host/-Proto are never consulted.
   */
  publicHref: string;
  /** The request's `Cookie` header as pairs, parsed once by the caller (`cookiePairs`). */
  cookies: CookiePairs;
  /** The request's method and headers as read once (`RequestFacts`). */
  method: string;
  headers: HeaderReader;
  /** Milliseconds since the epoch. */
  now: number;
}
