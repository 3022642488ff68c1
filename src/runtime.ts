import type { ClerkClient } from '@clerk/backend';

import { BackendApiBudget } from './auth/backend-budget';
import { createGatewayClerkClient } from './auth/clerk-client';
import { JwksGate } from './auth/jwks-gate';
import { SignatureVerifier } from './auth/signature';
import { TokenCache } from './auth/token-cache';
import { parseSettings, type GatewaySettings } from './config/settings';
import type { CompiledConfig } from './config/types';
import type { Env } from './env';
import { canonicalizePath } from './routing/canonicalize';
import { matchRoute } from './routing/match';
import { pathReadings } from './routing/readings';

/** Everything built once per isolate from the settings and routes. */
export interface Runtime {
  settings: GatewaySettings;
  client: ClerkClient;
  config: CompiledConfig;
  /** Tokens verified under these settings; never shared with another runtime. */
  cache: TokenCache;
  /** JWKS mode only: keeps unknown-`kid` floods from reaching the Backend API. */
  gate: JwksGate | undefined;
  /** Signature check with keys imported once, before Clerk (cheap refusal of forged tokens). */
  verifier: SignatureVerifier;
  /** Every Backend API call a client can cause (nonce, refresh, JWKS refetch): 20 at once, then 5 a second. */
  budget: BackendApiBudget;
  /**
   * Set when the sign-in page's own path is protected by a route: a problem whenever the
   * sign-in page is served by this gateway (relative URL, or the same host), since a pending
   * user would loop between the task page and the gateway.
   */
  signInLoop: string | undefined;
}

export type RuntimeResult = { ok: true; runtime: Runtime } | { ok: false; problems: string[] };

const cache = new WeakMap<CompiledConfig, WeakMap<Env, RuntimeResult>>();

function findSignInLoop(config: CompiledConfig, signInUrl: string): string | undefined {
  const path = signInUrl.startsWith('/') ? signInUrl : new URL(signInUrl).pathname;
  const base = path.replace(/\/+$/, '');
  for (const candidate of [path, `${base}/`, `${base}/tasks`, `${base}/tasks/choose-organization`, `${base}/factor-one`]) {
    const canonical = canonicalizePath(candidate);
    const route = canonical.ok ? matchRoute(config, pathReadings(canonical.path)) : undefined;
    if (route?.protect) {
      return (
        `CLERK_SIGN_IN_URL ${signInUrl}: its path ${candidate} is protected by route #${route.index + 1} (${route.name}); ` +
        `pending sessions would loop. Put { match: '${base}(.*)', protect: false } before that route.`
      );
    }
  }
  return undefined;
}

/** The runtime for these settings and routes, built on first use and kept for the isolate's life. */
export function getRuntime(env: Env, config: CompiledConfig): RuntimeResult {
  let byEnv = cache.get(config);
  if (!byEnv) cache.set(config, (byEnv = new WeakMap()));
  let result = byEnv.get(env);
  if (!result) {
    const parsed = parseSettings(env);
    if (!parsed.ok) result = parsed;
    else {
      const signInLoop = findSignInLoop(config, parsed.settings.signInUrl);
      const { settings } = parsed;
      const budget = new BackendApiBudget();
      const gate = settings.jwtKey
        ? undefined
        : new JwksGate({ secretKey: settings.secretKey, budget, ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}) });
      result =
        signInLoop && settings.signInUrl.startsWith('/')
          ? { ok: false, problems: [signInLoop] }
          : {
              ok: true,
              runtime: {
                settings,
                client: createGatewayClerkClient(settings),
                config,
                signInLoop,
                cache: new TokenCache(),
                gate,
                budget,
                verifier: new SignatureVerifier(settings.jwtKey ? { kind: 'pem', pem: settings.jwtKey } : { kind: 'jwks', gate: gate! }),
              },
            };
    }
    if (!result.ok) console.error(`edge-auth-gateway: not configured, forwarding nothing:\n  - ${result.problems.join('\n  - ')}`);
    byEnv.set(env, result);
  }
  return result;
}
