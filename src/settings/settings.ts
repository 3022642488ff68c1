import { buildAccountsBaseUrl } from '@clerk/shared/buildAccountsBaseUrl';
import { parsePublishableKey } from '@clerk/shared/keys';

import type { Env } from '../env';
import { CLERK_TIMEOUT_MS, ORIGIN_TIMEOUT_MS } from '../config/limits';
import { multiDomainSettings, type MultiDomainSettings } from './multi-domain';
import { ownPageSettings, pageSetting, type OwnPage } from './own-pages';
import { parseSigningKeys, type SigningKeys } from './signing-keys';
import { flag, present } from './values';
import { parseHttpUrl, parsePathOrUrl, PATH_OR_URL_EXPECTED } from '../config/url-option';

/** The Worker's settings after validation (Clerk's proxy and satellite options: src/settings/multi-domain.ts). */
export interface GatewaySettings extends MultiDomainSettings {
  /** `ORIGIN_URL` without a trailing slash, ready to prepend to a canonical path (its path, if any, prefixes every forwarded one). */
  originBase: string;
  publishableKey: string;
  secretKey: string;
  /** Single-line PEM, or undefined to fetch the JWKS with the secret key. */
  jwtKey: string | undefined;
  /** Accepted `azp` origins; `undefined` means "the origin the request was served on". */
  authorizedParties: readonly string[] | undefined;
  /**
   * The sign-in page: `origin` undefined means a path on whichever host the gateway is served on.
   * `path` has no trailing slash (except `/` itself).
   */
  signIn: OwnPage;
  /** `CLERK_SIGN_UP_URL`: the app's sign-up page, public like the sign-in page; undefined: none of its own. */
  signUp: OwnPage | undefined;
  /** `CLERK_TASKS_URL`: where pending sessions go instead of `<sign-in URL>/tasks`; undefined: there. */
  tasks: OwnPage | undefined;
  apiUrl: string | undefined;
  /** The instance's Frontend API host, from the publishable key. */
  frontendApi: string;
  /** The `iss` every session token of this instance carries. */
  issuer: string;
  instanceType: 'production' | 'development';
  /** Milliseconds to wait for the origin's response headers. */
  originTimeoutMs: number;
  /** Milliseconds any one call to Clerk may take (JWKS, nonce, refresh, machine token, revocation). */
  clerkTimeoutMs: number;
  /**
   * `LOG_ORIGIN_BODY_FAILURES`: pipe each forwarded body through a stream the gateway watches, so
   * a body the origin cuts mid-stream is logged (`origin_body_failed`). The client's read fails
   * either way; the watch is the log line, and costs about a third of the gateway's own work on
   * every forwarded answer (docs/performance.md). @default false
   */
  logOriginBodyFailures: boolean;
  /** `error`: only lines for 5xx answers; `info`: one line per request; `debug`: plus canonicalization and matching. */
  logLevel: LogLevel;
  /** The gateway's own endpoints: exact paths, answered before any route is matched. */
  healthPath: string;
  signOutPath: string;
  /** Where sign-out sends the browser: a path on the gateway's host, or an absolute URL. */
  signOutRedirectUrl: string;
  /**
   * The forward-auth endpoint (docs/forward-auth.md): its exact path and the secret a proxy proves
   * itself with; `undefined` (the default): no such endpoint, the path is routed like any other.
   */
  forwardAuth: { path: string; secret: string } | undefined;
  /** The keys of the signed identity assertion; without them no `X-Auth-Assertion` is sent. */
  signingKeys: SigningKeys | undefined;
  /** The assertion's `aud`: `ASSERTION_AUDIENCE`, or the origin of `ORIGIN_URL`. */
  assertionAudience: string;
  /** The assertion's `iss`: `ASSERTION_ISSUER`, or (undefined) the origin each request arrived on. */
  assertionIssuer: string | undefined;
}

export type LogLevel = 'error' | 'info' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'info', 'debug'];

export const DEFAULT_HEALTH_PATH = '/__gateway/health';
const DEFAULT_SIGN_OUT_PATH = '/__gateway/sign-out';

// An endpoint path is compared with the request's path as sent: it must be a canonical one.
const ENDPOINT_PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/;

function endpointPath(name: string, raw: string | undefined, fallback: string, problems: string[]): string {
  const value = present(raw);
  if (value === undefined) return fallback;
  if (!ENDPOINT_PATH.test(value) || value.split('/').some((s) => s === '.' || s === '..')) {
    problems.push(`${name} must be a plain path such as ${fallback} (letters, digits, "-", "_", ".", "~" between slashes), got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}

/** The health endpoint's path, readable even when other settings are not (it reports them). */
export function healthPath(env: Env): string {
  return endpointPath('HEALTH_PATH', env.HEALTH_PATH, DEFAULT_HEALTH_PATH, []);
}

export type SettingsResult = { ok: true; settings: GatewaySettings } | { ok: false; problems: string[] };

const PEM_HEADER = '-----BEGIN PUBLIC KEY-----';
const PEM_TRAILER = '-----END PUBLIC KEY-----';
// @clerk/backend reads a PEM by cutting this SPKI prefix/suffix off: only RSA-2048 with e=65537
// (what the Clerk dashboard shows) survives that, so anything else is refused here, not at request time.
const RSA2048_SPKI_PREFIX = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA';
const RSA2048_SPKI_SUFFIX = 'IDAQAB';

/** A duration setting: whole milliseconds from 1 to `max`, or `fallback` when unset; a problem otherwise. */
function milliseconds(raw: string | undefined, name: string, fallback: number, max: number, problems: string[]): number {
  const value = present(raw);
  if (!value) return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > max) {
    problems.push(`${name} must be a whole number of milliseconds from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return ms;
}

function normalizePem(value: string): string | undefined {
  const body = value
    .replace(/\\n/g, '\n')
    .replace(PEM_HEADER, '')
    .replace(PEM_TRAILER, '')
    .replace(/\s+/g, '');
  if (!value.includes(PEM_HEADER) || !value.includes(PEM_TRAILER)) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  if (!body.startsWith(RSA2048_SPKI_PREFIX) || !body.endsWith(RSA2048_SPKI_SUFFIX) || body.length !== 392) return undefined;
  return `${PEM_HEADER}${body}${PEM_TRAILER}`;
}

/** `ORIGIN_URL`: the origin every rule without its own forwards to. */
function originSetting(env: Env, problems: string[]): URL | undefined {
  const raw = present(env.ORIGIN_URL);
  if (!raw) {
    problems.push('ORIGIN_URL is missing: set it to the origin to protect, e.g. https://legacy.internal.example.com');
    return undefined;
  }
  const url = parseHttpUrl(raw);
  if (!url) problems.push(`ORIGIN_URL must be an absolute http(s) URL, got ${JSON.stringify(raw)}`);
  else if (url.search || url.hash || url.username || url.password) problems.push('ORIGIN_URL must not carry a query, fragment or credentials');
  return url;
}

type PublishableKey = NonNullable<ReturnType<typeof parsePublishableKey>>;

/** The Clerk instance: `CLERK_PUBLISHABLE_KEY` and `CLERK_SECRET_KEY`, which must belong together. */
function instanceKeys(env: Env, problems: string[]): { publishableKey?: string; pk: PublishableKey | null; secretKey?: string } {
  const publishableKey = present(env.CLERK_PUBLISHABLE_KEY);
  const pk = publishableKey ? parsePublishableKey(publishableKey) : null;
  if (!publishableKey) problems.push('CLERK_PUBLISHABLE_KEY is missing: copy it from the Clerk dashboard (API keys)');
  else if (!pk) {
    problems.push(
      /^pk_(live|test)_/.test(publishableKey)
        ? `CLERK_PUBLISHABLE_KEY starts like a publishable key but does not decode to a Frontend API host (${publishableKey.slice(0, 8)}…): copy the whole key from the Clerk dashboard (API keys)`
        : 'CLERK_PUBLISHABLE_KEY is malformed: expected pk_live_… or pk_test_… from the Clerk dashboard (API keys)',
    );
  }

  const secretKey = present(env.CLERK_SECRET_KEY);
  if (!secretKey) problems.push('CLERK_SECRET_KEY is missing: run `wrangler secret put CLERK_SECRET_KEY` (locally: .dev.vars)');
  else if (!/^sk_(live|test)_[A-Za-z0-9]+$/.test(secretKey)) problems.push('CLERK_SECRET_KEY is malformed: expected sk_live_… or sk_test_…');
  else if (pk && (secretKey.startsWith('sk_live_') !== (pk.instanceType === 'production'))) {
    problems.push('CLERK_SECRET_KEY and CLERK_PUBLISHABLE_KEY belong to different instances (one live, one test)');
  }
  return { publishableKey, pk, secretKey };
}

/** `CLERK_JWT_KEY`: the PEM for networkless verification, or undefined to use the JWKS. */
function jwtKeySetting(raw: string | undefined, problems: string[]): string | undefined {
  const jwtKeyRaw = present(raw);
  const jwtKey = jwtKeyRaw ? normalizePem(jwtKeyRaw) : undefined;
  if (jwtKeyRaw && !jwtKey) {
    // A PEM pasted unquoted over several lines of .dev.vars arrives as its first line only.
    const truncated = /^-----BEGIN PUBLIC KEY-----\s*$/.test(jwtKeyRaw.trim());
    problems.push(
      truncated
        ? 'CLERK_JWT_KEY holds only "-----BEGIN PUBLIC KEY-----": a PEM over several lines must be quoted in .dev.vars (CLERK_JWT_KEY="-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----"), or put on one line with \\n between its lines'
        : 'CLERK_JWT_KEY is not a PEM RSA-2048 public key: paste the "PEM public key" from the Clerk dashboard (API keys → JWT public key), quoted if it spans several lines',
    );
  }
  return jwtKey;
}

/** `CLERK_AUTHORIZED_PARTIES`: the accepted `azp` origins, or undefined for the gateway's own. */
function authorizedPartiesSetting(raw: string | undefined, problems: string[]): string[] | undefined {
  const partiesRaw = present(raw);
  if (!partiesRaw) return undefined;
  const authorizedParties: string[] = [];
  for (const entry of partiesRaw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = parseHttpUrl(entry);
    if (!url || url.origin !== entry.replace(/\/$/, '')) {
      problems.push(`CLERK_AUTHORIZED_PARTIES: ${JSON.stringify(entry)} is not an origin like https://app.example.com`);
    } else authorizedParties.push(url.origin);
  }
  // An empty list would make @clerk/backend skip the azp check altogether.
  if (authorizedParties.length === 0) {
    problems.push('CLERK_AUTHORIZED_PARTIES names no origin: list origins like https://app.example.com, or unset it to accept only the gateway\'s own');
  }
  return authorizedParties;
}

/** `CLERK_SIGN_IN_URL`, or the instance's Account Portal when unset. */
function signInSetting(raw: string | undefined, pk: PublishableKey | null, problems: string[]): GatewaySettings['signIn'] {
  if (!present(raw)) return pk ? { origin: buildAccountsBaseUrl(pk.frontendApi), path: '/sign-in' } : { origin: undefined, path: '/' };
  return pageSetting('CLERK_SIGN_IN_URL', raw, problems) ?? { origin: undefined, path: '/' };
}

/** `LOG_LEVEL`, case-insensitive; undefined (with a problem) when it names no level. */
function logLevelSetting(raw: string | undefined, problems: string[]): LogLevel | undefined {
  const logRaw = present(raw)?.toLowerCase() ?? 'info';
  const logLevel = LOG_LEVELS.find((level) => level === logRaw);
  if (!logLevel) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
  return logLevel;
}

/** The gateway's own endpoints and where sign-out lands. */
function endpointSettings(env: Env, problems: string[]): Pick<GatewaySettings, 'healthPath' | 'signOutPath' | 'signOutRedirectUrl'> {
  const health = endpointPath('HEALTH_PATH', env.HEALTH_PATH, DEFAULT_HEALTH_PATH, problems);
  const signOutPath = endpointPath('SIGN_OUT_PATH', env.SIGN_OUT_PATH, DEFAULT_SIGN_OUT_PATH, problems);
  if (health === signOutPath) problems.push(`HEALTH_PATH and SIGN_OUT_PATH are both ${health}; give each its own path`);
  const signOutRedirectUrl = present(env.SIGN_OUT_REDIRECT_URL) ?? '/';
  if (!parsePathOrUrl(signOutRedirectUrl)) problems.push(`SIGN_OUT_REDIRECT_URL ${PATH_OR_URL_EXPECTED}, got ${JSON.stringify(signOutRedirectUrl)}`);
  return { healthPath: health, signOutPath, signOutRedirectUrl };
}

// A shared secret a proxy sends on every forward-auth request: long enough not to be guessed.
const FORWARD_AUTH_SECRET_MIN = 32;

/** `FORWARD_AUTH_PATH` and `FORWARD_AUTH_SECRET`: both or neither; the path apart from the other endpoints'. */
function forwardAuthSettings(env: Env, taken: readonly string[], problems: string[]): GatewaySettings['forwardAuth'] {
  const rawPath = present(env.FORWARD_AUTH_PATH);
  const secret = present(env.FORWARD_AUTH_SECRET);
  if (rawPath === undefined) {
    if (secret !== undefined) problems.push('FORWARD_AUTH_SECRET is set but FORWARD_AUTH_PATH is not: set the path (e.g. /__gateway/forward-auth) or unset the secret');
    return undefined;
  }
  const path = endpointPath('FORWARD_AUTH_PATH', rawPath, '/__gateway/forward-auth', problems);
  if (taken.includes(path)) problems.push(`FORWARD_AUTH_PATH ${path} is already another endpoint's path; give it its own`);
  if (secret === undefined || secret.length < FORWARD_AUTH_SECRET_MIN || /\s/.test(secret)) {
    problems.push(`FORWARD_AUTH_SECRET must be set with FORWARD_AUTH_PATH: at least ${FORWARD_AUTH_SECRET_MIN} characters without spaces (e.g. \`openssl rand -hex 32\`), which the proxy sends as X-Forward-Auth-Secret`);
    return undefined;
  }
  return { path, secret };
}

/** The signed identity assertion: its keys, `aud` (default: the origin of `ORIGIN_URL`) and `iss`. */
function assertionSettings(env: Env, originUrl: URL | undefined, problems: string[]): Pick<GatewaySettings, 'signingKeys' | 'assertionAudience' | 'assertionIssuer'> {
  const signingKeys = parseSigningKeys(present(env.GATEWAY_SIGNING_KEY), present(env.GATEWAY_SIGNING_KEY_PREVIOUS), problems);
  const assertionAudience = present(env.ASSERTION_AUDIENCE) ?? originUrl?.origin ?? '';
  const issuerRaw = present(env.ASSERTION_ISSUER);
  const issuerUrl = issuerRaw ? parseHttpUrl(issuerRaw) : undefined;
  if (issuerRaw && (!issuerUrl || issuerUrl.origin !== issuerRaw.replace(/\/$/, ''))) {
    problems.push(`ASSERTION_ISSUER must be an origin like https://app.example.com, got ${JSON.stringify(issuerRaw)}`);
  }
  if (/[\s,]/.test(assertionAudience)) problems.push(`ASSERTION_AUDIENCE must be one value without spaces or commas, got ${JSON.stringify(assertionAudience)}`);
  return { signingKeys, assertionAudience, assertionIssuer: issuerUrl?.origin };
}

/**
 * Reads and checks every setting, collecting all problems, each naming its setting. The
 * gateway forwards nothing while any problem stands. (The groups are read in this order so the
 * problems are listed in it.)
 */
export function parseSettings(env: Env): SettingsResult {
  const problems: string[] = [];
  const originUrl = originSetting(env, problems);
  const { publishableKey, pk, secretKey } = instanceKeys(env, problems);
  const jwtKey = jwtKeySetting(env.CLERK_JWT_KEY, problems);
  const authorizedParties = authorizedPartiesSetting(env.CLERK_AUTHORIZED_PARTIES, problems);
  const signIn = signInSetting(env.CLERK_SIGN_IN_URL, pk, problems);
  const ownPages = ownPageSettings(env, problems);
  const apiRaw = present(env.CLERK_API_URL);
  if (apiRaw && !parseHttpUrl(apiRaw)) problems.push(`CLERK_API_URL must be an absolute http(s) URL, got ${JSON.stringify(apiRaw)}`);
  const originTimeoutMs = milliseconds(env.ORIGIN_TIMEOUT_MS, 'ORIGIN_TIMEOUT_MS', ORIGIN_TIMEOUT_MS, 600_000, problems);
  const clerkTimeoutMs = milliseconds(env.CLERK_TIMEOUT_MS, 'CLERK_TIMEOUT_MS', CLERK_TIMEOUT_MS, 30_000, problems);
  const logLevel = logLevelSetting(env.LOG_LEVEL, problems);
  const logOriginBodyFailures = flag('LOG_ORIGIN_BODY_FAILURES', env.LOG_ORIGIN_BODY_FAILURES, false, problems);
  const endpoints = endpointSettings(env, problems);
  const forwardAuth = forwardAuthSettings(env, [endpoints.healthPath, endpoints.signOutPath], problems);
  const assertion = assertionSettings(env, originUrl, problems);
  const ownPaths = { SIGN_OUT_PATH: endpoints.signOutPath, ...(forwardAuth ? { FORWARD_AUTH_PATH: forwardAuth.path } : {}), ...(signIn.origin === undefined ? { CLERK_SIGN_IN_URL: signIn.path } : {}) };
  const multiDomain = multiDomainSettings(env, publishableKey, signIn.origin, ownPaths, problems);

  if (problems.length > 0 || !originUrl || !pk || !publishableKey || !secretKey || !logLevel) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      originBase: originUrl.href.replace(/\/+$/, ''),
      publishableKey,
      secretKey,
      jwtKey,
      authorizedParties,
      signIn,
      ...ownPages,
      apiUrl: apiRaw,
      frontendApi: pk.frontendApi,
      issuer: `https://${pk.frontendApi}`,
      instanceType: pk.instanceType === 'production' ? 'production' : 'development',
      originTimeoutMs,
      clerkTimeoutMs,
      logLevel,
      logOriginBodyFailures,
      ...endpoints,
      forwardAuth,
      ...assertion,
      ...multiDomain,
    },
  };
}
