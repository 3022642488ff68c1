import { combinePending, samePending } from '../policy/pending';
import { policyName, type Policy } from '../policy/policy';

/**
 * What several policies decide together, when the readings of one request (its path's readings,
 * the methods a `POST` or an override could become, the paths that reach the same origin path)
 * meet different rules. Every protected one must let the request through, so the result is
 * protected, with all their condition sets, the kinds of token they all accept, all their scopes,
 * pending sessions held back if any policy met (public ones and "no rule" included) holds them
 * back, and preflights forwarded only if all forward them. Public policies met add no other
 * requirement. Where the request goes (origin, `forward`, CORS) is the `primary` policy's: the one
 * for the request's own method and its first reading; the labels the refusals use
 * (`onUnauthenticated`, `unauthorizedUrl`) are its too when it is protected, else the first
 * protected one's. `undefined` in `met` is "no rule: public".
 */
export function combinePolicies(primary: Policy | undefined, met: readonly (Policy | undefined)[]): Policy | undefined {
  const guarded = met.filter((policy): policy is Policy => policy?.protect === true);
  // Public ones and "no rule" count here too (see combinePending).
  const pending = combinePending(met);
  if (guarded.length === 0) {
    // Without a primary policy ("no rule" is the default), nothing can differ from the default.
    if (!primary || samePending(pending, primary)) return primary;
    return { ...primary, ...pending };
  }
  const base = primary?.protect ? primary : (guarded[0] as Policy);
  // Each rule once: the same rule met twice (two readings, an alias) adds nothing.
  const rules = [...new Set(guarded.flatMap((policy) => policy.rules))];
  return {
    rules,
    name: policyName(rules),
    protect: true,
    ...pending,
    accept: base.accept.filter((kind) => guarded.every((policy) => policy.accept.includes(kind))),
    scopes: [...new Set(guarded.flatMap((policy) => policy.scopes))],
    conditions: rules.flatMap((rule) => (rule.conditions ? [rule.conditions] : [])),
    onUnauthenticated: base.onUnauthenticated,
    unauthorizedUrl: base.unauthorizedUrl ?? guarded.find((policy) => policy.unauthorizedUrl !== undefined)?.unauthorizedUrl,
    forwardPreflights: guarded.every((policy) => policy.forwardPreflights),
    // The primary policy's origin even when it is public: the request goes where its own method and
    // path lead, with what that origin is trusted with and the CORS that describes its answers.
    origin: primary?.origin,
    forward: primary?.forward,
    cors: primary?.cors,
    components: primary?.components,
  };
}
