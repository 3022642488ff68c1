// Route policies (issue 9): conditions read with Clerk's own has(), the organization in the URL,
// deny by default, methods and hosts per rule, several origins, and refusals a browser can live
// with. Every kind is tried on both sides (allowed and refused), as a browser and as an API.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import type { RouteRule } from '../../src/config/types';
import { captureConsole, GATEWAY, mintToken, nowSeconds, originSaw, refusalCode, scopedBackendApi, send, sessionCookie, SIGN_IN, testEnv } from '../helpers';

const ORG = { id: 'org_2abc', slg: 'acme' };

/** A v2 session token in organization acme with this role, these org permissions (of feature "invoices"), entitlements and factor ages. */
function orgToken(options: { rol?: string; per?: string; fpm?: string; fea?: string; pla?: string; fva?: [number, number]; sts?: string; org?: boolean } = {}) {
  const { rol = 'member', per, fpm, fea, pla, fva, sts, org = true } = options;
  return mintToken({
    claims: {
      ...(org ? { o: { ...ORG, rol, ...(per ? { per, fpm } : {}) } } : {}),
      ...(fea ? { fea } : {}),
      ...(pla ? { pla } : {}),
      ...(fva ? { fva } : {}),
      ...(sts ? { sts } : {}),
    },
  });
}

/**
 * The cookies of a browser holding this token. `__client_uat` well before the token's `iat`, so a
 * second ticking over between minting and sending never makes Clerk ask for a handshake.
 */
function cookieFor(token: string): string {
  return sessionCookie(token, nowSeconds() - 30);
}

function configWith(...routes: RouteRule[]) {
  return defineConfig({ routes });
}

/** The same request as an API call (bearer) and as a browser page load (cookie). */
async function both(path: string, config: ReturnType<typeof configWith>, token: string | undefined, extra: { env?: typeof testEnv } = {}) {
  const api = await send(path, { config, ...(token ? { bearer: token } : {}), ...extra });
  const page = await send(path, { config, navigate: true, ...(token ? { cookie: cookieFor(token) } : {}), ...extra });
  return { api, page };
}

async function expectForwarded(res: Response, status = 'active') {
  expect(res.status).toBe(200);
  const seen = await originSaw(res);
  expect(seen.headers['x-auth-session-status']).toBe(status);
  return seen;
}

/** A 403 from the gateway: JSON with the code for the API, an HTML page with it for the browser; the origin never reached. */
async function expectForbidden(pair: { api: Response; page: Response }, code: string, reason: string) {
  expect(pair.api.status).toBe(403);
  expect(pair.api.headers.get('content-type')).toContain('application/json');
  expect(pair.api.headers.get('x-auth-reason')).toBe(reason);
  const body = (await pair.api.json()) as { code: string; error: string };
  expect(body.code).toBe(code);
  expect(pair.page.status).toBe(403);
  expect(pair.page.headers.get('content-type')).toContain('text/html');
  expect(pair.page.headers.get('location')).toBeNull();
  // Never a dead end: the page offers a way on (home, unless it has a better one).
  expect(await pair.page.clone().text()).toMatch(/<a href="[^"]+">[^<]+<\/a>/);
  expect(await refusalCode(pair.page)).toBe(code);
  return body;
}

describe('conditions, read with Clerk has()', () => {
  const config = configWith(
    { match: '/admin(.*)', protect: { role: 'org:admin' } },
    { match: '/invoices(.*)', protect: { permission: 'org:invoices:manage' } },
    { match: '/export(.*)', protect: { feature: 'export' } },
    { match: '/org-export(.*)', protect: { feature: 'o:export' } },
    { match: '/pro(.*)', protect: { plan: 'u:pro' } },
    { match: '/billing(.*)', protect: { check: (auth) => auth.has({ role: 'org:admin' }) || auth.has({ role: 'org:billing' }) } },
    { match: '/both(.*)', protect: { role: 'org:admin', feature: 'export' } },
  );

  it('role: an admin passes as API and browser; a member gets 403 (never sign-in)', async () => {
    const admin = await both('/admin/users', config, await orgToken({ rol: 'admin' }));
    await expectForwarded(admin.api);
    await expectForwarded(admin.page);
    const member = await both('/admin/users', config, await orgToken({ rol: 'member' }));
    const page = await member.page.clone().text();
    const body = await expectForbidden(member, 'ERR_FORBIDDEN', 'role_required');
    expect(body.error).toBe('forbidden');
    expect(page).toContain('<a href="/">Go to the home page</a>');
  });

  it('role: no active organization is a 403; signed out is still 401 / sign-in', async () => {
    await expectForbidden(await both('/admin', config, await orgToken({ org: false })), 'ERR_FORBIDDEN', 'role_required');
    const out = await both('/admin', config, undefined);
    expect(out.api.status).toBe(401);
    expect(out.page.status).toBe(307);
    expect(out.page.headers.get('location')).toMatch(new RegExp(`^${SIGN_IN}`));
  });

  it('permission: packed per feature in the token, as Clerk packs it', async () => {
    const manager = await both('/invoices/7', config, await orgToken({ fea: 'o:invoices', per: 'manage,read', fpm: '1' }));
    await expectForwarded(manager.api);
    await expectForwarded(manager.page);
    const reader = await both('/invoices/7', config, await orgToken({ fea: 'o:invoices', per: 'manage,read', fpm: '2' }));
    await expectForbidden(reader, 'ERR_FORBIDDEN', 'permission_required');
  });

  it('feature: unscoped takes either scope; o: only the organization', async () => {
    await expectForwarded((await both('/export', config, await orgToken({ fea: 'u:export' }))).api);
    await expectForwarded((await both('/org-export', config, await orgToken({ fea: 'o:export' }))).page);
    await expectForbidden(await both('/org-export', config, await orgToken({ fea: 'u:export' })), 'ERR_FORBIDDEN', 'feature_required');
    await expectForbidden(await both('/export', config, await orgToken({ fea: 'u:other' })), 'ERR_FORBIDDEN', 'feature_required');
  });

  it('plan: u:pro', async () => {
    const pro = await both('/pro', config, await orgToken({ pla: 'u:pro' }));
    await expectForwarded(pro.api);
    await expectForwarded(pro.page);
    await expectForbidden(await both('/pro', config, await orgToken({ pla: 'o:pro' })), 'ERR_FORBIDDEN', 'plan_required');
  });

  it('check: a predicate over the auth object; only true passes', async () => {
    await expectForwarded((await both('/billing', config, await orgToken({ rol: 'billing' }))).api);
    await expectForwarded((await both('/billing', config, await orgToken({ rol: 'admin' }))).page);
    await expectForbidden(await both('/billing', config, await orgToken({ rol: 'member' })), 'ERR_FORBIDDEN', 'check_failed');
  });

  it('several conditions: all must pass', async () => {
    await expectForwarded((await both('/both', config, await orgToken({ rol: 'admin', fea: 'o:export' }))).api);
    await expectForbidden(await both('/both', config, await orgToken({ rol: 'admin' })), 'ERR_FORBIDDEN', 'feature_required');
    await expectForbidden(await both('/both', config, await orgToken({ rol: 'member', fea: 'o:export' })), 'ERR_FORBIDDEN', 'role_required');
  });

  it('a check that throws is a 500 and forwards nothing', async () => {
    const throwing = configWith({
      match: '/boom',
      protect: {
        check: () => {
          throw new Error('bug in check');
        },
      },
    });
    const errors = captureConsole('error');
    const res = await send('/boom', { config: throwing, bearer: await orgToken() });
    expect(res.status).toBe(500);
    expect(await refusalCode(res)).toBe('ERR_INTERNAL');
    expect(errors.text()).toContain('bug in check');
  });
});

describe('reverification', () => {
  const config = configWith(
    { match: '/settings/security(.*)', protect: { reverification: 'strict' } },
    { match: '/danger(.*)', protect: { reverification: { level: 'first_factor', afterMinutes: 5 } } },
  );

  it('strict: a second factor within 10 minutes passes', async () => {
    const fresh = await both('/settings/security', config, await orgToken({ fva: [30, 3] }));
    await expectForwarded(fresh.api);
    await expectForwarded(fresh.page);
  });

  it("strict: too old is a 403 in Clerk's reverification shape for APIs, an HTML page for browsers", async () => {
    const stale = await both('/settings/security', config, await orgToken({ fva: [30, 30] }));
    const body = await expectForbidden(stale, 'ERR_REVERIFICATION_REQUIRED', 'reverification_required');
    expect(body).toMatchObject({
      clerk_error: { type: 'forbidden', reason: 'reverification-error', metadata: { reverification: { level: 'second_factor', afterMinutes: 10 } } },
    });
  });

  it('a custom level and age', async () => {
    await expectForwarded((await both('/danger', config, await orgToken({ fva: [3, -1] }))).api);
    const old = await send('/danger', { config, bearer: await orgToken({ fva: [6, -1] }) });
    expect(old.status).toBe(403);
    expect(await old.json()).toMatchObject({ clerk_error: { metadata: { reverification: { level: 'first_factor', afterMinutes: 5 } } } });
    // No fva at all (a v1 token, or Clerk did not send it): fails closed.
    expect((await send('/danger', { config, bearer: await orgToken() })).status).toBe(403);
  });
});

describe('the organization in the URL', () => {
  const config = configWith(
    { match: '/orgs/:org/(.*)', protect: { organizationParam: 'org' } },
    { match: /^\/teams\/(?<team>[^/]+)(?:\/.*)?$/i, protect: { organizationParam: 'team', role: 'org:admin' } },
  );

  it('the active organization by slug (any case) or id passes', async () => {
    const token = await orgToken();
    await expectForwarded((await both('/orgs/acme/projects', config, token)).api);
    await expectForwarded((await both('/orgs/ACME/projects', config, token)).page);
    await expectForwarded((await both(`/orgs/${ORG.id}/projects`, config, token)).api);
  });

  it('another organization is 403 ERR_ORGANIZATION_MISMATCH; no active organization too', async () => {
    await expectForbidden(await both('/orgs/globex/projects', config, await orgToken()), 'ERR_ORGANIZATION_MISMATCH', 'organization_mismatch');
    await expectForbidden(await both('/orgs/acme/projects', config, await orgToken({ org: false })), 'ERR_ORGANIZATION_MISMATCH', 'organization_mismatch');
  });

  it('a RegExp named group, checked before the role', async () => {
    await expectForwarded((await both('/teams/acme/x', config, await orgToken({ rol: 'admin' }))).api);
    await expectForbidden(await both('/teams/globex/x', config, await orgToken({ rol: 'member' })), 'ERR_ORGANIZATION_MISMATCH', 'organization_mismatch');
    await expectForbidden(await both('/teams/acme/x', config, await orgToken({ rol: 'member' })), 'ERR_FORBIDDEN', 'role_required');
  });
});

describe('unauthorizedUrl', () => {
  const config = defineConfig({
    unauthorizedUrl: '/no-access',
    routes: [
      { match: '/admin(.*)', protect: { role: 'org:admin' } },
      { match: '/finance(.*)', protect: { role: 'org:finance' }, unauthorizedUrl: 'https://help.gateway.test/finance' },
    ],
  });

  it('a browser that fails a condition is sent there (303); an API still gets 403 JSON', async () => {
    const member = await both('/admin', config, await orgToken());
    expect(member.page.status).toBe(303);
    expect(member.page.headers.get('location')).toBe(`${GATEWAY}/no-access`);
    expect(member.page.headers.get('x-auth-reason')).toBe('role_required');
    expect(member.api.status).toBe(403);
    const finance = await send('/finance', { config, navigate: true, cookie: cookieFor(await orgToken()) });
    expect(finance.headers.get('location')).toBe('https://help.gateway.test/finance');
  });
});

describe('pending sessions with conditions', () => {
  it('treatPendingAsSignedOut: false lets a pending session be checked instead of sent to the tasks', async () => {
    const config = configWith({ match: '/setup(.*)', protect: { treatPendingAsSignedOut: false, role: 'org:admin' } });
    await expectForwarded(await send('/setup', { config, bearer: await orgToken({ rol: 'admin', sts: 'pending' }) }), 'pending');
    expect((await send('/setup', { config, bearer: await orgToken({ rol: 'member', sts: 'pending' }) })).status).toBe(403);
  });
});

describe('deny by default', () => {
  const config = defineConfig({
    defaultPolicy: 'protect',
    routes: [{ match: '/', protect: false }, { match: '/assets/(.*)', protect: false }],
  });

  it('a path no rule names needs a session; explicit public rules stay public', async () => {
    const out = await both('/anything/at/all', config, undefined);
    expect(out.api.status).toBe(401);
    expect(out.page.status).toBe(307);
    await expectForwarded((await both('/anything', config, await orgToken())).api);
    expect((await send('/assets/app.css', { config })).status).toBe(200);
    expect((await send('/', { config })).status).toBe(200);
  });

  it("the sign-in and task pages on the gateway's own host are public automatically", async () => {
    const env = { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in' };
    for (const path of ['/sign-in', '/sign-in/factor-one', '/sign-in/tasks/choose-organization']) {
      await expectForwarded(await send(path, { config, env, navigate: true }), 'signed-out');
    }
    const elsewhere = await send('/sign-inx', { config, env, navigate: true });
    expect(elsewhere.status).toBe(307);
    expect(elsewhere.headers.get('location')).toMatch(/^https:\/\/gateway\.test\/sign-in\?redirect_url=/);
  });
});

describe('methods and hosts', () => {
  const config = configWith(
    { match: '/items(.*)', methods: ['DELETE', 'PUT'], protect: true },
    { match: '/reports(.*)', methods: ['GET'], protect: true },
    { match: '/(.*)', hosts: ['admin.gateway.test', '*.internal.gateway.test'], protect: true },
  );

  it('a rule applies to its methods only; GET covers HEAD', async () => {
    expect((await send('/items/1', { config })).status).toBe(200);
    expect((await send('/items/1', { config, method: 'DELETE' })).status).toBe(401);
    expect((await send('/reports', { config, method: 'HEAD' })).status).toBe(401);
    // A write method no rule for the path names is matched as every method (issue 17): the GET rule counts.
    expect((await send('/reports', { config, method: 'PATCH' })).status).toBe(401);
    // A read a rule set does not list goes on to the next rule, as written.
    expect((await send('/items/1', { config, method: 'HEAD' })).status).toBe(200);
  });

  it('a POST may become any method at the origin (_method in the body): matched as every method', async () => {
    expect((await send('/items/1', { config, method: 'POST', body: '_method=DELETE', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(401);
  });

  it('method overrides in headers and the query are matched too', async () => {
    expect((await send('/items/1', { config, method: 'PATCH', headers: { 'x-http-method-override': 'DELETE' } })).status).toBe(401);
    expect((await send('/items/1?_method=put', { config, method: 'GET' })).status).toBe(401);
  });

  it('hosts: exact and *. subdomains, ignoring case; other hosts go on', async () => {
    expect((await send('/x', { config, origin: 'https://ADMIN.gateway.test' })).status).toBe(401);
    expect((await send('/x', { config, origin: 'https://a.b.internal.gateway.test' })).status).toBe(401);
    expect((await send('/x', { config, origin: 'https://internal.gateway.test' })).status).toBe(200);
    expect((await send('/x', { config })).status).toBe(200);
  });
});

describe('browser-friendly refusals', () => {
  const config = configWith({ match: '/app(.*)', protect: true }, { match: '/status-only(.*)', protect: true, onUnauthenticated: 'status' });
  const FORM = { method: 'POST', body: 'a=1', headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' } };

  it('a form submission signed out: 303 to sign-in, returning to the page the form was on', async () => {
    const res = await send('/app/save', { config, ...FORM, headers: { ...FORM.headers, referer: `${GATEWAY}/app/edit?id=3` } });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(SIGN_IN);
    expect(location.searchParams.get('redirect_url')).toBe(`${GATEWAY}/app/edit?id=3`);
  });

  it('a form submission with a foreign Referer returns to the site root, never elsewhere', async () => {
    const res = await send('/app/save', { config, ...FORM, headers: { ...FORM.headers, referer: 'https://evil.example/x' } });
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_url')).toBe(`${GATEWAY}/`);
  });

  it('a pending session submitting a form: 303 to the task page', async () => {
    const token = await orgToken({ sts: 'pending' });
    const res = await send('/app/save', { config, ...FORM, headers: { ...FORM.headers, cookie: cookieFor(token), referer: `${GATEWAY}/app` } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${SIGN_IN}/tasks\\?redirect_url=`));
  });

  it('a page load keeps 307 (method kept, as Clerk)', async () => {
    const res = await send('/app', { config, navigate: true });
    expect(res.status).toBe(307);
  });

  it('htmx: 401 with HX-Redirect to sign-in, returning to the current page', async () => {
    const res = await send('/app/fragment', { config, headers: { 'hx-request': 'true', 'hx-current-url': `${GATEWAY}/app/list` } });
    expect(res.status).toBe(401);
    const target = new URL(res.headers.get('hx-redirect')!);
    expect(`${target.origin}${target.pathname}`).toBe(SIGN_IN);
    expect(target.searchParams.get('redirect_url')).toBe(`${GATEWAY}/app/list`);
    // Without HX-Request it is a plain API 401.
    expect((await send('/app/fragment', { config })).headers.get('hx-redirect')).toBeNull();
  });

  it("onUnauthenticated: 'status': a browser gets a 401 page with a sign-in link, no redirect", async () => {
    const res = await send('/status-only', { config, navigate: true });
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain('data-code="ERR_UNAUTHENTICATED"');
    expect(html).toContain(`href="${SIGN_IN}?redirect_url=`);
    expect(html).not.toMatch(/clerk\.gateway\.test|127\.0\.0\.1|stack/i);
  });

  it("the gateway's own 400 and 502 are HTML for a browser, JSON for an API client", async () => {
    const bad = await send('/a%2Fb', { config, navigate: true });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/html');
    expect(bad.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await send('/a%2Fb', { config })).headers.get('content-type')).toContain('application/json');

    const down = configWith({ match: '/down(.*)', protect: false });
    const unreachable = () => Promise.reject(new TypeError('Network connection lost.'));
    const errors = captureConsole('error');
    const page = await send('/down', { config: down, navigate: true, fetch: unreachable });
    expect(page.status).toBe(502);
    expect(await refusalCode(page)).toBe('ERR_ORIGIN_UNREACHABLE');
    expect((await send('/down', { config: down, headers: { accept: 'application/json' }, fetch: unreachable })).headers.get('content-type')).toContain('application/json');
    expect(errors.calls().length).toBeGreaterThan(0);
  });
});

describe('CORS preflight', () => {
  const config = configWith({ match: '/api/open(.*)', protect: true, forwardPreflightsUnauthenticated: true }, { match: '/api(.*)', protect: true });
  const PREFLIGHT = { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } };

  it('forwardPreflightsUnauthenticated lets a preflight through signed out, credentials or not', async () => {
    await expectForwarded(await send('/api/open/x', { config, ...PREFLIGHT }), 'signed-out');
    const token = await orgToken();
    const seen = await expectForwarded(await send('/api/open/x', { config, ...PREFLIGHT, bearer: token }), 'signed-out');
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
  });

  it('any other OPTIONS, or a preflight elsewhere, is decided like any method', async () => {
    expect((await send('/api/open/x', { config, method: 'OPTIONS' })).status).toBe(401);
    expect((await send('/api/other', { config, ...PREFLIGHT })).status).toBe(401);
    await expectForwarded(await send('/api/open/x', { config, method: 'OPTIONS', bearer: await orgToken() }));
  });
});

describe('several origins', () => {
  it('a rule with its own origin URL, and a prefix stripped on whole segments', async () => {
    const config = configWith(
      { match: '/api/(.*)', protect: false, origin: { url: `${testEnv.ORIGIN_URL}/backend`, stripPrefix: '/api' } },
      { match: '/apix(.*)', protect: false, origin: { url: testEnv.ORIGIN_URL!, stripPrefix: '/api' } },
    );
    expect(new URL((await originSaw(await send('/api/users?x=1', { config }))).url, GATEWAY).pathname).toBe('/backend/users');
    expect(new URL((await originSaw(await send('/API/users', { config }))).url, GATEWAY).pathname).toBe('/backend/users');
    // "/apix" does not start with the segment "api": sent as it is.
    expect(new URL((await originSaw(await send('/apix/1', { config }))).url, GATEWAY).pathname).toBe('/apix/1');
  });

  it('a Service Binding origin gets the request with identity headers; the default origin does not', async () => {
    const received: Request[] = [];
    const env = {
      ...testEnv,
      BILLING: {
        // As a real Fetcher: fetch(input, init).
        fetch: async (input: RequestInfo, init?: RequestInit) => {
          received.push(new Request(input, init));
          return new Response('from billing', { status: 200 });
        },
      },
    } as unknown as typeof testEnv;
    const config = configWith({ match: '/billing/(.*)', protect: true, origin: { binding: 'BILLING', stripPrefix: '/billing' } });
    const res = await send('/billing/invoices', { config, env, bearer: await orgToken() });
    expect(await res.text()).toBe('from billing');
    expect(received).toHaveLength(1);
    expect(new URL(received[0]!.url).pathname).toBe('/invoices');
    expect(received[0]!.headers.get('x-auth-user-id')).toBe('user_1');
    // Signed out: never reaches the binding.
    expect((await send('/billing/invoices', { config, env })).status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it('a binding the Worker does not have: 500 for every request, the problem in the log naming the rule', async () => {
    const config = configWith({ match: '/billing/(.*)', protect: true, origin: { binding: 'NOPE' } });
    const errors = captureConsole('error');
    const res = await send('/billing/x', { config, env: { ...testEnv } });
    expect(res.status).toBe(500);
    expect(await refusalCode(res)).toBe('ERR_GATEWAY_MISCONFIGURED');
    expect(errors.text()).toMatch(/route #1 \(\/billing\/\(\.\*\)\): origin\.binding "NOPE" is not a Service Binding/);
  });
});

describe('methods and hosts, spelled otherwise', () => {
  const config = configWith({ match: '/items(.*)', methods: ['PATCH'], protect: true }, { match: '/(.*)', hosts: ['admin.gateway.test'], protect: true });

  it('a lower-case method is matched as its upper-case name', async () => {
    expect((await send('/items/1', { config, method: 'patch' })).status).toBe(401);
  });

  it('a host with a trailing dot is matched as the host', async () => {
    expect((await send('/x', { config, origin: 'https://admin.gateway.test.' })).status).toBe(401);
  });
});

describe('CORS preflight on a rule with methods', () => {
  it('a preflight is matched as the method it asks about', async () => {
    const config = configWith(
      { match: '/api(.*)', methods: ['POST', 'PUT'], protect: true, forwardPreflightsUnauthenticated: true },
      { match: '/api(.*)', methods: ['OPTIONS'], protect: true, forwardPreflightsUnauthenticated: true },
      { match: '/(.*)', protect: true },
    );
    const preflight = (method: string) => ({ method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': method } });
    await expectForwarded(await send('/api/x', { config, ...preflight('POST') }), 'signed-out');
    // Asking about a method the rule does not cover: the catch-all decides, and it takes no preflights.
    expect((await send('/api/x', { config, ...preflight('DELETE') })).status).toBe(401);
    // Issue 17: the OPTIONS the origin runs meets the catch-all too when no rule names OPTIONS; it takes no preflights.
    const unnamed = configWith({ match: '/api(.*)', methods: ['POST', 'PUT'], protect: true, forwardPreflightsUnauthenticated: true }, { match: '/(.*)', protect: true });
    expect((await send('/api/x', { config: unnamed, ...preflight('POST') })).status).toBe(401);
  });
});

describe('methods, hosts and origins as a browser sees them', () => {
  const config = configWith(
    { match: '/reports(.*)', methods: ['GET'], protect: true },
    { match: '/items(.*)', methods: ['DELETE'], protect: true },
    { match: '/(.*)', hosts: ['admin.gateway.test'], protect: true },
  );

  it('a page load under a GET rule is sent to sign-in; under a DELETE-only rule it is forwarded', async () => {
    const page = await send('/reports', { config, navigate: true });
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toMatch(new RegExp(`^${SIGN_IN}`));
    await expectForwarded(await send('/items', { config, navigate: true }), 'signed-out');
    await expectForwarded(await send('/reports', { config, navigate: true, cookie: cookieFor(await orgToken()) }));
  });

  it('a page load on a protected host is sent to sign-in; on another host it is forwarded', async () => {
    expect((await send('/x', { config, navigate: true, origin: 'https://admin.gateway.test' })).status).toBe(307);
    await expectForwarded(await send('/x', { config, navigate: true }), 'signed-out');
    await expectForwarded(await send('/x', { config, navigate: true, origin: 'https://admin.gateway.test', cookie: cookieFor(await mintToken({ claims: { azp: 'https://admin.gateway.test' } })) }));
  });

  it('a page load on a rule with its own origin: forwarded there signed in, sent to sign-in signed out', async () => {
    const routed = configWith({ match: '/api/(.*)', protect: true, origin: { url: `${testEnv.ORIGIN_URL}/backend`, stripPrefix: '/api' } });
    const seen = await expectForwarded(await send('/api/users', { config: routed, navigate: true, cookie: cookieFor(await orgToken()) }));
    expect(new URL(seen.url, GATEWAY).pathname).toBe('/backend/users');
    expect((await send('/api/users', { config: routed, navigate: true })).status).toBe(307);
  });
});

describe('one request meeting several rules: every protected one must let it through', () => {
  it('a POST (which _method can turn into a DELETE) meets the GET rule and the manage rule: both conditions', async () => {
    const config = configWith(
      { match: '/invoices(.*)', methods: ['GET'], protect: { permission: 'org:invoices:read' } },
      { match: '/invoices(.*)', methods: ['POST', 'PUT', 'DELETE'], protect: { permission: 'org:invoices:manage' } },
    );
    const reader = await orgToken({ fea: 'o:invoices', per: 'manage,read', fpm: '2' });
    const manager = await orgToken({ fea: 'o:invoices', per: 'manage,read', fpm: '3' });
    await expectForwarded(await send('/invoices/1', { config, bearer: reader }));
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await send('/invoices/1', { config, method, bearer: reader, body: method === 'POST' ? '_method=DELETE' : null });
      expect(res.status, method).toBe(403);
      expect(res.headers.get('x-auth-reason'), method).toBe('permission_required');
    }
    for (const method of ['GET', 'POST', 'DELETE']) await expectForwarded(await send('/invoices/1', { config, method, bearer: manager, body: method === 'POST' ? 'a=1' : null }));
  });

  it('with exclusive roles per method, a POST needs both: give such rules permissions instead', async () => {
    const config = configWith(
      { match: '/notes(.*)', methods: ['GET'], protect: { role: 'org:member' } },
      { match: '/notes(.*)', methods: ['POST'], protect: { role: 'org:admin' } },
    );
    expect((await send('/notes', { config, method: 'POST', bearer: await orgToken({ rol: 'member' }) })).status).toBe(403);
    expect((await send('/notes', { config, method: 'POST', bearer: await orgToken({ rol: 'admin' }) })).status).toBe(403);
  });

  it('scopes and accept combine: all scopes, only kinds every rule takes', async () => {
    const config = configWith(
      { match: '/api/reports(.*)', methods: ['GET'], protect: true, accept: ['api_key'], scopes: ['reports.read'] },
      { match: '/api/reports(.*)', methods: ['POST', 'DELETE'], protect: true, accept: ['api_key'], scopes: ['reports.write'] },
      { match: '/api/x(.*)', methods: ['GET'], protect: true, accept: ['session_token', 'api_key'] },
      { match: '/api/x(.*)', methods: ['POST'], protect: true },
    );
    const { env } = scopedBackendApi('combine');
    expect((await send('/api/reports/1', { config, env, method: 'POST', bearer: 'ak_valid_scopes_reports.read' })).status).toBe(403);
    expect((await send('/api/reports/1', { config, env, method: 'POST', bearer: 'ak_valid_scopes_reports.read~reports.write' })).status).toBe(200);
    expect((await send('/api/x', { config, env, method: 'POST', bearer: 'ak_valid_scopes_a' })).status).toBe(401);
    expect((await send('/api/x', { config, env, method: 'GET', bearer: 'ak_valid_scopes_a' })).status).toBe(200);
  });

  it('pending sessions are held back if any protected rule met holds them back', async () => {
    const config = configWith(
      { match: '/items(.*)', methods: ['GET'], protect: { role: 'org:admin', treatPendingAsSignedOut: false } },
      { match: '/items(.*)', methods: ['POST'], protect: true },
    );
    const pendingAdmin = await orgToken({ rol: 'admin', sts: 'pending' });
    await expectForwarded(await send('/items/1', { config, bearer: pendingAdmin }), 'pending');
    expect((await send('/items/1', { config, method: 'POST', bearer: pendingAdmin })).status).toBe(401);
  });

  it('readings of a path meet rules of different roles: both roles are required', async () => {
    const config = configWith({ match: '/admin(.*)', protect: { role: 'org:admin' } }, { match: '/(.*)', protect: { role: 'org:member' } });
    // Fullwidth "ａｄｍｉｎ": NFKC reads it as /admin, the decoded reading does not.
    const fullwidth = '/%EF%BD%81%EF%BD%84%EF%BD%8D%EF%BD%89%EF%BD%8E/users';
    expect((await send(fullwidth, { config, bearer: await orgToken({ rol: 'member' }) })).status).toBe(403);
    expect((await send('/admin/users', { config, bearer: await orgToken({ rol: 'member' }) })).status).toBe(403);
  });

  it("the request goes to its own method's origin", async () => {
    const config = configWith(
      { match: '/api/(.*)', methods: ['GET'], protect: false, origin: `${testEnv.ORIGIN_URL}/replica` },
      { match: '/api/(.*)', methods: ['POST'], protect: false, origin: `${testEnv.ORIGIN_URL}/writer` },
    );
    expect(new URL((await originSaw(await send('/api/x', { config, method: 'POST', body: 'a' }))).url, GATEWAY).pathname).toBe('/writer/api/x');
    expect(new URL((await originSaw(await send('/api/x', { config }))).url, GATEWAY).pathname).toBe('/replica/api/x');
  });
});

describe('review fixes', () => {
  it("a sign-in page at '/' under defaultPolicy 'protect' makes only '/' and its task pages public", async () => {
    const config = defineConfig({ defaultPolicy: 'protect', routes: [] });
    const env = { ...testEnv, CLERK_SIGN_IN_URL: '/' };
    expect((await send('/admin/secret', { config, env })).status).toBe(401);
    await expectForwarded(await send('/', { config, env, navigate: true }), 'signed-out');
    await expectForwarded(await send('/tasks/choose-organization', { config, env, navigate: true }), 'signed-out');
  });

  it('hosts: any number of trailing dots', async () => {
    const config = configWith({ match: '/(.*)', hosts: ['admin.gateway.test'], protect: true });
    expect((await send('/x', { config, origin: 'https://admin.gateway.test..' })).status).toBe(401);
  });

  it('organizationParam: a RegExp group that captures part of a segment names no organization', async () => {
    const config = configWith({ match: /^\/orgs\/(?<org>[a-z]+)/i, protect: { organizationParam: 'org' } });
    expect((await send('/orgs/acme-evil/x', { config, bearer: await orgToken() })).status).toBe(403);
    await expectForwarded(await send('/orgs/acme/x', { config, bearer: await orgToken() }));
  });

  it('unauthorizedUrl with white space or control characters is refused at start', () => {
    expect(() => defineConfig({ unauthorizedUrl: '/\t/evil.example', routes: [] })).toThrow(/config\.unauthorizedUrl must be/);
  });

  it('a preflight is forwarded without a body, and never past a rule the OPTIONS meets that takes no preflights', async () => {
    // Issue 17: a PUT rule that forwards preflights beside an admin rule the OPTIONS also meets: not forwarded.
    const admin = configWith({ match: '/api(.*)', methods: ['PUT'], protect: true, forwardPreflightsUnauthenticated: true }, { match: '/(.*)', protect: { role: 'org:admin' } });
    expect((await send('/api/x', { config: admin, method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' } })).status).toBe(401);
    const config = configWith({ match: '/api(.*)', protect: true, forwardPreflightsUnauthenticated: true }, { match: '/(.*)', protect: { role: 'org:admin' } });
    const seen = await expectForwarded(
      await send('/api/x', { config, method: 'OPTIONS', body: 'smuggled', headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' } }),
      'signed-out',
    );
    expect(seen.body).toBe('');
  });
});

describe('second review: requests dressed as preflights, pending sessions across rules', () => {
  const dressed = (asked: string) => ({ origin: 'https://evil.example', 'access-control-request-method': asked });

  it('an OPTIONS dressed as a preflight for a public GET still meets the rule that protects OPTIONS', async () => {
    const config = configWith({ match: '/api/posts(.*)', methods: ['GET'], protect: false }, { match: '/api/(.*)', protect: true });
    const probe = await send('/api/posts/1', { config, method: 'OPTIONS', body: 'payload', headers: dressed('GET') });
    expect(probe.status).toBe(401);
    expect((await send('/api/posts/1', { config, method: 'OPTIONS' })).status).toBe(401);
  });

  it('and a member cannot skip the role the OPTIONS rule requires by asking about GET', async () => {
    const config = configWith({ match: '/api/(.*)', methods: ['GET'], protect: true }, { match: '/api/(.*)', protect: { role: 'org:admin' } });
    const res = await send('/api/x?_method=DELETE', { config, method: 'OPTIONS', headers: dressed('GET'), bearer: await orgToken({ rol: 'member' }) });
    expect(res.status).toBe(403);
  });

  it("a pending session is held back when any rule met, a public one included, would treat it as signed out", async () => {
    const config = configWith({ match: '/p/(.*)', methods: ['GET'], protect: false }, { match: '/p/(.*)', methods: ['DELETE'], protect: { treatPendingAsSignedOut: false } });
    const pending = await orgToken({ sts: 'pending' });
    await expectForwarded(await send('/p/x', { config, bearer: pending }), 'signed-out');
    const dressedUp = await send('/p/x?_method=DELETE', { config, bearer: pending });
    expect(dressedUp.status).toBe(401);
    expect(await refusalCode(dressedUp)).toBe('ERR_SESSION_PENDING');
  });

  it('rules met that share no kind of token refuse every credential (documented: give the machine rule no methods)', async () => {
    const config = configWith({ match: '/api/(.*)', methods: ['POST'], protect: true, accept: ['api_key'] }, { match: '/(.*)', protect: true });
    const { env } = scopedBackendApi('disjoint');
    expect((await send('/api/x', { config, env, method: 'POST', bearer: 'ak_valid_scopes_a' })).headers.get('x-auth-reason')).toBe('token_kind_not_accepted');
    const fixed = configWith({ match: '/api/(.*)', protect: true, accept: ['api_key'] }, { match: '/(.*)', protect: true });
    expect((await send('/api/x', { config: fixed, env, method: 'POST', bearer: 'ak_valid_scopes_a' })).status).toBe(200);
  });
});
