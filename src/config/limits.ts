// The gateway's fixed policy numbers, in one place. Each is per isolate unless it says otherwise.

/** Clock skew allowed on `exp`, `nbf` and `iat`, in milliseconds: `@clerk/backend`'s default. */
export const CLOCK_SKEW_MS = 5_000;

/** Backend API calls a client can cause (nonce, refresh, JWKS refetch): at once, then per second. */
export const BACKEND_API_BURST = 20;
export const BACKEND_API_PER_SECOND = 5;

/** How long any one call to Clerk (JWKS, nonce, refresh, machine token, revocation) may take by default, in milliseconds. */
export const CLERK_TIMEOUT_MS = 3_000;

/** `Retry-After` of a `503 auth_unavailable` (Clerk could not be asked in time), in seconds. */
export const CLERK_RETRY_AFTER_S = 5;

/** The longest wait between JWKS fetches: after repeated failures, in milliseconds. */
export const JWKS_COOLDOWN_MS = 30_000;

/** The wait after a failed JWKS fetch before the next try, in milliseconds; it doubles per failure up to JWKS_COOLDOWN_MS. */
export const JWKS_RETRY_MS = 1_000;

/**
 * Least time between two JWKS fetches for `kid`s not yet known, in milliseconds; it doubles while
 * fetches bring no new key (made-up kids), up to JWKS_UNKNOWN_KID_MAX_MS, and each fetch spends the
 * Backend API budget.
 */
export const JWKS_UNKNOWN_KID_MS = 1_000;
export const JWKS_UNKNOWN_KID_MAX_MS = 4_000;

/** Verified session tokens kept for re-checking without crypto (least recently used go first). */
export const VERIFIED_TOKENS_KEPT = 4_096;

/** Tokens whose signature failed, remembered so a replayed forgery costs no crypto. */
export const REJECTED_TOKENS_KEPT = 4_096;

/** Hosts whose derived URLs (sign-in, authorized parties, redirect targets) are kept. */
export const SITES_KEPT = 64;

/** How long to wait for the origin's response headers by default, in milliseconds. */
export const ORIGIN_TIMEOUT_MS = 30_000;

/** The most a claim header sent to the origin may hold, by default, in bytes. */
export const IDENTITY_HEADER_MAX_BYTES = 512;

/** The most `X-Auth-Org-Permissions` may hold, in bytes: a long list is cut at whole items. */
export const PERMISSIONS_MAX_BYTES = 4_096;

/** How long a machine token's verification is kept, in milliseconds: verified and refused alike. */
export const MACHINE_TOKEN_CACHE_MS = 10_000;

/** Machine tokens whose verification is kept (least recently stored go first). */
export const MACHINE_TOKENS_KEPT = 4_096;

/**
 * The longest request path the gateway matches, in characters as received (percent-encoded, without
 * the query): longer is refused with 414 `ERR_PATH_TOO_LONG`. Matching costs path length × readings
 * × candidate rules; this keeps the worst request near a normal one. Browsers and servers keep URLs
 * well under it (IIS's default path limit is 260 per segment, 2,083 was Internet Explorer's URL limit).
 */
export const MAX_PATH_LENGTH = 2_048;

/** The most one Cache API call of the shared tier (a read or a write) may take, in milliseconds; past it the gateway goes on without it. */
export const SHARED_CACHE_TIMEOUT_MS = 50;

/**
 * How long the JWKS stays in the shared tier (the Cache API, per data center), in milliseconds:
 * `@clerk/backend`'s own JWKS cache time. An isolate takes it from there only when it holds the
 * `kid` it needs; a new `kid` (key rotation) always goes to the Backend API.
 */
export const SHARED_JWKS_TTL_MS = 300_000;
