/**
 * The Worker's variables and secrets. All are strings as Cloudflare delivers them; they are
 * parsed and validated once per isolate by `parseSettings`.
 */
export interface Env {
  /** Where requests are forwarded, e.g. `https://legacy.internal.example.com`. Required. */
  ORIGIN_URL?: string;
  /** The instance's publishable key (`pk_live_…` / `pk_test_…`). Required. */
  CLERK_PUBLISHABLE_KEY?: string;
  /** The instance's secret key (`sk_live_…` / `sk_test_…`). Required; set it with `wrangler secret put`. */
  CLERK_SECRET_KEY?: string;
  /** PEM public key from the Clerk dashboard: verify session tokens with no network call. Optional. */
  CLERK_JWT_KEY?: string;
  /** Comma-separated origins accepted in the token's `azp`. Default: the origin the gateway is served on. */
  CLERK_AUTHORIZED_PARTIES?: string;
  /** Sign-in page, absolute URL or a path on the gateway's own host. Default: the Account Portal's. */
  CLERK_SIGN_IN_URL?: string;
  /** The app's own sign-up page, absolute URL or a path on the gateway's own host (public there, like the sign-in page). Optional. */
  CLERK_SIGN_UP_URL?: string;
  /** Where pending sessions are sent (with `redirect_url`), absolute URL or a path on the gateway's own host. Default: `<sign-in URL>/tasks`. */
  CLERK_TASKS_URL?: string;
  /** `true` (for `/__clerk`) or a path: the gateway serves Clerk's Frontend API there (`clerkFrontendApiProxy`), before any rule. Default: off. */
  CLERK_FRONTEND_API_PROXY_PATH?: string;
  /** Where the Frontend API proxy forwards. Default: Clerk's choice by key type (`https://frontend-api.clerk.dev`); tests point it at a local server. */
  CLERK_FRONTEND_API_URL?: string;
  /** Clerk's `proxyUrl`: the Frontend API proxy's absolute URL, or its path on each host. Default: the built-in proxy's path when on. */
  CLERK_PROXY_URL?: string;
  /** `true`: hosts are satellites of a primary domain (all hosts, or those under CLERK_DOMAIN). Default `false`. */
  CLERK_IS_SATELLITE?: string;
  /** Comma-separated satellite domains (`satellite.example.com`): a host under one is served as that satellite. */
  CLERK_DOMAIN?: string;
  /** `true`: a satellite's first page load without cookies syncs the session from the primary (handshake). Default `false`. */
  CLERK_SATELLITE_AUTO_SYNC?: string;
  /** Clerk Backend API base URL. Default `https://api.clerk.com`; tests point it at a local server. */
  CLERK_API_URL?: string;
  /** How long to wait for the origin's response headers, in milliseconds. Default 30000. */
  ORIGIN_TIMEOUT_MS?: string;
  /** How long any one call to Clerk (JWKS, nonce, refresh, machine token, revocation) may take, in milliseconds. Default 3000. */
  CLERK_TIMEOUT_MS?: string;
  /** `error`, `info` or `debug`: how much the per-request JSON log line says. Default `info`. */
  LOG_LEVEL?: string;
  /** `true`: watch each forwarded body, so one the origin cuts mid-stream is logged (`origin_body_failed`). Default `false` (it costs about a third of the gateway's own work per request). */
  LOG_ORIGIN_BODY_FAILURES?: string;
  /** The health endpoint's exact path. Default `/__gateway/health`. */
  HEALTH_PATH?: string;
  /** The sign-out endpoint's exact path (POST, same origin). Default `/__gateway/sign-out`. */
  SIGN_OUT_PATH?: string;
  /**
   * The forward-auth endpoint's exact path (nginx `auth_request`, Caddy `forward_auth`, Traefik
   * `forwardAuth`; docs/forward-auth.md). Default: unset, no forward-auth endpoint.
   */
  FORWARD_AUTH_PATH?: string;
  /** The secret a proxy sends as `X-Forward-Auth-Secret` on each forward-auth request (≥ 32 characters). Required with FORWARD_AUTH_PATH. */
  FORWARD_AUTH_SECRET?: string;
  /** Where sign-out redirects: a path on the gateway's host or an absolute URL. Default `/`. */
  SIGN_OUT_REDIRECT_URL?: string;
  /**
   * The gateway's assertion signing key: an EC P-256 private JWK with a `kid` (`npm run keys -- new`;
   * a secret). When set, every forwarded request carries a signed `X-Auth-Assertion`. Optional.
   */
  GATEWAY_SIGNING_KEY?: string;
  /** During a rotation, the key GATEWAY_SIGNING_KEY replaced: still published, so origins verify with either. */
  GATEWAY_SIGNING_KEY_PREVIOUS?: string;
  /** The assertion's `aud`, for every request. Default: the origin of the URL the request is sent to (a rule's own `origin` URL, else ORIGIN_URL). */
  ASSERTION_AUDIENCE?: string;
  /** The assertion's `iss`: one origin for a gateway served under several hosts. Default: the origin the request arrived on. */
  ASSERTION_ISSUER?: string;
  /** Workers Analytics Engine dataset for per-request counts. Optional; nothing is written without it. */
  GATEWAY_METRICS?: AnalyticsEngineDataset;
}
