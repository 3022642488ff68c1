import { createGatewayClerkClient } from '../auth/clerk/client';
import { BackendApiBudget } from '../auth/limits/backend-budget';
import { ClerkDeadline, type Timer } from '../auth/limits/clerk-deadline';
import { SingleFlight } from '../auth/limits/single-flight';
import { MachineVerdictCache, type MachineVerdict } from '../auth/machine/verdict-cache';
import { JwksGate } from '../auth/limits/jwks-gate';
import type { ClerkOutcome } from '../auth/clerk/outcome';
import type { AuthRuntime } from '../auth/context';
import { MACHINE_TOKENS_KEPT, VERIFIED_TOKENS_KEPT } from '../config/limits';
import { SignatureVerifier } from '../auth/session/signature';
import { TokenCache } from '../auth/session/token-cache';
import type { GatewaySettings } from '../config/settings';
import { AssertionSigner } from '../proxy/assertion';
import type { CompiledConfig, CompiledRoute } from '../config/types';
import { protectedFallback } from '../config/validate';
import { compilePattern } from '../routing/compile';
import { signInLoopProblem } from './sign-in-loop';
import { Sites } from './site';

/** Everything built once per isolate from the settings and routes. */
export interface Runtime extends AuthRuntime {
  config: CompiledConfig;
  /** What is derived from each host the gateway is served on. */
  sites: Sites;
  /** Signs `X-Auth-Assertion` when GATEWAY_SIGNING_KEY is set. */
  signer: AssertionSigner | undefined;
}

export type RuntimeResult = { ok: true; runtime: Runtime } | { ok: false; problems: string[] };

/** PEM mode verifies with CLERK_JWT_KEY alone; JWKS mode needs the gate that fetches the keys. */
function verification(settings: GatewaySettings, budget: BackendApiBudget, deadline: ClerkDeadline): Pick<Runtime, 'gate' | 'verifier'> {
  if (settings.jwtKey) return { gate: undefined, verifier: new SignatureVerifier({ kind: 'pem', pem: settings.jwtKey }) };
  const gate = new JwksGate({ secretKey: settings.secretKey, budget, deadline, ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}) });
  return { gate, verifier: new SignatureVerifier({ kind: 'jwks', gate }) };
}

/**
 * Under `defaultPolicy: 'protect'`, the sign-in page and its task pages on the gateway's own host
 * (a path, or an absolute URL whose host the gateway serves) are public: after every rule, before
 * the default, so a rule that protects them is still reported as a sign-in loop.
 */
export function withSignInPublic(config: CompiledConfig, signIn: GatewaySettings['signIn']): CompiledConfig {
  if (config.defaultPolicy !== 'protect') return config;
  // Escaped: the path is literal text, not a pattern.
  const base = (signIn.path === '/' ? '' : signIn.path).replace(/[:*?+(){}\\]/g, '\\$&');
  // A sign-in page at "/" would make "/(.*)" public, the whole site: then only "/" and its task pages are.
  const patterns = base ? [base, `${base}/(.*)`] : ['/', '/tasks', '/tasks/(.*)'];
  const rule: CompiledRoute = {
    ...protectedFallback(),
    name: `sign-in pages (${base || '/'})`,
    patterns,
    regexps: patterns.map((p) => compilePattern(p)),
    protect: false,
    hosts: signIn.origin ? [new URL(signIn.origin).hostname] : undefined,
  };
  return { ...config, routes: [...config.routes, rule] };
}

/**
 * Builds the runtime for valid settings and routes, or names the problem found only by reading
 * both together: a sign-in page on the gateway's own host (a path) that a route protects.
 */
/** Options for {@link buildRuntime}. */
export interface BuildRuntimeOptions {
  /** The timer of the Clerk deadline; injected by tests. @default setTimeout */
  timer?: Timer;
}

export function buildRuntime(settings: GatewaySettings, routes: CompiledConfig, options: BuildRuntimeOptions = {}): RuntimeResult {
  const config = withSignInPublic(routes, settings.signIn);
  const signInProblem = signInLoopProblem(config, settings.signIn);
  if (signInProblem && settings.signIn.origin === undefined) return { ok: false, problems: [signInProblem] };
  const budget = new BackendApiBudget();
  const deadline = new ClerkDeadline({ timeoutMs: settings.clerkTimeoutMs, ...(options.timer ? { timer: options.timer } : {}) });
  return {
    ok: true,
    runtime: {
      settings,
      config,
      client: createGatewayClerkClient(settings),
      verifiedTokens: new TokenCache(),
      machineVerdicts: new MachineVerdictCache(),
      machineFlights: new SingleFlight<MachineVerdict>({ deadline, maxEntries: MACHINE_TOKENS_KEPT }),
      refreshFlights: new SingleFlight<ClerkOutcome>({ deadline, maxEntries: VERIFIED_TOKENS_KEPT }),
      deadline,
      ...verification(settings, budget, deadline),
      budget,
      sites: new Sites(settings, signInProblem),
      signer: settings.signingKeys ? new AssertionSigner(settings.signingKeys) : undefined,
    },
  };
}
