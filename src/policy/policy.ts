import type { CompiledConditions, CompiledCors, CompiledForward, CompiledOrigin, CompiledRoute, TokenKind } from '../config/types';
import { pendingOf, type PendingPolicy } from './pending';

/**
 * What decides one request: the rule it met, or every rule it met combined (`combinePolicies`).
 * `decide()` reads only this; the rules themselves are kept for names, traces and parameters.
 */
export interface Policy extends PendingPolicy {
  /**
   * The rules this policy stands for: for a protected one, every protected rule the request met
   * (each must let it through; the one it is sent by first, when protected); for a public one,
   * the rule it is sent by.
   */
  readonly rules: readonly CompiledRoute[];
  /** As logs and `explain` name it: `policyName(rules)`. */
  readonly name: string;
  readonly protect: boolean;
  /** The kinds of token every protected rule met accepts. */
  readonly accept: readonly TokenKind[];
  /** Every scope any protected rule met asks for. */
  readonly scopes: readonly string[];
  /** One set per protected rule met that has conditions; every set must pass. */
  readonly conditions: readonly CompiledConditions[];
  readonly onUnauthenticated: CompiledRoute['onUnauthenticated'];
  readonly unauthorizedUrl: string | undefined;
  /** Preflights go to the origin, signed out, only when every protected rule met says so. */
  readonly forwardPreflights: boolean;
  /** Where the request goes and what that origin gets: the rule it is sent by (its own method, first reading). */
  readonly origin: CompiledOrigin | undefined;
  readonly forward: Partial<CompiledForward> | undefined;
  /** That rule's CORS; `false`: none; undefined: the config's. */
  readonly cors: CompiledCors | false | undefined;
  /** That rule's `components`; undefined: the config's. */
  readonly components: boolean | undefined;
}

/** The name of the rules a policy stands for: theirs, each once, joined by ` & `. */
export function policyName(rules: readonly CompiledRoute[]): string {
  if (rules.length === 1) return (rules[0] as CompiledRoute).name;
  return [...new Set(rules.map((rule) => rule.name))].join(' & ');
}

// One policy per rule: matching most requests allocates nothing, and a policy that is one rule's
// own is recognised by identity (`explain` shows the rules met only when they were combined).
const OWN = new WeakMap<CompiledRoute, Policy>();

/** The policy of a request that meets one rule only; `undefined` (no rule: public) stays so. */
export function policyOf(rule: CompiledRoute): Policy;
export function policyOf(rule: CompiledRoute | undefined): Policy | undefined;
export function policyOf(rule: CompiledRoute | undefined): Policy | undefined {
  if (!rule) return undefined;
  let policy = OWN.get(rule);
  if (!policy) {
    policy = {
      rules: [rule],
      name: rule.name,
      protect: rule.protect,
      ...pendingOf(rule),
      accept: rule.accept,
      scopes: rule.scopes,
      conditions: rule.conditions ? [rule.conditions] : [],
      onUnauthenticated: rule.onUnauthenticated,
      unauthorizedUrl: rule.unauthorizedUrl,
      forwardPreflights: rule.forwardPreflights,
      origin: rule.origin,
      forward: rule.forward,
      cors: rule.cors,
      components: rule.components,
    };
    OWN.set(rule, policy);
  }
  return policy;
}
