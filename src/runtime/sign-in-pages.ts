import type { GatewaySettings } from '../settings/settings';
import type { OwnPage } from '../settings/own-pages';
import type { CompiledConfig, CompiledRoute } from '../config/types';
import { protectedFallback } from '../config/validate';
import { compilePattern } from '../routing/compile';

/** The pages a signed-out or pending browser is sent to or passes through: sign-in, and the app's own sign-up and task pages when set. */
export type OwnPages = Pick<GatewaySettings, 'signIn' | 'signUp' | 'tasks'>;

/** A page's patterns: the page and every path under it (Clerk's components route below it: /sign-up/verify-email-address, /tasks/…). */
function pagePatterns(page: OwnPage, isSignIn: boolean): string[] {
  // Escaped: the path is literal text, not a pattern.
  const base = (page.path === '/' ? '' : page.path).replace(/[:*?+(){}\\]/g, '\\$&');
  if (base) return [base, `${base}/(.*)`];
  // A page at "/" would make "/(.*)" public, the whole site: then only "/" (and the sign-in page's task pages) are.
  return isSignIn ? ['/', '/tasks', '/tasks/(.*)'] : ['/'];
}

/** One public rule for the pages served on one host (`undefined`: whichever host the gateway is served on). */
function publicRule(pages: readonly OwnPage[], patterns: string[], origin: string | undefined): CompiledRoute {
  return {
    ...protectedFallback(),
    name: `sign-in pages (${pages.map((p) => p.path).join(', ')})`,
    patterns,
    regexps: patterns.map((p) => compilePattern(p)),
    protect: false,
    hosts: origin ? [new URL(origin).hostname] : undefined,
  };
}

/**
 * Under `defaultPolicy: 'protect'`, the sign-in page and its task pages, and the app's own sign-up
 * and task pages (`CLERK_SIGN_UP_URL`, `CLERK_TASKS_URL`), on the gateway's own host (a path, or
 * an absolute URL whose host the gateway serves) are public: after every rule, before the default,
 * so a rule that protects them is still reported as a loop. One rule per host the pages are on.
 */
export function withSignInPublic(config: CompiledConfig, pages: OwnPages): CompiledConfig {
  if (config.defaultPolicy !== 'protect') return config;
  const byHost = new Map<string | undefined, { pages: OwnPage[]; patterns: string[] }>();
  const all: [OwnPage | undefined, boolean][] = [[pages.signIn, true], [pages.signUp, false], [pages.tasks, false]];
  for (const [page, isSignIn] of all) {
    if (!page) continue;
    const key = page.origin && new URL(page.origin).hostname;
    const group = byHost.get(key) ?? { pages: [], patterns: [] };
    group.pages.push(page);
    group.patterns.push(...pagePatterns(page, isSignIn).filter((p) => !group.patterns.includes(p)));
    byHost.set(key, group);
  }
  const rules = [...byHost.values()].map((group) => publicRule(group.pages, group.patterns, group.pages[0]?.origin));
  return { ...config, routes: [...config.routes, ...rules] };
}
