import { buildAccountsBaseUrl } from '@clerk/shared/buildAccountsBaseUrl';

import { SITES_KEPT } from '../config/limits';
import type { GatewaySettings } from '../settings/settings';
import { BoundedMap } from './bounded-map';
import { siteClerkOptions, type SiteClerkOptions } from './site-clerk-options';

/**
 * What the gateway derives from the origin it is served on (`https://gateway.example`). A Worker
 * can be routed under several hosts, so this is derived once per host and kept, never per request.
 */
export interface Site {
  origin: string;
  /** The absolute sign-in URL. */
  signInUrl: string;
  /** Where pending sessions go: `CLERK_TASKS_URL`, or `<sign-in URL>/tasks`. */
  tasksUrl: string;
  /** Origins accepted in `azp`: `CLERK_AUTHORIZED_PARTIES`, or this origin. */
  authorizedParties: readonly string[];
  /**
   * Where a redirect `@clerk/backend` asks for may go: here, the Frontend API (and its proxy or a
   * satellite's), the Account Portal, the sign-in page; on a primary of satellites, also their hosts.
   */
  redirectOrigins: ReadonlySet<string>;
  /** `@clerk/backend`'s `iss` check and multi-domain options for this host (src/runtime/site-clerk-options.ts). */
  clerk: SiteClerkOptions;
  /**
   * Set when the sign-in page (or the app's own sign-up or task page) is served on this host and a
   * route protects its path: pending sessions would loop, so the gateway answers 500 here (the
   * message is in the log).
   */
  signInLoopProblem: string | undefined;
}

/** A loop problem of the sign-in page or one of the app's own pages at an absolute URL: it applies where the gateway serves that URL's host. */
export interface PageProblem {
  origin: string;
  problem: string;
}

function deriveSite(settings: GatewaySettings, pageProblems: readonly PageProblem[], origin: string): Site {
  const signInOrigin = settings.signIn.origin ?? origin;
  const signInUrl = `${signInOrigin}${settings.signIn.path}`;
  const clerk = siteClerkOptions(settings, origin, signInUrl);
  return {
    origin,
    signInUrl,
    tasksUrl: settings.tasks ? `${settings.tasks.origin ?? origin}${settings.tasks.path}` : `${signInUrl.replace(/\/+$/, '')}/tasks`,
    authorizedParties: settings.authorizedParties ?? [origin],
    redirectOrigins: new Set([origin, settings.issuer, buildAccountsBaseUrl(settings.frontendApi), signInOrigin, ...clerk.redirectOrigins]),
    clerk,
    signInLoopProblem: pageProblems.find((p) => new URL(p.origin).host === new URL(origin).host)?.problem,
  };
}

/** The sites of one runtime, derived on first use; the oldest is dropped past {@link SITES_KEPT}. */
export class Sites {
  private readonly sites = new BoundedMap<string, Site>({ maxEntries: SITES_KEPT });

  constructor(
    private readonly settings: GatewaySettings,
    /** Where a route protects the sign-in page or one of the app's own pages, served on a host of its own (src/runtime/routing-world.ts). */
    private readonly pageProblems: readonly PageProblem[] = [],
  ) {}

  get(origin: string): Site {
    let site = this.sites.get(origin);
    if (!site) {
      site = deriveSite(this.settings, this.pageProblems, origin);
      if (site.signInLoopProblem) console.error(`edge-auth-gateway: ${site.signInLoopProblem}`);
      this.sites.set(origin, site);
    }
    return site;
  }
}
