import type { GatewaySettings } from '../settings/settings';
import { satelliteDomainOf } from '../settings/multi-domain';

/** `authenticateRequest`'s multi-domain options, as `clerkMiddleware` passes them. */
export interface ClerkMultiDomainOptions {
  /** Absolute: a path setting is resolved against the host, as `@clerk/backend` would. */
  proxyUrl?: string;
  isSatellite?: boolean;
  domain?: string;
  signInUrl?: string;
  satelliteAutoSync?: boolean;
}

/** What one host asks `@clerk/backend` with, beyond the settings every host shares. */
export interface SiteClerkOptions {
  /**
   * The `iss` of this instance's session tokens on this host, as `@clerk/backend` 3.25 reads it
   * (`originalFrontendApi`, "for issuer checking"): the publishable key's Frontend API, or on a
   * production satellite its own (`https://clerk.<domain>`). A proxy does not change it. The
   * gateway's own checks (and its cache) accept only this one.
   */
  tokenIssuer: string;
  /**
   * What `authenticateRequest` checks `iss` against: `tokenIssuer`, and with a proxy its URL too
   * (Clerk's Go SDK expects `iss` to be the proxy URL). Such a token is always Clerk's to decide:
   * on the cookie path Clerk reads it as another instance's (suffixed cookies), as
   * `clerkMiddleware` does. A plain string when it is the only one.
   */
  issuer: string | string[];
  /** Spread into `authenticateRequest`'s options; `undefined` when no proxy or satellite setting applies here. */
  multiDomain: ClerkMultiDomainOptions | undefined;
  /** This host is a satellite: Clerk may sync its navigations from the primary, so they are always Clerk's to answer. */
  satellite: boolean;
  /** Origins Clerk may redirect to from here beyond the shared ones: the proxy's, a satellite's Frontend API. */
  redirectOrigins: string[];
  /**
   * On a primary serving satellites: the satellite domains Clerk (development) sends the browser
   * back to after a sync (`__clerk_redirect_url`). `undefined` elsewhere.
   */
  satelliteDomains: readonly string[] | undefined;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * The multi-domain options for the host at `origin`. A host is a satellite when CLERK_IS_SATELLITE
 * is true and it is under one of CLERK_DOMAIN's domains (every host, without CLERK_DOMAIN), but
 * never the host of the sign-in page: that is the primary's (Clerk requires the satellite's
 * sign-in page on another origin).
 */
export function siteClerkOptions(settings: GatewaySettings, origin: string, signInUrl: string): SiteClerkOptions {
  const { proxyUrl, satellite, issuer, instanceType } = settings;
  if (!proxyUrl && !satellite) return { tokenIssuer: issuer, issuer, multiDomain: undefined, satellite: false, redirectOrigins: [], satelliteDomains: undefined };
  const hostname = new URL(origin).hostname;
  const domain = satellite ? satelliteDomainOf(satellite.domains, hostname) : undefined;
  const isSatellite = !!satellite && (satellite.domains === undefined || domain !== undefined) && originOf(signInUrl) !== origin;
  const absoluteProxyUrl = proxyUrl?.startsWith('/') ? `${origin}${proxyUrl}` : proxyUrl;
  // A production satellite's Frontend API (@clerk/shared's parsePublishableKey with `domain`).
  const satelliteFrontendApi = isSatellite && domain && instanceType === 'production' ? `https://clerk.${domain}` : undefined;
  const tokenIssuer = satelliteFrontendApi ?? issuer;
  const redirectOrigins = [absoluteProxyUrl && originOf(absoluteProxyUrl), satelliteFrontendApi].filter((o): o is string => !!o);
  const multiDomain: ClerkMultiDomainOptions = {
    ...(absoluteProxyUrl ? { proxyUrl: absoluteProxyUrl } : {}),
    ...(isSatellite ? { isSatellite, signInUrl, satelliteAutoSync: satellite?.autoSync ?? false, ...(domain ? { domain } : {}) } : {}),
  };
  return {
    tokenIssuer,
    issuer: absoluteProxyUrl && absoluteProxyUrl !== tokenIssuer ? [tokenIssuer, absoluteProxyUrl] : tokenIssuer,
    multiDomain,
    satellite: isSatellite,
    redirectOrigins,
    satelliteDomains: !isSatellite ? satellite?.domains : undefined,
  };
}
