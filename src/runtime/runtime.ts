import { createGatewayClerkClient } from '../auth/clerk/client';
import { BackendApiBudget } from '../auth/limits/backend-budget';
import { ClerkDeadline, type Timer } from '../auth/limits/clerk-deadline';
import { SharedCache } from '../auth/limits/shared-cache';
import { SingleFlight } from '../auth/limits/single-flight';
import { MachineVerdictCache, type MachineVerdict } from '../auth/machine/verdict-cache';
import { JwksGate } from '../auth/limits/jwks-gate';
import type { ClerkOutcome } from '../auth/clerk/outcome';
import type { AuthRuntime } from '../auth/context';
import { MACHINE_TOKENS_KEPT, VERIFIED_TOKENS_KEPT } from '../config/limits';
import { SignatureVerifier } from '../auth/session/signature';
import { TokenCache } from '../auth/session/token-cache';
import type { GatewaySettings } from '../settings/settings';
import { AssertionSigner } from '../proxy/assertion';
import type { ServiceBindings } from '../proxy/origin-target';
import type { CompiledConfig } from '../config/types';
import { routingWorld, type RoutingWorld } from './routing-world';

/** Everything built once per isolate from the settings and routes. */
export interface Runtime extends AuthRuntime, RoutingWorld {
  /** Signs `X-Auth-Assertion` when GATEWAY_SIGNING_KEY is set. */
  signer: AssertionSigner | undefined;
  /** The rules' Service Bindings by name, looked up in `env` once (src/runtime/bindings.ts). */
  bindings: ServiceBindings;
}

export type RuntimeResult = { ok: true; runtime: Runtime } | { ok: false; problems: string[] };

/** PEM mode verifies with CLERK_JWT_KEY alone; JWKS mode needs the gate that fetches the keys. */
function verification(settings: GatewaySettings, budget: BackendApiBudget, deadline: ClerkDeadline, shared: SharedCache): Pick<Runtime, 'gate' | 'verifier'> {
  if (settings.jwtKey) return { gate: undefined, verifier: new SignatureVerifier({ kind: 'pem', pem: settings.jwtKey }) };
  const gate = new JwksGate({ secretKey: settings.secretKey, budget, deadline, shared, ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}) });
  return { gate, verifier: new SignatureVerifier({ kind: 'jwks', gate }) };
}

/** Options for {@link buildRuntime}. */
export interface BuildRuntimeOptions {
  /** The timer of the Clerk deadline; injected by tests. @default setTimeout */
  timer?: Timer;
  /**
   * The rules' Service Bindings, from `resolveBindings` (getRuntime). @default none: a runtime
   * that forwards through no binding (`npm run check:routes` builds one to check the routes).
   */
  bindings?: ServiceBindings;
}

/** Builds the runtime for valid settings and routes, or names the problem in reading both together (`routingWorld`). */
export function buildRuntime(settings: GatewaySettings, routes: CompiledConfig, options: BuildRuntimeOptions = {}): RuntimeResult {
  const routing = routingWorld(settings, routes);
  if (!routing.ok) return routing;
  const budget = new BackendApiBudget();
  // The shared tier (Cache API) for the Backend API's answers, scoped to the instance (its API and secret key).
  const shared = new SharedCache({ scope: `${settings.apiUrl ?? ''}\n${settings.secretKey}` });
  const deadline = new ClerkDeadline({ timeoutMs: settings.clerkTimeoutMs, ...(options.timer ? { timer: options.timer } : {}) });
  return {
    ok: true,
    runtime: {
      ...routing.world,
      client: createGatewayClerkClient(settings),
      verifiedTokens: new TokenCache(),
      machineVerdicts: new MachineVerdictCache(shared),
      machineFlights: new SingleFlight<MachineVerdict>({ deadline, maxEntries: MACHINE_TOKENS_KEPT }),
      refreshFlights: new SingleFlight<ClerkOutcome>({ deadline, maxEntries: VERIFIED_TOKENS_KEPT }),
      deadline,
      ...verification(settings, budget, deadline, shared),
      budget,
      organizationSync: routes.organizationSync,
      signer: settings.signingKeys ? new AssertionSigner(settings.signingKeys) : undefined,
      bindings: options.bindings ?? new Map(),
    },
  };
}
