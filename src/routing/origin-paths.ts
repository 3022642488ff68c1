import type { CompiledConfig, CompiledOrigin } from '../config/types';
import type { Policy } from '../policy/policy';
import { stripPrefix } from '../proxy/origin-target';
import { combinePolicies } from './combine';
import { matchRoute, type MatchTarget } from './match';
import { pathReadings } from '../request/readings';
import { widenUnlisted } from './widen-methods';

/**
 * How one rule reaches its origin: which origin (`key`: an http(s) origin, or `binding:<name>`),
 * the path prefix that origin puts before every forwarded path (`ORIGIN_URL`'s or the rule's URL's
 * path), and the leading segments removed first (`stripPrefix`).
 */
interface Mount {
  key: string;
  /** As the URL spells it (percent-encoded), without a trailing slash: `''` for none. */
  basePath: string;
  strip: readonly string[];
}

function mountOf(origin: CompiledOrigin | undefined, defaultBase: string): Mount {
  if (origin?.kind === 'binding') return { key: `binding:${origin.binding}`, basePath: '', strip: origin.stripPrefix };
  const url = new URL(origin?.base ?? defaultBase);
  return { key: url.origin, basePath: url.pathname.replace(/\/+$/, ''), strip: origin?.stripPrefix ?? [] };
}

/** Paths compared as rules compare them: ignoring case (escapes are upper case in a canonical path, and in both here). */
function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The path the origin routes for canonical gateway path `path` under `mount` (percent-encoded). */
function landing(mount: Mount, path: string): string {
  return mount.basePath + stripPrefix(path, mount.strip);
}

/** Every gateway path that `mount` forwards to origin path `routed` (the inverse of `landing`). */
function pathsTo(mount: Mount, routed: string): string[] {
  const base = mount.basePath.toLowerCase();
  const lowered = routed.toLowerCase();
  if (base && lowered !== base && !lowered.startsWith(`${base}/`)) return [];
  const rest = routed.slice(base.length) || '/';
  if (mount.strip.length === 0) return [rest];
  const prefix = `/${mount.strip.join('/')}`;
  // A path without the prefix is forwarded unchanged; with it, the prefix comes off.
  return [rest, rest === '/' ? prefix : `${prefix}${rest}`];
}

/** The distinct mounts of each origin, when some origin is reached in more than one way; else none. */
interface Mounts {
  byKey: Map<string, Mount[]>;
  aliased: boolean;
  /** `ORIGIN_URL`'s mount: the plain one of its origin. */
  plain: Mount;
}
const MOUNTS = new WeakMap<CompiledConfig, Map<string, Mounts>>();

function mountsOf(config: CompiledConfig, defaultBase: string): Mounts {
  let perBase = MOUNTS.get(config);
  if (!perBase) MOUNTS.set(config, (perBase = new Map()));
  let mounts = perBase.get(defaultBase);
  if (mounts) return mounts;
  const byKey = new Map<string, Mount[]>();
  let aliased = false;
  // Every rule's mount, and ORIGIN_URL's itself (paths no rule matches go there).
  for (const origin of [undefined, ...config.routes.map((r) => r.origin), config.fallback?.origin]) {
    const mount = mountOf(origin, defaultBase);
    const list = byKey.get(mount.key) ?? [];
    if (!list.some((m) => m.basePath === mount.basePath && m.strip.join('/') === mount.strip.join('/'))) list.push(mount);
    byKey.set(mount.key, list);
    if (list.length > 1 || mount.strip.length > 0) aliased = true;
  }
  perBase.set(defaultBase, (mounts = { byKey, aliased, plain: mountOf(undefined, defaultBase) }));
  return mounts;
}

/** The policy that decides, with the readings of every path it was matched on (for `organizationParam`). */
export interface RoutedDecision {
  rule: Policy | undefined;
  readings: readonly string[];
}

/**
 * Whether a mount sends paths on as they are: no `stripPrefix`, and the base path of its origin's
 * plain mount (`ORIGIN_URL`'s own path on its origin, none on any other).
 */
function forwardsAsIs(mount: Mount, mounts: Mounts): boolean {
  const base = mount.key === mounts.plain.key ? mounts.plain.basePath : '';
  return mount.strip.length === 0 && mount.basePath.toLowerCase() === base.toLowerCase();
}

/**
 * The path the origin will route is one more reading. When `rule` changes the path on the way
 * (`stripPrefix`, or its origin URL's own path) to an origin that other rules also reach (the same
 * URL origin or Service Binding), every other gateway path that lands on the same origin path is
 * matched too, and each rule met that would send it to that same place must let this request
 * through (`combinePolicies`): `/legacy/admin/users` stripped to `/admin/users` needs what
 * `/admin/users` needs. Rules that send the other path elsewhere describe another handler and add
 * nothing. A request whose rule forwards its path as it is is decided by its own rules alone: an
 * alias mount (`/legacy(.*)`, protected) does not make every direct path behind it protected.
 */
export function decideOnOriginPath(
  config: CompiledConfig,
  defaultBase: string,
  rule: Policy | undefined,
  path: string,
  readings: readonly string[],
  target: MatchTarget,
): RoutedDecision {
  const mounts = mountsOf(config, defaultBase);
  if (!mounts.aliased) return { rule, readings };
  const own = mountOf(rule?.origin, defaultBase);
  if (forwardsAsIs(own, mounts)) return { rule, readings };
  const routed = landing(own, path);
  // Policies combine as they are: a combined one keeps its rules' condition sets and its hold-back.
  const met: (Policy | undefined)[] = [rule];
  const all = [...readings];
  const tried = new Set([path.toLowerCase()]);
  for (const mount of mounts.byKey.get(own.key) ?? []) {
    for (const other of pathsTo(mount, routed)) {
      if (tried.has(other.toLowerCase())) continue;
      tried.add(other.toLowerCase());
      const otherReadings = pathReadings(other);
      // The origin routes the method as the other path's rules see it: an unlisted one is every method there too.
      const otherRule = matchRoute(config, otherReadings, { ...target, methods: widenUnlisted(config, otherReadings, target.methods, target.host) });
      const there = mountOf(otherRule?.origin, defaultBase);
      if (there.key !== own.key || !same(landing(there, other), routed)) continue;
      met.push(otherRule);
      all.push(...otherReadings);
    }
  }
  if (met.length === 1) return { rule, readings };
  return { rule: combinePolicies(rule, met), readings: all };
}
