/** A path pattern in Clerk's `createRouteMatcher` syntax (path-to-regexp v6), or a RegExp. */
export type RoutePattern = string | RegExp;

/** Options for a protected route. */
export interface ProtectOptions {
  /**
   * Treat a *pending* session (signed in, after-auth task still open) as signed out.
   * `false` forwards pending sessions with `X-Auth-Session-Status: pending`.
   * @default true
   */
  treatPendingAsSignedOut?: boolean;
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
  forward?: ForwardOptions;
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

/** A rule after validation, ready to match. */
export interface CompiledRoute {
  /** 0-based position in `routes`. */
  index: number;
  name: string;
  regexps: readonly RegExp[];
  protect: boolean;
  treatPendingAsSignedOut: boolean;
  accept: readonly TokenKind[];
  scopes: readonly string[];
}

export interface CompiledConfig {
  routes: readonly CompiledRoute[];
  forward: CompiledForward;
}
