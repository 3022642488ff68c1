import type { CompiledConditions, CompiledRoute } from '../config/types';

/**
 * What several rules decide together, when the readings of one request (its path's readings, the
 * methods a `POST` or an override could become) meet different rules. Every protected rule met
 * must let the request through, so the result is protected, with all their conditions, the kinds
 * of token they all accept, all their scopes, pending sessions held back if any rule met (public
 * ones and "no rule" included) holds them back, and preflights forwarded only if all forward them. Public rules met add no other requirement.
 * Where the request goes (origin, the labels the refusals use) is the `primary` rule's: the one
 * for the request's own method and its first reading. `undefined` in `rules` is "no rule: public".
 */
export function combineRules(primary: CompiledRoute | undefined, rules: readonly (CompiledRoute | undefined)[]): CompiledRoute | undefined {
  const guarded = rules.filter((rule): rule is CompiledRoute => rule?.protect === true);
  // Any rule met, public or "no rule", that would forward a pending session as signed out wins:
  // its identity must not reach a handler that was told to treat it as signed out.
  const holdBack = rules.some((rule) => rule?.treatPendingAsSignedOut ?? true);
  if (guarded.length === 0) {
    // Without a primary rule ("no rule" holds back), nothing can differ from the default.
    if (!primary || holdBack === primary.treatPendingAsSignedOut) return primary;
    return { ...primary, treatPendingAsSignedOut: holdBack };
  }
  const base = primary?.protect ? primary : (guarded[0] as CompiledRoute);
  const conditions = guarded.map((rule) => rule.conditions).filter((c): c is CompiledConditions => c !== undefined);
  const [first, ...rest] = conditions;
  return {
    ...base,
    name: [...new Set(guarded.map((rule) => rule.name))].join(' & '),
    // The primary rule's origin even when it is public: the request goes where its own method and path lead.
    origin: primary ? primary.origin : undefined,
    // And what that origin is trusted with: the primary rule's own `forward`.
    forward: primary?.forward,
    protect: true,
    treatPendingAsSignedOut: holdBack,
    accept: base.accept.filter((kind) => guarded.every((rule) => rule.accept.includes(kind))),
    scopes: [...new Set(guarded.flatMap((rule) => rule.scopes))],
    conditions: first ? (rest.length > 0 ? { ...first, also: rest } : first) : undefined,
    unauthorizedUrl: base.unauthorizedUrl ?? guarded.find((rule) => rule.unauthorizedUrl !== undefined)?.unauthorizedUrl,
    forwardPreflights: guarded.every((rule) => rule.forwardPreflights),
    // CORS, like the origin, is the primary rule's: it describes the answer that rule's origin gives.
    cors: primary ? primary.cors : undefined,
    sources: guarded,
  };
}
