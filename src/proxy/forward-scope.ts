import type { CompiledConfig, CompiledForward } from '../config/types';
import type { Policy } from '../policy/policy';

/**
 * What a rule's origin is trusted with. `ORIGIN_URL`'s origin (and a rule's URL on that same
 * origin) gets `config.forward`. A rule's own origin elsewhere, a third party or a Service
 * Binding, gets `config.forward`'s claims but neither the session token (`sessionToken: false`)
 * nor Clerk's cookies and the client's `Authorization` (`stripClerkCredentials: true`), unless the
 * rule's own `forward` says otherwise. The rule's `forward` is laid over that default.
 */
export function forwardFor(rule: Policy | undefined, config: CompiledConfig, originBase: string): CompiledForward {
  const origin = rule?.origin;
  const trusted = !origin || (origin.kind === 'url' && new URL(origin.base).origin === new URL(originBase).origin);
  const base: CompiledForward = trusted ? config.forward : { claims: config.forward.claims, sessionToken: false, stripClerkCredentials: true };
  return rule?.forward ? { ...base, ...rule.forward } : base;
}

const CLAIM_HEADERS = new WeakMap<CompiledConfig, ReadonlySet<string>>();

/**
 * Every claim header named anywhere in the config (lower case): client copies of each are removed
 * for every origin, so a rule that sends fewer claims never passes on a client's spoofed one.
 */
export function claimHeaderNames(config: CompiledConfig): ReadonlySet<string> {
  let names = CLAIM_HEADERS.get(config);
  if (!names) {
    names = new Set([...config.forward.claims, ...config.routes.flatMap((r) => r.forward?.claims ?? [])].map((c) => c.header));
    CLAIM_HEADERS.set(config, names);
  }
  return names;
}
