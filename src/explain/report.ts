// What `routes explain` reports: the request, how the rules were met, and for each session state
// and client row what the gateway answers (src/explain/explain.ts builds it; format.ts prints it).
import type { CompiledRoute } from '../config/types';
import type { SessionStatus } from '../decision/decide';
import type { Client } from '../request/navigation';
import type { Policy } from '../policy/policy';

/** The host used when `explain` is given a path only. */
export const PLACEHOLDER_ORIGIN = 'https://gateway.invalid';

export type SessionState = 'signed-out' | 'pending' | 'active';
export const SESSION_STATES: readonly SessionState[] = ['signed-out', 'pending', 'active'];

/** What the session carries, from the command line (`--role`, `--permission`, …). */
export interface SessionFlags {
  /** `org:admin` or `admin`. */
  role?: string;
  /** `org:<feature>:<permission>`. */
  permissions?: readonly string[];
  /** `<key>` (the user's), `o:<key>`/`org:<key>` (the organization's), `u:<key>`/`user:<key>`. */
  features?: readonly string[];
  /** As `features`. */
  plans?: readonly string[];
  orgSlug?: string;
  orgId?: string;
  /** Minutes since the first and the second factor were verified (`-1`: never). */
  fva?: readonly [number, number];
}

export interface ExplainRequest {
  /** Any case; upper-cased here. */
  method: string;
  /** An absolute URL, or a path (starting with `/`), served on {@link PLACEHOLDER_ORIGIN}. */
  url: string;
  /** Which session states to decide for. @default all three */
  states?: readonly SessionState[];
  /**
   * For an `OPTIONS`: the CORS preflight row's `Origin` (default: the first origin `cors` allows,
   * else `https://front-end.invalid`), asked method (default `POST`) and asked headers (default none).
   */
  preflight?: { origin?: string; asks?: string; headers?: string };
  session?: SessionFlags;
  /**
   * More request headers, sent on every row: a method override (`X-HTTP-Method-Override`), a
   * `Cookie` (a development browser's `__clerk_db_jwt`). Each row's own (`Accept`,
   * `Sec-Fetch-*`, the preflight's) replace any of the same name. @default none
   */
  headers?: Readonly<Record<string, string>>;
  /** How a pending or active session is carried: a browser's `__session` cookie, or an API client's `Authorization: Bearer`. @default 'cookie' */
  credential?: 'cookie' | 'bearer';
}

/** A bad `explain` input (URL, method, flag): the CLI prints it with the usage and exits 2. */
export class ExplainInputError extends Error {}

/** A rule as `explain` and `list` name it: `#3 "name"`, or `auto`/`default` for the ones the gateway adds. */
export interface RuleRef {
  label: string;
  name: string;
}

export interface Skipped extends RuleRef {
  why: 'path' | 'method' | 'host';
  /** For `method`/`host`: what the rule lists. */
  listed?: readonly string[];
}

/** One reading of the path with one method the origin may read the request as, and its first rule. */
export interface Attempt {
  reading: string;
  method: string;
  rule: RuleRef | undefined;
}

export type Outcome =
  | { kind: 'forward'; status: SessionStatus }
  /** A CORS preflight the gateway answers itself (`cors`): `204` with `Access-Control-Allow-Origin`. */
  | { kind: 'answer'; status: 204; allowOrigin: string }
  | { kind: 'redirect'; code: string; status: number; location: string; reason: string }
  | { kind: 'deny'; status: number; code: string; reason: string }
  /**
   * What Clerk's `authenticateRequest` answers itself on a development instance before any token
   * is read (`clerkAnswersFirst`): a handshake for a GET page load, signed out otherwise.
   */
  | { kind: 'clerk'; reason: 'dev-browser-sync' | 'primary-responds-to-syncing' };

export interface Row {
  client: Client | 'preflight';
  outcome: Outcome;
}

export interface StateDecision {
  state: SessionState;
  /** The session token's claims, for pending and active. */
  claims?: Readonly<Record<string, unknown>>;
  /** Anything worth saying about how the state was read (a route that takes no sessions, …). */
  notes: string[];
  rows: Row[];
}

export interface ExplainReport {
  method: string;
  /** The URL as given, made absolute. */
  url: string;
  host: string;
  placeholderHost: boolean;
  /** The sign-in and task pages for this host. */
  signInUrl: string;
  tasksUrl: string;
  /** The gateway answers before matching any rule: an endpoint, a 400, a misconfiguration. */
  stop?: { status?: number; code: string; why: string };
  canonicalPath?: string;
  readings: string[];
  /** The methods rules are matched with (`methodReadings`; a POST is tried as every method a rule names). */
  methods: string[];
  attempts: Attempt[];
  /** The rule for the request's own method and first reading, which the request is sent by: undefined when the path is public by default. */
  rule: RuleRef | undefined;
  /**
   * When the readings (or the methods a POST could become) meet several rules: each of them; every
   * protected one must let the request through (`combineRules`).
   */
  met?: (RuleRef | undefined)[];
  /** What decides (`matchRoute`): the rule, or the rules met combined (their protection is shown). */
  route: Policy | undefined;
  /** The value of the rule's `organizationParam` in each reading the rule matched. */
  organizations: readonly string[];
  /** The attempt that found `rule`, and why each rule before it did not apply there. */
  decisive: Attempt | undefined;
  skipped: Skipped[];
  /** Where a forwarded request goes: `ORIGIN_URL` or the rule's origin, with the path and query. */
  forwardTo: string | undefined;
  decisions: StateDecision[];
  /** Warnings: a flag the claims do not read back as. */
  notes: string[];
}

export function ruleRef(route: CompiledRoute | undefined): RuleRef | undefined {
  if (!route) return undefined;
  if (route.index >= 0) return { label: `#${route.index + 1}`, name: route.name };
  return { label: route.name === 'defaultPolicy' ? 'default' : 'auto', name: route.name };
}
