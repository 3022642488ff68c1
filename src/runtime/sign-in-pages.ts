import type { GatewaySettings } from '../settings/settings';
import type { CompiledConfig, CompiledRoute } from '../config/types';
import { protectedFallback } from '../config/validate';
import { compilePattern } from '../routing/compile';

/**
 * Under `defaultPolicy: 'protect'`, the sign-in page and its task pages on the gateway's own host
 * (a path, or an absolute URL whose host the gateway serves) are public: after every rule, before
 * the default, so a rule that protects them is still reported as a sign-in loop.
 */
export function withSignInPublic(config: CompiledConfig, signIn: GatewaySettings['signIn']): CompiledConfig {
  if (config.defaultPolicy !== 'protect') return config;
  // Escaped: the path is literal text, not a pattern.
  const base = (signIn.path === '/' ? '' : signIn.path).replace(/[:*?+(){}\\]/g, '\\$&');
  // A sign-in page at "/" would make "/(.*)" public, the whole site: then only "/" and its task pages are.
  const patterns = base ? [base, `${base}/(.*)`] : ['/', '/tasks', '/tasks/(.*)'];
  const rule: CompiledRoute = {
    ...protectedFallback(),
    name: `sign-in pages (${base || '/'})`,
    patterns,
    regexps: patterns.map((p) => compilePattern(p)),
    protect: false,
    hosts: signIn.origin ? [new URL(signIn.origin).hostname] : undefined,
  };
  return { ...config, routes: [...config.routes, rule] };
}
