import type { GatewaySettings } from '../settings/settings';
import { OWN_PAGE_SETTINGS, type OwnPage } from '../settings/own-pages';
import type { CompiledConfig, CompiledRoute } from '../config/types';
import type { Policy } from '../policy/policy';
import type { OwnPages } from './sign-in-pages';
import { canonicalizePath } from '../request/canonicalize';
import { matchRoute } from '../routing/match';
import { pathReadings } from '../request/readings';

/** The page's host, or when it is on whichever host the gateway serves, every host a rule names and one none does. */
function hostsToTry(config: CompiledConfig, signIn: OwnPage): string[] {
  if (signIn.origin) return [new URL(signIn.origin).hostname];
  const named = config.routes.flatMap((route) => (route.hosts ?? []).map((host) => host.replace(/^\*\./, 'sub.')));
  return [...new Set(named), 'gateway.invalid'];
}

/**
 * The problem when a route protects the sign-in page or its task pages: wherever the gateway
 * serves them, a pending user would loop between the task page and the gateway. `undefined`
 * when the sign-in paths are public.
 */
export function signInLoopProblem(config: CompiledConfig, signIn: GatewaySettings['signIn']): string | undefined {
  const { path } = signIn;
  const base = path === '/' ? '' : path;
  const shown = `${signIn.origin ?? ''}${path}`;
  // At "/", sub-pages such as /factor-one are the site's own paths: only "/" and the task pages are checked.
  const pages = base ? [path, `${base}/`, `${base}/tasks`, `${base}/tasks/choose-organization`, `${base}/factor-one`] : ['/', '/tasks', '/tasks/choose-organization'];
  for (const candidate of pages) {
    const canonical = canonicalizePath(candidate);
    const route = canonical.ok ? hostsToTry(config, signIn).map((host) => matchRoute(config, pathReadings(canonical.path), { methods: ['GET'], host })).find((r) => r?.protect) : undefined;
    if (route?.protect) {
      // The first of the rules the policy stands for names it: the one the request is sent by, if protected.
      const { index } = route.rules[0] as CompiledRoute;
      const where = index === -1 ? `defaultPolicy 'protect'` : `route #${index + 1} (${route.name})`;
      return (
        `CLERK_SIGN_IN_URL ${shown}: its path ${candidate} is protected by ${where}; ` +
        `pending sessions would loop. Put { match: '${base}(.*)', protect: false } before that route.`
      );
    }
  }
  return undefined;
}

/** Where a rule is named in a problem: the first of the rules the policy stands for (the one the request is sent by, if protected). */
function ruleName(policy: Policy): string {
  const { index } = policy.rules[0] as CompiledRoute;
  return index === -1 ? `defaultPolicy 'protect'` : `route #${index + 1} (${policy.name})`;
}

/** The first of `pages` a route refuses to whom must reach it (`refuses`), on any host the page may be served on. */
function refusedPage(config: CompiledConfig, page: OwnPage, pages: readonly string[], refuses: (policy: Policy) => boolean): { candidate: string; policy: Policy } | undefined {
  for (const candidate of pages) {
    const canonical = canonicalizePath(candidate);
    if (!canonical.ok) continue;
    for (const host of hostsToTry(config, page)) {
      const policy = matchRoute(config, pathReadings(canonical.path), { methods: ['GET'], host });
      if (policy && refuses(policy)) return { candidate, policy };
    }
  }
  return undefined;
}

/**
 * The problems when a route keeps whoever is sent to the app's own pages from them: a protected
 * sign-up page (signed-out visitors cannot sign up), or a task page that counts pending sessions
 * as signed out (pending users would loop between it and the gateway). Each with its page's
 * origin (undefined: a path on the gateway's host, refused at startup; else checked per host).
 */
export function ownPageLoopProblems(config: CompiledConfig, pages: OwnPages): { origin: string | undefined; problem: string }[] {
  const checks = [
    { page: pages.signUp, setting: OWN_PAGE_SETTINGS.signUp.name, below: 'verify-email-address', consequence: 'signed-out visitors could not sign up', fix: 'protect: false', refuses: (policy: Policy) => policy.protect },
    {
      page: pages.tasks,
      setting: OWN_PAGE_SETTINGS.tasks.name,
      below: 'choose-organization',
      consequence: 'pending sessions would loop',
      fix: 'protect: { treatPendingAsSignedOut: false } (or protect: false)',
      refuses: (policy: Policy) => policy.protect && policy.treatPendingAsSignedOut,
    },
  ];
  return checks.flatMap(({ page, setting, below, consequence, fix, refuses }) => {
    if (!page) return [];
    const base = page.path === '/' ? '' : page.path;
    const found = refusedPage(config, page, base ? [page.path, `${base}/`, `${base}/${below}`] : ['/'], refuses);
    if (!found) return [];
    const problem = `${setting} ${page.origin ?? ''}${page.path}: its path ${found.candidate} is protected by ${ruleName(found.policy)}; ${consequence}. Put { match: '${base}(.*)', ${fix} } before that route.`;
    return [{ origin: page.origin, problem }];
  });
}
