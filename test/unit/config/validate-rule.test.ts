// Validation of the route-policy options: every problem at once, each naming the rule and field,
// with the fix in the message.
import { describe, expect, it } from 'vitest';

import { validateConfig } from '../../../src/config/validate';

function problems(config: unknown): string[] {
  const result = validateConfig(config);
  return result.ok ? [] : result.problems;
}

describe('route policy validation', () => {
  it('lists every problem of a config at once, naming the rule and the field', () => {
    const found = problems({
      defaultPolicy: 'deny',
      unauthorizedUrl: '//evil.example',
      routes: [
        { match: '/admin(.*)', protect: { role: 'admin', permission: 'invoices.manage', feature: 'x:y', plan: '' } },
        { match: '/orgs/:org/(.*)', protect: { organizationParam: 'slug', reverification: 'paranoid' } },
        { match: '/a', protect: { reverification: { level: 'third_factor', afterMinutes: 0, extra: 1 } } },
        { match: '/b', protect: true, hosts: ['https://app.example.com', 'app.example.com:8443', 'a.*.example.com', 'ok.example.com'] },
        { match: '/c', protect: true, methods: [], onUnauthenticated: 'login', forwardPreflightsUnauthenticated: 'yes' },
        { match: '/d', protect: { role: 'org:admin' }, accept: ['session_token', 'api_key'] },
        { match: '/e', protect: true, unauthorizedUrl: '/nope' },
        { match: '/f', protect: false, origin: { url: 'https://x.example', binding: 'X' } },
        { match: '/g', protect: false, origin: { binding: 'not a name', stripPrefix: 'api' } },
        { match: '/h', protect: false, origin: 'https://x.example/?q=1' },
        { match: '/i', protect: { check: 'admins only' } },
      ],
    });
    const expected = [
      "config.defaultPolicy must be 'public' or 'protect', got \"deny\"",
      'config.unauthorizedUrl must be an absolute http(s) URL or a path starting with "/"',
      'route #1 ("/admin(.*)"): protect.role must be an organization role key like "org:admin"',
      'route #1 ("/admin(.*)"): protect.permission must look like "org:invoices:manage"',
      'route #1 ("/admin(.*)"): protect.feature must be a key, optionally scoped',
      'route #1 ("/admin(.*)"): protect.plan must be a key',
      'route #2 ("/orgs/:org/(.*)"): protect.reverification must be strict_mfa, strict, moderate, lax or { level, afterMinutes }',
      'route #2 ("/orgs/:org/(.*)"): protect.organizationParam "slug" is not a parameter of every pattern in match',
      'route #3 ("/a"): protect.reverification.extra is not an option',
      'route #3 ("/a"): protect.reverification.level must be one of first_factor, second_factor, multi_factor',
      'route #3 ("/a"): protect.reverification.afterMinutes must be a number of minutes above 0',
      'route #4 ("/b"): hosts has "https://app.example.com", which can never match a request\'s host (a host name, not a URL)',
      'route #4 ("/b"): hosts has "app.example.com:8443", which can never match a request\'s host (no port)',
      'route #4 ("/b"): hosts has "a.*.example.com", which can never match a request\'s host ("*." only at the start)',
      'route #5 ("/c"): methods must be a non-empty list of HTTP methods',
      "route #5 (\"/c\"): onUnauthenticated must be 'redirect' or 'status'",
      'route #5 ("/c"): forwardPreflightsUnauthenticated must be true or false',
      "route #6 (\"/d\"): protect's conditions (role, permission, feature, plan, reverification, organizationParam, check) need a user session",
      'route #7 ("/e"): unauthorizedUrl is used only when a condition of protect fails',
      'route #8 ("/f"): origin needs exactly one of url and binding',
      'route #9 ("/g"): origin.stripPrefix must be a plain path like "/api"',
      'route #9 ("/g"): origin.binding must be the name of a Service Binding',
      'route #10 ("/h"): origin must be an absolute http(s) URL without query',
      'route #11 ("/i"): protect.check must be a function (auth) => boolean',
    ];
    for (const start of expected) expect(found.some((p) => p.startsWith(start)), `${start}\n in:\n${found.join('\n')}`).toBe(true);
    expect(found).toHaveLength(expected.length);
  });

  it('compiles what it accepts: presets expanded, methods upper-cased with HEAD, hosts lower-cased, prefix segments', () => {
    const result = validateConfig({
      defaultPolicy: 'protect',
      routes: [
        { match: '/orgs/:org/(.*)', protect: { role: 'org:admin', reverification: 'moderate', organizationParam: 'org', feature: 'o:export', plan: 'user:pro' } },
        { match: '/x', protect: false, methods: ['get', 'Put'], hosts: ['App.Example.com', '*.example.com'], origin: { url: 'https://api.internal/v1/', stripPrefix: '/API/v2/' } },
      ],
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const [orgs, x] = result.config.routes;
    expect(orgs!.conditions).toMatchObject({ role: 'org:admin', organizationParam: 'org', reverification: { level: 'second_factor', afterMinutes: 60 } });
    expect([...x!.methods!].sort()).toEqual(['GET', 'HEAD', 'PUT']);
    expect(x!.hosts).toEqual(['app.example.com', '*.example.com']);
    expect(x!.origin).toEqual({ kind: 'url', base: 'https://api.internal/v1', stripPrefix: ['api', 'v2'] });
    expect(result.config.fallback?.protect).toBe(true);
    expect(result.config.methodsUsed).toContain('PUT');
  });
});

describe('public POST rules under deny by default', () => {
  it("are refused with the fix: a POST meets the protected methods too", () => {
    const result = validateConfig({ defaultPolicy: 'protect', routes: [{ match: '/webhooks/(.*)', methods: ['POST'], protect: false }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/^route #1 \("\/webhooks\/\(\.\*\)"\): methods lists POST on a public rule under defaultPolicy 'protect'.*Drop methods/);
    expect(validateConfig({ defaultPolicy: 'protect', routes: [{ match: '/webhooks/(.*)', protect: false }] }).ok).toBe(true);
    expect(validateConfig({ defaultPolicy: 'protect', routes: [{ match: '/docs/(.*)', methods: ['GET'], protect: false }] }).ok).toBe(true);
  });
});
