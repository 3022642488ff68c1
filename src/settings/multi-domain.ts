import { DEFAULT_PROXY_PATH, fapiUrlFromPublishableKey } from '@clerk/backend/proxy';

import type { Env } from '../env';
import { parseHttpUrl, parsePathOrUrl } from '../config/url-option';
import { flag, present } from './values';

/** The built-in Frontend API proxy (`clerkFrontendApiProxy` from `@clerk/backend/proxy`). */
export interface FrontendApiProxySettings {
  /** The path it serves, and everything under it: `/__clerk` by default. No trailing slash. */
  path: string;
  /** Where it forwards: `CLERK_FRONTEND_API_URL`, or Clerk's own choice by key type (`https://frontend-api.clerk.dev`). */
  fapiUrl: string;
}

/** Serving some or all hosts as satellites of a primary domain. */
export interface SatelliteSettings {
  /**
   * `CLERK_DOMAIN`: the satellite domains; a host is a satellite when its name is one of them or
   * under one. `undefined`: every host is (the Frontend API is reached through CLERK_PROXY_URL).
   */
  domains: readonly string[] | undefined;
  /** `CLERK_SATELLITE_AUTO_SYNC`: handshake on a satellite's first load without cookies. @default false */
  autoSync: boolean;
}

/** Clerk's multi-domain options, as settings: the Frontend API proxy, `proxyUrl`, satellites. */
export interface MultiDomainSettings {
  /** Set when `CLERK_FRONTEND_API_PROXY_PATH` turns on the built-in proxy. */
  frontendApiProxy: FrontendApiProxySettings | undefined;
  /**
   * Clerk's `proxyUrl`: `CLERK_PROXY_URL`, else the built-in proxy's path; a path is on each
   * request's own origin. `undefined`: the Frontend API is reached directly.
   */
  proxyUrl: string | undefined;
  satellite: SatelliteSettings | undefined;
}

// A host name as Clerk's `domain` takes it: no scheme, port, path or white space.
const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
// The proxy path is compared with the request's path as sent, as `@clerk/backend` does.
const PROXY_PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/;

/** `CLERK_FRONTEND_API_PROXY_PATH` (`true` for `/__clerk`, or a path) and `CLERK_FRONTEND_API_URL`. */
function frontendApiProxySetting(env: Env, publishableKey: string | undefined, problems: string[]): FrontendApiProxySettings | undefined {
  const raw = present(env.CLERK_FRONTEND_API_PROXY_PATH);
  const upstreamRaw = present(env.CLERK_FRONTEND_API_URL);
  if (raw === undefined || raw.toLowerCase() === 'false') {
    if (upstreamRaw) problems.push('CLERK_FRONTEND_API_URL is set but the Frontend API proxy is off: set CLERK_FRONTEND_API_PROXY_PATH=true (or a path), or unset CLERK_FRONTEND_API_URL');
    return undefined;
  }
  const path = raw.toLowerCase() === 'true' ? DEFAULT_PROXY_PATH : raw.replace(/\/+$/, '');
  if (!PROXY_PATH.test(path) || path.split('/').some((s) => s === '.' || s === '..')) {
    problems.push(`CLERK_FRONTEND_API_PROXY_PATH must be true (for ${DEFAULT_PROXY_PATH}) or a plain path such as ${DEFAULT_PROXY_PATH}, got ${JSON.stringify(raw)}`);
  }
  let fapiUrl = publishableKey ? fapiUrlFromPublishableKey(publishableKey) : '';
  if (upstreamRaw) {
    const url = parseHttpUrl(upstreamRaw);
    // What @clerk/backend's proxy refuses at request time is refused here, at start.
    if (!url || url.search || url.hash || url.username || url.password) {
      problems.push(`CLERK_FRONTEND_API_URL must be an absolute http(s) URL without query, fragment or credentials, got ${JSON.stringify(upstreamRaw)}`);
    } else fapiUrl = url.href.replace(/\/+$/, '');
  }
  return { path, fapiUrl };
}

/** `CLERK_PROXY_URL`: an absolute URL, or a path that must be the built-in proxy's own. */
function proxyUrlSetting(raw: string | undefined, proxy: FrontendApiProxySettings | undefined, problems: string[]): string | undefined {
  const value = present(raw);
  if (value === undefined) return proxy?.path;
  const parsed = parsePathOrUrl(value);
  if (!parsed || /[?#]/.test(value)) {
    problems.push(`CLERK_PROXY_URL must be the Frontend API proxy's absolute http(s) URL or its path on this host (e.g. /__clerk), without query or fragment, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const path = (parsed.kind === 'path' ? parsed.value : parsed.url.pathname).replace(/\/+$/, '');
  // A path on the gateway's own host would go to the origin, under the route rules: Clerk's
  // requests for it (sign-in included) would need a session. The gateway serves it itself.
  if (parsed.kind === 'path' && path !== proxy?.path) {
    problems.push(
      proxy
        ? `CLERK_PROXY_URL (${value}) and CLERK_FRONTEND_API_PROXY_PATH (${proxy.path}) differ: the gateway's proxy serves ${proxy.path}; unset CLERK_PROXY_URL or make them the same`
        : `CLERK_PROXY_URL is a path (${value}) but the gateway's Frontend API proxy is off: set CLERK_FRONTEND_API_PROXY_PATH=${value} so the gateway serves it, or give the proxy's absolute URL`,
    );
  }
  return parsed.kind === 'path' ? path : value.replace(/\/+$/, '');
}

/** `CLERK_DOMAIN`: comma-separated host names. */
function domainsSetting(raw: string | undefined, problems: string[]): string[] | undefined {
  const value = present(raw);
  if (value === undefined) return undefined;
  const domains = value.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  for (const domain of domains) {
    if (!DOMAIN.test(domain)) problems.push(`CLERK_DOMAIN lists host names such as satellite.example.com (no scheme, port or path), got ${JSON.stringify(domain)}`);
  }
  return domains;
}

/** What a satellite needs: a way to its Frontend API, and its primary's sign-in page on another origin. */
function satelliteSetting(env: Env, proxyUrl: string | undefined, signInOrigin: string | undefined, problems: string[]): SatelliteSettings | undefined {
  const isSatellite = flag('CLERK_IS_SATELLITE', env.CLERK_IS_SATELLITE, false, problems);
  const domains = domainsSetting(env.CLERK_DOMAIN, problems);
  const autoSync = flag('CLERK_SATELLITE_AUTO_SYNC', env.CLERK_SATELLITE_AUTO_SYNC, false, problems);
  if (!isSatellite) {
    if (domains) problems.push('CLERK_DOMAIN is set but CLERK_IS_SATELLITE is not true: CLERK_DOMAIN names satellite domains; set CLERK_IS_SATELLITE=true, or unset CLERK_DOMAIN');
    if (present(env.CLERK_SATELLITE_AUTO_SYNC)) problems.push('CLERK_SATELLITE_AUTO_SYNC is set but CLERK_IS_SATELLITE is not true: set CLERK_IS_SATELLITE=true, or unset CLERK_SATELLITE_AUTO_SYNC');
    return undefined;
  }
  if (!domains && !proxyUrl) {
    problems.push('CLERK_IS_SATELLITE is true but neither CLERK_DOMAIN nor CLERK_PROXY_URL is set: set CLERK_DOMAIN to the satellite\'s domain (e.g. satellite.example.com), or CLERK_PROXY_URL (or CLERK_FRONTEND_API_PROXY_PATH) to its Frontend API proxy');
  }
  // Clerk signs a satellite's visitors in on the primary: an absolute URL on another origin (on
  // development instances the satellite also syncs through that page). A path would be the
  // satellite's own origin, which @clerk/backend throws on.
  if (signInOrigin === undefined) {
    problems.push('CLERK_IS_SATELLITE is true but CLERK_SIGN_IN_URL is not the primary\'s sign-in page: set it to an absolute URL on the primary domain, e.g. https://primary.example.com/sign-in');
  }
  return { domains, autoSync };
}

/**
 * Reads the multi-domain settings, adding a problem (naming the setting and the fix) for each
 * thing Clerk would throw on at request time, or that would send Clerk's own requests through
 * the route rules. `signInOrigin`: `CLERK_SIGN_IN_URL`'s origin when absolute (or the Account
 * Portal's when unset), undefined for a path. `ownPaths`: the gateway's own paths by setting name,
 * which the proxy must not cover.
 */
export function multiDomainSettings(env: Env, publishableKey: string | undefined, signInOrigin: string | undefined, ownPaths: Record<string, string>, problems: string[]): MultiDomainSettings {
  const frontendApiProxy = frontendApiProxySetting(env, publishableKey, problems);
  // The proxy is planned before sign-out and the routes: a path of the gateway's under it would be Clerk's.
  for (const [name, path] of Object.entries(ownPaths)) {
    if (frontendApiProxy && underProxyPath(path, frontendApiProxy.path)) {
      problems.push(`CLERK_FRONTEND_API_PROXY_PATH (${frontendApiProxy.path}) would serve ${name} (${path}) from Clerk's Frontend API: give the proxy a path of its own, such as /__clerk`);
    }
  }
  const proxyUrl = proxyUrlSetting(env.CLERK_PROXY_URL, frontendApiProxy, problems);
  const satellite = satelliteSetting(env, proxyUrl, signInOrigin, problems);
  return { frontendApiProxy, proxyUrl, satellite };
}

/** Whether `pathname` (as sent) is the proxy's path or under it: `@clerk/backend`'s `matchProxyPath`, without parsing the URL again. */
export function underProxyPath(pathname: string, proxyPath: string): boolean {
  return pathname === proxyPath || pathname.startsWith(`${proxyPath}/`);
}

/** The satellite domain `hostname` is or is under, if any (none when every host is a satellite: no domains). */
export function satelliteDomainOf(domains: readonly string[] | undefined, hostname: string): string | undefined {
  return domains?.find((domain) => hostname === domain || hostname.endsWith(`.${domain}`));
}

/**
 * Whether `target` (a URL or an origin) is on one of the satellites a primary sends the browser
 * back to (`domains`), over http(s): where Clerk's development sync may return, both as its
 * redirect and as `__clerk_redirect_url`.
 */
export function isSatelliteOrigin(domains: readonly string[] | undefined, target: string): boolean {
  if (!domains || !URL.canParse(target)) return false;
  const url = new URL(target);
  return /^https?:$/.test(url.protocol) && satelliteDomainOf(domains, url.hostname) !== undefined;
}
