// `npm run routes -- explain | list` (src/explain/): the report and its text, from the gateway's own
// matching and decide(). The CLI (scripts/routes.mjs) only bundles these and prints the lines.
import { __experimental_JWTPayloadToAuthObjectProperties as authObjectProperties } from '@clerk/shared/jwtPayloadParser';
import { describe, expect, it } from 'vitest';

import { sessionAuthObject } from '../../../src/auth/auth-object';
import { parseSettings, type GatewaySettings } from '../../../src/settings/settings';
import type { GatewayConfig } from '../../../src/config/types';
import { validateConfig } from '../../../src/config/validate';
import { explain } from '../../../src/explain/explain';
import { listRoutes } from '../../../src/explain/list';
import { ExplainInputError, type ExplainRequest } from '../../../src/explain/report';
import { sessionClaims } from '../../../src/explain/session-claims';
import { formatExplain, formatList } from '../../../src/explain/format';
import { testEnv } from '../../helpers';

function settings(overrides: Record<string, string | undefined> = {}): GatewaySettings {
  const parsed = parseSettings({ ...testEnv, ORIGIN_URL: 'https://origin.example', ...overrides });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.settings;
}

function compile(config: GatewayConfig) {
  const result = validateConfig(config);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

function lines(config: GatewayConfig, request: ExplainRequest, overrides: Record<string, string | undefined> = {}): string[] {
  return formatExplain(explain(compile(config), settings(overrides), request));
}

const SIGN_IN = 'https://accounts.gateway.test/sign-in';

describe('routes explain', () => {
  const methodsAndHosts: GatewayConfig = {
    routes: [
      { match: '/api(.*)', methods: ['DELETE'], protect: true, name: 'deletes' },
      { match: '/api(.*)', hosts: ['admin.example.com'], protect: true, name: 'admin' },
      { match: '/billing(.*)', protect: true },
      { match: '/api(.*)', protect: false, name: 'public api' },
    ],
  };

  it('names each rule before the one that matched and why it did not apply: method, host, pattern', () => {
    expect(lines(methodsAndHosts, { method: 'get', url: 'https://app.example.com/api/users?x=1' })).toEqual([
      'GET https://app.example.com/api/users?x=1',
      'canonical path: /api/users',
      'readings: /api/users',
      'methods matched: GET',
      'rule: #4 "public api"',
      '  not #1 "deletes": method GET is not one of its methods (DELETE)',
      '  not #2 "admin": host app.example.com is not one of its hosts (admin.example.com)',
      '  not #3 "/billing(.*)": pattern does not match',
      'protect: public',
      'forwards to: https://origin.example/api/users?x=1',
      'signed-out:',
      '  page load: forward, X-Auth-Session-Status: signed-out',
      '  API call:  forward, X-Auth-Session-Status: signed-out',
      'pending: claims {"sts":"pending"}',
      '  page load: forward, X-Auth-Session-Status: signed-out',
      '  API call:  forward, X-Auth-Session-Status: signed-out',
      'active: claims {"sts":"active"}',
      '  page load: forward, X-Auth-Session-Status: active',
      '  API call:  forward, X-Auth-Session-Status: active',
    ]);
  });

  it('on the rule\'s host and method the earlier rule decides; a path alone is on a placeholder host', () => {
    const admin = lines(methodsAndHosts, { method: 'GET', url: 'https://ADMIN.example.com/api/users', states: ['signed-out'] });
    expect(admin).toContain('rule: #2 "admin"');
    expect(admin).toContain(`  page load: redirect 307 REDIRECT_SIGN_IN (no_credentials) to ${SIGN_IN}?redirect_url=https%3A%2F%2Fadmin.example.com%2Fapi%2Fusers`);
    expect(admin).toContain('  API call:  deny 401 ERR_UNAUTHENTICATED (no_credentials)');

    const deletes = lines(methodsAndHosts, { method: 'DELETE', url: '/api/users', states: ['signed-out'] });
    expect(deletes.slice(0, 2)).toEqual([
      'DELETE https://gateway.invalid/api/users',
      '  host gateway.invalid is a placeholder (a path was given); give a full URL to match rules with hosts',
    ]);
    expect(deletes).toContain('rule: #1 "deletes"');
    // A DELETE is no page load: a browser sends it as a form submission, which gets a 303.
    expect(deletes).toContain('  form submission: redirect 303 REDIRECT_SIGN_IN (no_credentials) to https://accounts.gateway.test/sign-in?redirect_url=https%3A%2F%2Fgateway.invalid%2F');

    // A POST is matched as every method a rule names; every protected rule met must let it through,
    // and it is sent by the rule for its own method.
    const post = lines(methodsAndHosts, { method: 'POST', url: '/api/users', states: ['signed-out'] });
    expect(post).toContain('methods matched: DELETE, (other)');
    expect(post).toContain('  /api/users (other): #4 "public api"');
    expect(post).toContain('rule: #4 "public api" (reading /api/users, method POST)');
    expect(post).toContain('rules met by the readings and methods: #1 "deletes", #4 "public api"; every protected one must let the request through');
    expect(post).toContain('  API call:        deny 401 ERR_UNAUTHENTICATED (no_credentials)');
  });

  const roles: GatewayConfig = {
    routes: [{ match: '/orgs/:org/settings(.*)', protect: { organizationParam: 'org', role: 'org:admin' }, name: 'org settings' }],
  };

  it('a role rule forwards the role it asks for, and refuses another with 403', () => {
    const admin = lines(roles, { method: 'GET', url: 'https://app.example.com/orgs/acme/settings', states: ['active'], session: { role: 'org:admin', orgSlug: 'acme' } });
    expect(admin).toEqual([
      'GET https://app.example.com/orgs/acme/settings',
      'canonical path: /orgs/acme/settings',
      'readings: /orgs/acme/settings',
      'methods matched: GET',
      'rule: #1 "org settings"',
      'protect: protected: organization = :org, role org:admin',
      'organization in the path (:org): acme',
      'forwards to: https://origin.example/orgs/acme/settings',
      'active: claims {"sts":"active","o":{"id":"org_explain","slg":"acme","rol":"admin"}}',
      '  page load: forward, X-Auth-Session-Status: active',
      '  API call:  forward, X-Auth-Session-Status: active',
    ]);

    const member = lines(roles, { method: 'GET', url: 'https://app.example.com/orgs/acme/settings', states: ['active'], session: { role: 'member', orgSlug: 'acme' } });
    expect(member.slice(-2)).toEqual(['  page load: deny 403 ERR_FORBIDDEN (role_required)', '  API call:  deny 403 ERR_FORBIDDEN (role_required)']);

    // The organization in the path is checked first.
    const other = lines(roles, { method: 'GET', url: 'https://app.example.com/orgs/other/settings', states: ['active'], session: { role: 'admin', orgSlug: 'acme' } });
    expect(other.slice(-1)).toEqual(['  API call:  deny 403 ERR_ORGANIZATION_MISMATCH (organization_mismatch)']);

    // No rule names methods: a POST is shown as sent, and a browser sends it as a form.
    const post = lines(roles, { method: 'POST', url: 'https://app.example.com/orgs/acme/settings', states: ['signed-out'] });
    expect(post).toContain('methods matched: POST');
    expect(post).toContain('  form submission: redirect 303 REDIRECT_SIGN_IN (no_credentials) to https://accounts.gateway.test/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2F');
  });

  it('a pending session goes to the task page, unless the rule lets pending sessions through', () => {
    const config: GatewayConfig = {
      routes: [
        { match: '/dashboard(.*)', protect: true },
        { match: '/account/status(.*)', protect: { treatPendingAsSignedOut: false } },
      ],
    };
    expect(lines(config, { method: 'GET', url: 'https://app.example.com/dashboard', states: ['pending'] }).slice(-3)).toEqual([
      'pending: claims {"sts":"pending"}',
      '  page load: redirect 307 REDIRECT_SESSION_TASK (session_pending) to https://accounts.gateway.test/sign-in/tasks?redirect_url=https%3A%2F%2Fapp.example.com%2Fdashboard',
      '  API call:  deny 401 ERR_SESSION_PENDING (session_pending)',
    ]);
    expect(lines(config, { method: 'GET', url: 'https://app.example.com/account/status', states: ['pending'] }).slice(-2)).toEqual([
      '  page load: forward, X-Auth-Session-Status: pending',
      '  API call:  forward, X-Auth-Session-Status: pending',
    ]);
  });

  it('a path the gateway refuses is a 400 before any rule', () => {
    expect(lines(methodsAndHosts, { method: 'GET', url: 'https://app.example.com/api/..%2f..%2fadmin' })).toEqual([
      'GET https://app.example.com/api/..%2f..%2fadmin',
      'refused before any rule: 400 ERR_PATH_ENCODED_SEPARATOR (The path has an encoded "/" or "\\".)',
    ]);
    expect(lines(methodsAndHosts, { method: 'GET', url: 'https://app.example.com/api/x;jsessionid=1' })).toContain(
      'refused before any rule: 400 ERR_PATH_PARAMETER (The path contains ";" path parameters.)',
    );
  });

  it('a rule that protects the sign-in page on the gateway\'s host: every request gets 500', () => {
    const report = explain(compile({ routes: [{ match: '/(.*)', protect: true }] }), settings({ CLERK_SIGN_IN_URL: '/sign-in' }), { method: 'GET', url: '/x' });
    expect(report.stop).toMatchObject({ status: 500, code: 'ERR_GATEWAY_MISCONFIGURED' });
    expect(formatExplain(report).at(-1)).toMatch(/^refused before any rule: 500 ERR_GATEWAY_MISCONFIGURED \(CLERK_SIGN_IN_URL \/sign-in: its path \/sign-in is protected by route #1/);
  });

  it('permissions are packed as Clerk packs them (per, fea, fpm) and read back by has()', () => {
    const flags = { permissions: ['org:invoices:manage', 'org:invoices:read', 'org:reports:read'], features: ['o:export', 'beta'], plans: ['org:pro'], fva: [3, -1] as const };
    const claims = sessionClaims(flags, 'active');
    expect(claims).toMatchObject({
      v: 2,
      // One fpm number per organization feature in fea, in order: export grants none, invoices
      // manage and read (bits 0 and 1), reports read (bit 1).
      o: { id: 'org_explain', per: 'manage,read', fpm: '0,3,2' },
      fea: 'o:export,o:invoices,o:reports,u:beta',
      pla: 'o:pro',
      fva: [3, -1],
    });
    expect([...(authObjectProperties(claims as Parameters<typeof authObjectProperties>[0]).orgPermissions ?? [])].sort()).toEqual([
      'org:invoices:manage',
      'org:invoices:read',
      'org:reports:read',
    ]);
    const auth = sessionAuthObject('explain', claims);
    expect(auth.has({ permission: 'org:invoices:manage' })).toBe(true);
    expect(auth.has({ permission: 'org:reports:manage' })).toBe(false);
    expect(auth.has({ feature: 'org:export' })).toBe(true);
    expect(auth.has({ feature: 'user:export' })).toBe(false);
    expect(auth.has({ feature: 'beta' })).toBe(true);
    expect(auth.has({ plan: 'o:pro' })).toBe(true);
    // fva [3, -1]: the first factor 3 minutes ago, no second factor (Clerk then asks the first).
    expect(auth.has({ reverification: 'strict' })).toBe(true);
    expect(auth.has({ reverification: { level: 'first_factor', afterMinutes: 2 } })).toBe(false);

    const config: GatewayConfig = { routes: [{ match: '/invoices(.*)', protect: { permission: 'org:invoices:manage' } }] };
    expect(lines(config, { method: 'GET', url: '/invoices', states: ['active'], session: { permissions: ['org:invoices:manage'] } }).slice(-3)).toEqual([
      'active: claims {"sts":"active","o":{"id":"org_explain","per":"manage","fpm":"1"},"fea":"o:invoices"}',
      '  page load: forward, X-Auth-Session-Status: active',
      '  API call:  forward, X-Auth-Session-Status: active',
    ]);
    expect(lines(config, { method: 'GET', url: '/invoices', states: ['active'], session: { permissions: ['org:invoices:read'] } }).at(-1)).toBe(
      '  API call:  deny 403 ERR_FORBIDDEN (permission_required)',
    );
  });

  it('bad input is an ExplainInputError (the CLI prints the usage)', () => {
    const config = compile(methodsAndHosts);
    expect(() => explain(config, settings(), { method: 'GET', url: 'api/x' })).toThrow(ExplainInputError);
    expect(() => explain(config, settings(), { method: 'GET', url: '/x', session: { permissions: ['invoices'] } })).toThrow(/--permission "invoices"/);
    expect(() => explain(config, settings(), { method: 'GET', url: '/x', session: { features: ['team:x'] } })).toThrow(/--feature "team:x"/);
  });
});

describe('routes list', () => {
  it('prints the rule table, the default policy and the sign-in pages rule', () => {
    const config = compile({
      defaultPolicy: 'protect',
      routes: [
        { match: ['/', '/pricing'], protect: false, name: 'marketing' },
        { match: '/admin(.*)', hosts: ['admin.example.com'], methods: ['get', 'POST'], protect: { role: 'org:admin', reverification: 'strict' }, unauthorizedUrl: '/no-access' },
        { match: '/api(.*)', protect: true, accept: ['api_key', 'm2m_token'], scopes: ['read'], onUnauthenticated: 'status', origin: { url: 'https://api.internal.example', stripPrefix: '/api' } },
      ],
    });
    expect(formatList(listRoutes(config, settings({ CLERK_SIGN_IN_URL: '/sign-in' })))).toEqual([
      '#     name                      patterns                 methods    hosts              protect                                                                                     accept                           origin                                     onUnauthenticated',
      '#1    marketing                 /, /pricing              any        any                public                                                                                      session_token                    ORIGIN_URL                                 -',
      '#2    /admin(.*)                /admin(.*)               GET, POST  admin.example.com  protected: role org:admin, reverification second_factor within 10 min, else 303 /no-access  session_token                    ORIGIN_URL                                 redirect',
      '#3    /api(.*)                  /api(.*)                 any        any                protected                                                                                   api_key, m2m_token; scopes read  https://api.internal.example (strip /api)  status',
      'auto  sign-in pages (/sign-in)  /sign-in, /sign-in/(.*)  any        any                public                                                                                      session_token                    ORIGIN_URL                                 -',
      "auto: the sign-in and task pages on the gateway's host are public under defaultPolicy 'protect' (tried after every rule)",
      'defaultPolicy: protect: a path no rule matches needs a signed-in, active session',
    ]);
  });

  it('without defaultPolicy protect there is no sign-in pages rule', () => {
    const list = formatList(listRoutes(compile({ routes: [{ match: '/dashboard(.*)', protect: true }] }), settings()));
    expect(list).toEqual([
      '#   name            patterns        methods  hosts  protect    accept         origin      onUnauthenticated',
      '#1  /dashboard(.*)  /dashboard(.*)  any      any    protected  session_token  ORIGIN_URL  redirect',
      'defaultPolicy: public: a path no rule matches is forwarded, signed out or with its identity',
    ]);
  });
});

describe('routes explain, several rules met', () => {
  it('a POST meeting the GET rule and the POST rule: both rules named, both conditions shown and applied', () => {
    const config: GatewayConfig = {
      routes: [
        { match: '/invoices(.*)', methods: ['GET'], protect: { permission: 'org:invoices:read' }, name: 'read' },
        { match: '/invoices(.*)', methods: ['POST', 'DELETE'], protect: { permission: 'org:invoices:manage' }, name: 'manage' },
      ],
    };
    const out = lines(config, { method: 'POST', url: 'https://app.example.com/invoices/1', states: ['active'], session: { permissions: ['org:invoices:read'] } });
    expect(out).toContain('rule: #2 "manage" (reading /invoices/1, method POST)');
    expect(out).toContain('rules met by the readings and methods: #1 "read", #2 "manage", no rule (public); every protected one must let the request through');
    expect(out).toContain('protect: protected: permission org:invoices:manage, permission org:invoices:read');
    expect(out).toContain('  API call:        deny 403 ERR_FORBIDDEN (permission_required)');
  });
});

describe('routes explain: the Frontend API proxy', () => {
  it('names the proxy as a gateway endpoint, before any rule, even under defaultPolicy protect', () => {
    const report = lines({ defaultPolicy: 'protect', routes: [] }, { method: 'POST', url: 'https://app.example.com/__clerk/v1/client' }, { CLERK_FRONTEND_API_PROXY_PATH: 'true' });
    expect(report).toContain('gateway endpoint: Clerk\'s Frontend API (CLERK_FRONTEND_API_PROXY_PATH /__clerk, forwarded to https://frontend-api.clerk.dev), never the origin, before any rule');
    expect(lines({ defaultPolicy: 'protect', routes: [] }, { method: 'POST', url: 'https://app.example.com/__clerk/v1/client' }).join('\n')).not.toContain('gateway endpoint');
  });
});
