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
}

export interface GatewayConfig {
  routes: readonly RouteRule[];
}

/** A rule after validation, ready to match. */
export interface CompiledRoute {
  /** 0-based position in `routes`. */
  index: number;
  name: string;
  regexps: readonly RegExp[];
  protect: boolean;
  treatPendingAsSignedOut: boolean;
}

export interface CompiledConfig {
  routes: readonly CompiledRoute[];
}
