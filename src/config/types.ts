/** A path pattern in Clerk's `createRouteMatcher` syntax (path-to-regexp v6), or a RegExp. */
export type RoutePattern = string | RegExp;

/** Clerk's reverification presets (`has({ reverification })`): how recently the user proved who they are. */
export type ReverificationPreset = 'strict_mfa' | 'strict' | 'moderate' | 'lax';

/** A reverification requirement of your own: the factor `level`, verified within `afterMinutes`. */
export interface ReverificationConfig {
  level: 'first_factor' | 'second_factor' | 'multi_factor';
  /** Minutes; more than 0. */
  afterMinutes: number;
}

/**
 * The verified session as `@clerk/backend` describes it (`toAuth()` of a signed-in request): ids,
 * `orgRole`, `orgPermissions`, `sessionClaims`, `factorVerificationAge` and Clerk's own `has()`.
 */
export type SessionAuth = import('@clerk/backend/internal').SignedInAuthObject;

/**
 * Options for a protected route. Every condition given must pass (Clerk's `has()` semantics);
 * a signed-in session that fails one gets 403, never a trip to sign-in.
 */
export interface ProtectOptions {
  /**
   * Treat a *pending* session (signed in, after-auth task still open) as signed out.
   * `false` forwards pending sessions with `X-Auth-Session-Status: pending`.
   * @default true
   */
  treatPendingAsSignedOut?: boolean;
  /** The role in the active organization, `org:<key>` (`org:admin`). Needs an active organization. */
  role?: string;
  /** A permission in the active organization, `org:<feature>:<permission>` (`org:invoices:manage`). */
  permission?: string;
  /** A Billing feature, `<key>` or scoped as Clerk scopes it: `o:<key>`/`org:<key>` (organization), `u:<key>`/`user:<key>` (user). */
  feature?: string;
  /** A Billing plan, scoped like `feature`. */
  plan?: string;
  /**
   * How recently the user must have verified a factor (`fva`). A session that has not gets 403 in
   * Clerk's reverification shape, so Clerk's `useReverification` prompts and retries.
   */
  reverification?: ReverificationPreset | ReverificationConfig;
  /**
   * A parameter of this rule's `match` (`'/orgs/:org/(.*)'` → `'org'`) that must name the active
   * organization, by slug or by id; otherwise 403 `ERR_ORGANIZATION_MISMATCH`.
   */
  organizationParam?: string;
  /**
   * Any other condition over the verified session, e.g. `(auth) => auth.has({ role: 'org:admin' })
   * || auth.has({ role: 'org:billing' })`. Only `true` lets the request through; a throw is a 500
   * (nothing forwarded).
   */
  check?: (auth: SessionAuth) => boolean;
}

/** Where a rule sends its requests instead of `ORIGIN_URL`. */
export interface OriginOptions {
  /** An absolute http(s) URL; its path, if any, prefixes every forwarded path. */
  url?: string;
  /** The name of a Service Binding (`[[services]]` in wrangler.toml) to send requests to instead. */
  binding?: string;
  /**
   * A leading path to remove before forwarding, on whole segments and ignoring case:
   * `'/api'` sends `/api/users` as `/users` and `/api` as `/`.
   */
  stripPrefix?: string;
}

/**
 * CORS as the gateway answers it: preflights (`OPTIONS` with `Origin` and
 * `Access-Control-Request-Method`) answered at the edge, never forwarded, and the matching
 * `Access-Control-*` headers on real answers (the origin's own are replaced).
 */
export interface CorsOptions {
  /**
   * The origins allowed to read answers cross-origin: exact origins (`https://app.example.com`,
   * scheme, host and port, no path), or `'*'` for any origin (not with `credentials`).
   */
  origins: readonly string[] | '*';
  /** Methods a preflight may ask for (any case; upper-cased). @default ['GET', 'HEAD', 'POST'] */
  methods?: readonly string[];
  /** Request headers a preflight may ask for (`content-type`, `authorization`), ignoring case. @default [] */
  headers?: readonly string[];
  /** Answer headers a page may read besides the CORS-safelisted ones (`Access-Control-Expose-Headers`). @default [] */
  exposeHeaders?: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`: pages may send cookies and read the answers. @default false */
  credentials?: boolean;
  /** Seconds a browser may reuse a preflight's answer (`Access-Control-Max-Age`), 0 to 86400. @default 600 */
  maxAge?: number;
}

/** One rule of `routes.config.ts`. Rules are tried in order; the first whose pattern matches wins. */
export interface RouteRule {
  /** Path pattern(s), matched case-insensitively against the canonical path (never the query). */
  match: RoutePattern | readonly RoutePattern[];
  /**
   * `true` (or options) requires a signed-in session; `false` marks the path public, which lets
   * a later, broader rule be carved out. Paths no rule matches are public.
   */
  protect: boolean | ProtectOptions;
  /**
   * On a public route (`protect: false`), `false` forwards pending sessions with their identity and
   * `X-Auth-Session-Status: pending` instead of as signed out: for pages pending users must be
   * recognised on, such as a task page the origin serves itself. On a protected route, the same as
   * `protect: { treatPendingAsSignedOut }`.
   * @default true
   */
  treatPendingAsSignedOut?: boolean;
  /** A name for logs and error messages. Default: the first pattern. */
  name?: string;
  /**
   * What the route takes: Clerk session tokens, and any of API keys, M2M tokens and OAuth access
   * tokens (verified with `@clerk/backend`; opaque ones through the Backend API, within its
   * budget). There is no "any". @default ['session_token']
   */
  accept?: readonly TokenKind[];
  /** Scopes a machine token must all carry here; without them it gets 403. @default [] */
  scopes?: readonly string[];
  /**
   * HTTP methods this rule applies to (upper case); other methods go on to the next rule. `GET`
   * covers `HEAD`. A `POST` can become any method at the origin (`_method`, `X-HTTP-Method-Override`),
   * so it is matched as every method, and every protected rule it meets must let it through. @default every method
   */
  methods?: readonly string[];
  /** Host names this rule applies to (`app.example.com`, `*.example.com` for subdomains), ignoring case. @default every host */
  hosts?: readonly string[];
  /**
   * What a signed-out or pending *navigation* gets: `'redirect'` to sign-in or the task page, or
   * `'status'`: a 401 (an HTML page for browsers). Other requests always get 401.
   * @default 'redirect'
   */
  onUnauthenticated?: 'redirect' | 'status';
  /**
   * Where a navigation that fails a condition of `protect` is sent (303) instead of the HTML 403
   * page: an absolute URL or a path on the gateway's host. @default config.unauthorizedUrl
   */
  unauthorizedUrl?: string;
  /**
   * Removed: it made this rule's `OPTIONS` public for anyone who added `Origin` and
   * `Access-Control-Request-Method`, and origins that ignore the method (`php -S`, Django function
   * views, Express `app.all`) then ran the protected handler. Refused at start; use `cors` (the
   * gateway answers preflights itself) or, if the origin must see them, `forwardPreflightsUnauthenticated`.
   */
  allowPreflight?: never;
  /**
   * How the gateway answers CORS for this rule's paths, replacing the config's `cors`; `false`:
   * no CORS here (preflights are decided as the `OPTIONS` they are). @default config.cors
   */
  cors?: CorsOptions | false;
  /**
   * The explicit opt-in to let the origin answer CORS preflights: an `OPTIONS` with `Origin` and
   * `Access-Control-Request-Method` is forwarded signed out, without credentials or body, to the
   * origin, when this rule (for the asked method) and every rule the `OPTIONS` itself meets set it. The risk: anyone can send that request, and an origin that runs its usual handler for
   * `OPTIONS` (`php -S`, Django function views, Express `app.all`/`app.use`, Koa middleware) runs
   * the protected handler signed out. Use only when the origin answers `OPTIONS` without running
   * it; prefer `cors`. Not with `cors` on the same rule. @default false
   */
  forwardPreflightsUnauthenticated?: boolean;
  /** Send this rule's requests to another origin: a URL, or `{ url | binding, stripPrefix }`. @default ORIGIN_URL */
  origin?: string | OriginOptions;
  /**
   * What this rule's origin gets, over the default for it: `config.forward` for `ORIGIN_URL`'s
   * origin; for a rule's own origin on another host or a Service Binding, `config.forward`'s
   * claims but no session token and none of Clerk's credentials (`sessionToken: false`,
   * `stripClerkCredentials: true`) unless this says so.
   * @default `config.forward` for `ORIGIN_URL`'s origin; for another origin, its claims with `sessionToken: false` and `stripClerkCredentials: true`
   */
  forward?: ForwardOptions;
}

/** The kinds of token a route can accept, named as `@clerk/backend` names them. */
export type TokenKind = 'session_token' | 'api_key' | 'm2m_token' | 'oauth_token';
export const TOKEN_KINDS: readonly TokenKind[] = ['session_token', 'api_key', 'm2m_token', 'oauth_token'];

/** A session-token claim sent to the origin under a header name of your choice. */
export type ClaimHeader = string | { claim: string; maxBytes?: number };

/** What the origin gets besides the `X-Auth-*` headers. */
export interface ForwardOptions {
  /**
   * Header name → claim of the verified session token: a top-level name (`email`, `name`: custom
   * claims you add to the session token in Clerk) or a dot path (`o.slg`). Values are header-safe
   * (anything but printable ASCII is percent-encoded), lists are joined with `,` and cut at whole
   * items, and a value over `maxBytes` (default 512) is not sent. Client copies are removed.
   */
  claims?: Readonly<Record<string, ClaimHeader>>;
  /** Send the verified session token as `Authorization: Bearer …`, for origins that verify Clerk themselves. @default false */
  sessionToken?: boolean;
  /**
   * Remove Clerk's cookies (`__session*`, `__client_uat*`, `__clerk_*`, `__refresh*`) and the
   * client's `Authorization` from what the origin gets (cookie bloat, tokens in origin logs).
   * @default false
   */
  stripClerkCredentials?: boolean;
}

export interface GatewayConfig {
  routes: readonly RouteRule[];
  /**
   * What a path no rule matches gets: `'public'`, or `'protect'` (a signed-in, active session),
   * to put a whole app behind sign-in with explicit `protect: false` rules. The sign-in and task
   * pages, when on the gateway's own host, are public either way. @default 'public'
   */
  defaultPolicy?: 'public' | 'protect';
  /** Where navigations that fail a rule's conditions are sent (303), unless a rule says otherwise. @default none: an HTML 403 page */
  unauthorizedUrl?: string;
  forward?: ForwardOptions;
  /** CORS for every rule that does not set its own `cors` (and for paths no rule matches). @default none: preflights are decided as the `OPTIONS` they are */
  cors?: CorsOptions;
  /**
   * Clerk's `organizationSyncOptions`: a page load whose URL names another organization than the
   * session's active one goes through Clerk's handshake, which activates it and comes back. Rules
   * still decide what is forwarded (`organizationParam`). @default none: the URL activates nothing
   */
  organizationSyncOptions?: OrganizationSyncOptions;
}

/** As `clerkMiddleware`'s `organizationSyncOptions` (patterns in `createRouteMatcher` syntax, matched against the canonical path). */
export interface OrganizationSyncOptions {
  /** Paths that name an organization by `:id` (`org_…`) or `:slug`, e.g. `'/orgs/:slug'`, `'/orgs/:slug/(.*)'`; tried first. @default none */
  organizationPatterns?: readonly string[];
  /** Paths of the personal account, where no organization should be active, e.g. `'/me'`, `'/me/(.*)'`. @default none */
  personalAccountPatterns?: readonly string[];
}

/** What the URL asks to activate: an organization by id or slug, or the personal account. */
export type OrganizationTarget = { type: 'organization'; id?: string; slug?: string } | { type: 'personal-account' };

/** `organizationSyncOptions` after validation: the options for Clerk, and the gateway's own reading of a path with them. */
export interface CompiledOrganizationSync {
  /** Passed to `authenticateRequest` as they are. */
  options: { organizationPatterns: string[]; personalAccountPatterns: string[] };
  /** What the canonical path asks to activate, as Clerk's matcher reads it; undefined: nothing. */
  target(pathname: string): OrganizationTarget | undefined;
}

/** A claim header after validation. */
export interface CompiledClaimHeader {
  /** Lower case. */
  header: string;
  path: readonly string[];
  maxBytes: number;
}

export interface CompiledForward {
  claims: readonly CompiledClaimHeader[];
  sessionToken: boolean;
  stripClerkCredentials: boolean;
}

/** The conditions of `protect` (every option of `ProtectOptions` but `treatPendingAsSignedOut`). */
export type ConditionKey = Exclude<keyof ProtectOptions, 'treatPendingAsSignedOut'>;

/**
 * A rule's conditions after validation; only what was asked for is set. Each is the option as
 * written, its shorthand expanded (a reverification preset becomes its `{ level, afterMinutes }`).
 * Derived from `ProtectOptions`, so the registry (`src/policy/conditions.ts`), which must have one
 * entry per key, cannot drift from the options users read.
 */
export type CompiledConditions = { [K in ConditionKey]?: Exclude<NonNullable<ProtectOptions[K]>, ReverificationPreset> };

/** Where a rule forwards. */
export type CompiledOrigin =
  | { kind: 'url'; base: string; stripPrefix: readonly string[] }
  | { kind: 'binding'; binding: string; stripPrefix: readonly string[] };

/** A rule after validation, ready to match. */
export interface CompiledRoute {
  /** 0-based position in `routes`; -1 for the rules the gateway adds (default policy, sign-in pages). */
  index: number;
  name: string;
  /** The patterns as written (for `routes list` and parameters), in the order of `regexps`. */
  patterns: readonly RoutePattern[];
  regexps: readonly RegExp[];
  protect: boolean;
  /** The one compiled spelling of `treatPendingAsSignedOut` and `protect.treatPendingAsSignedOut` (src/policy/pending.ts). */
  treatPendingAsSignedOut: boolean;
  accept: readonly TokenKind[];
  scopes: readonly string[];
  /** Upper case, `HEAD` added to `GET`; undefined: every method. */
  methods: ReadonlySet<string> | undefined;
  /** Lower case; `*.example.com` kept as written. undefined: every host. */
  hosts: readonly string[] | undefined;
  onUnauthenticated: 'redirect' | 'status';
  /** Undefined: none (the condition-free route). */
  conditions: CompiledConditions | undefined;
  unauthorizedUrl: string | undefined;
  /** `forwardPreflightsUnauthenticated`: preflights go to the origin, signed out. */
  forwardPreflights: boolean;
  /** The rule's own CORS; `false`: none here; undefined: the config's. */
  cors: CompiledCors | false | undefined;
  /** Undefined: `ORIGIN_URL`. */
  origin: CompiledOrigin | undefined;
  /** The rule's own `forward`, only what it sets (see `forwardFor`). Undefined: none. */
  forward?: Partial<CompiledForward>;
}

/** CORS after validation: origins as `URL.origin` gives them, methods upper case, headers lower case. */
export interface CompiledCors {
  /** `'*'`: any origin (never with credentials). */
  origins: ReadonlySet<string> | '*';
  methods: readonly string[];
  headers: readonly string[];
  exposeHeaders: readonly string[];
  credentials: boolean;
  /** Seconds. */
  maxAge: number;
}

export interface CompiledConfig {
  routes: readonly CompiledRoute[];
  defaultPolicy: 'public' | 'protect';
  /** What a path no rule matches gets: the `defaultPolicy: 'protect'` rule, or undefined (public). */
  fallback: CompiledRoute | undefined;
  /** Every method a rule's `methods` names, plus one none names; undefined when no rule has `methods`. */
  methodsUsed: readonly string[] | undefined;
  unauthorizedUrl: string | undefined;
  forward: CompiledForward;
  /** `config.cors`, for rules without their own and paths no rule matches. */
  cors: CompiledCors | undefined;
  /** `config.organizationSyncOptions`; undefined: none. */
  organizationSync?: CompiledOrganizationSync;
}
