// The path the origin will route is one more reading (src/routing/origin-paths.ts): a rule that
// forwards to an origin other rules also reach, through stripPrefix or a base path, cannot be used
// to reach a handler its direct path is refused. And the assertion's audience is the origin's own
// (src/proxy/audience.ts): a Service Binding's assertion never verifies at ORIGIN_URL.
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { parseSettings } from '../../src/settings/settings';
import { explain } from '../../src/explain/explain';
import type { RouteRule } from '../../src/config/types';
import type { Env } from '../../src/env';
import { JWKS_PATH } from '../../src/proxy/assertion';
import { GATEWAY, mintToken, newProbe, originCount, originSaw, refusalCode, send, testEnv } from '../helpers';

const ORIGIN = `http://127.0.0.1:${testEnv.TEST_ORIGIN_PORT}`;
const ORG = { id: 'org_1', slg: 'acme' };
const member = () => mintToken({ claims: { o: { ...ORG, rol: 'member' } } });
const admin = () => mintToken({ claims: { o: { ...ORG, rol: 'admin' } } });

/** A Service Binding in front of the real origin: what it receives is fetched there, path and all. */
function bindingToOrigin(seen: string[] = []): Fetcher {
  return {
    fetch: async (input: RequestInfo, init?: RequestInit) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      seen.push(url.pathname);
      return fetch(`${ORIGIN}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, redirect: 'manual' });
    },
  } as unknown as Fetcher;
}

async function refused(res: Response, status: number, code: string, probe: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(await refusalCode(res)).toBe(code);
  expect(await originCount(probe)).toBe(0);
}

describe('an alias through stripPrefix meets the rules of the path the origin routes', () => {
  const routes: RouteRule[] = [
    { match: '/admin(.*)', protect: { role: 'org:admin' } },
    { match: '/legacy(.*)', protect: true, origin: { url: ORIGIN, stripPrefix: '/legacy' } },
    // The origin's own base path makes an alias too: /panel/users is routed as /admin/users.
    { match: '/panel(.*)', protect: true, origin: { url: `${ORIGIN}/admin`, stripPrefix: '/panel' } },
  ];
  const config = defineConfig({ routes });

  it('GET /legacy/admin/users: 403 for a member, as GET /admin/users is; nothing reaches the origin', async () => {
    for (const path of ['/admin/users', '/legacy/admin/users', '/LEGACY/Admin/users', '/legacy/%61dmin/users', '/panel/users', '/panel']) {
      const probe = newProbe('alias');
      await refused(await send(path, { config, bearer: await member(), probe }), 403, 'ERR_FORBIDDEN', probe);
    }
    const probe = newProbe('alias');
    await refused(await send('/legacy/admin/users', { config, probe }), 401, 'ERR_UNAUTHENTICATED', probe);
  });

  it('routes explain runs the same plan: a member is refused on the alias, an admin forwarded', () => {
    const parsed = parseSettings(testEnv);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const api = (role: string) =>
      explain(config, parsed.settings, { method: 'GET', url: '/legacy/admin/users', states: ['active'], session: { role } }).decisions[0]!.rows.find((r) => r.client === 'api')!.outcome;
    expect(api('org:member')).toMatchObject({ kind: 'deny', status: 403 });
    expect(api('org:admin')).toMatchObject({ kind: 'forward' });
  });

  it('an admin still gets through the alias, forwarded as /admin/users; other legacy paths stay as the rule says', async () => {
    expect((await originSaw(await send('/legacy/admin/users?x=1', { config, bearer: await admin() }))).url).toBe('/admin/users?x=1');
    expect((await originSaw(await send('/panel/users', { config, bearer: await admin() }))).url).toBe('/admin/users');
    expect((await originSaw(await send('/legacy/reports', { config, bearer: await member() }))).url).toBe('/reports');
  });

  it('a direct path is decided by its own rules: a protected alias mount does not close the public site behind it', async () => {
    const mounted = defineConfig({
      routes: [
        { match: '/admin(.*)', protect: { role: 'org:admin' } },
        { match: '/legacy(.*)', protect: true, origin: { url: ORIGIN, stripPrefix: '/legacy' } },
      ],
    });
    expect((await originSaw(await send('/about', { config: mounted }))).url).toBe('/about');
    const probe = newProbe('alias');
    await refused(await send('/legacy/about', { config: mounted, probe }), 401, 'ERR_UNAUTHENTICATED', probe);
  });

  it('two rules on one Service Binding: the alias is refused like the direct path', async () => {
    const seen: string[] = [];
    const env = { ...testEnv, BILLING: bindingToOrigin(seen) } as unknown as Env;
    const bound = defineConfig({
      routes: [
        { match: '/svc/admin(.*)', protect: { role: 'org:admin' }, origin: { binding: 'BILLING', stripPrefix: '/svc' } },
        { match: '/svc2(.*)', protect: true, origin: { binding: 'BILLING', stripPrefix: '/svc2' } },
      ],
    });
    expect((await send('/svc2/admin/x', { config: bound, env, bearer: await member() })).status).toBe(403);
    expect((await send('/svc2/other', { config: bound, env, bearer: await member() })).status).toBe(200);
    expect((await send('/svc2/admin/x', { config: bound, env, bearer: await admin() })).status).toBe(200);
    expect(seen).toEqual(['/other', '/admin/x']);
  });
});

describe('the assertion audience is per origin', () => {
  async function signingEnv(extra: Record<string, unknown> = {}): Promise<{ env: Env; keys: { keys: JWK[] } }> {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const env = { ...testEnv, GATEWAY_SIGNING_KEY: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'alias-k' }), ...extra } as unknown as Env;
    return { env, keys: (await (await send(JWKS_PATH, { env })).json()) as { keys: JWK[] } };
  }
  const verifyAt = (assertion: string, keys: { keys: JWK[] }, audience: string) =>
    jwtVerify(assertion, createLocalJWKSet(keys), { issuer: GATEWAY, audience, algorithms: ['ES256'] });

  it('a Service Binding rule signs for binding:<name>, and its assertion never verifies at ORIGIN_URL', async () => {
    const { env: base, keys } = await signingEnv();
    const env = { ...base, BILLING: bindingToOrigin() } as unknown as Env;
    const config = defineConfig({ routes: [{ match: '/billing(.*)', protect: true, origin: { binding: 'BILLING', stripPrefix: '/billing' } }] });
    const assertion = (await originSaw(await send('/billing/x', { config, env, bearer: await member() }))).headers['x-auth-assertion'] as string;
    expect((await verifyAt(assertion, keys, 'binding:BILLING')).payload.aud).toBe('binding:BILLING');
    await expect(verifyAt(assertion, keys, ORIGIN)).rejects.toThrow(/aud/);
    // ORIGIN_URL's own requests still carry its audience.
    const direct = (await originSaw(await send('/dashboard', { config, env, bearer: await member() }))).headers['x-auth-assertion'] as string;
    expect((await verifyAt(direct, keys, ORIGIN)).payload.aud).toBe(ORIGIN);
  });

  it('ASSERTION_AUDIENCE names ORIGIN_URL\'s audience only: a rule on another origin keeps its own', async () => {
    const { env, keys } = await signingEnv({ ASSERTION_AUDIENCE: 'https://api.internal.example' });
    const other = `http://localhost:${testEnv.TEST_ORIGIN_PORT}`;
    const config = defineConfig({ routes: [{ match: '/other(.*)', protect: false, origin: { url: other, stripPrefix: '/other' } }] });
    const there = (await originSaw(await send('/other/x', { config, env }))).headers['x-auth-assertion'] as string;
    expect((await verifyAt(there, keys, other)).payload.aud).toBe(other);
    await expect(verifyAt(there, keys, 'https://api.internal.example')).rejects.toThrow(/aud/);
    const here = (await originSaw(await send('/x', { config, env }))).headers['x-auth-assertion'] as string;
    expect((await verifyAt(here, keys, 'https://api.internal.example')).payload.aud).toBe('https://api.internal.example');
  });
});

describe('an alias meets the other path’s rules for every method the origin may route', () => {
  const config = defineConfig({
    routes: [
      { match: '/admin(.*)', methods: ['GET', 'PUT', 'DELETE'], protect: { role: 'org:admin' } },
      { match: '/legacy(.*)', methods: ['GET', 'PATCH'], protect: true, origin: { url: ORIGIN, stripPrefix: '/legacy' } },
    ],
  });

  it('PATCH /legacy/admin/users (the origin routes PATCH /admin/users, as its update action): 403 for a member, as directly', async () => {
    for (const path of ['/admin/users', '/legacy/admin/users']) {
      const probe = newProbe('alias-method');
      await refused(await send(path, { config, method: 'PATCH', bearer: await member(), probe }), 403, 'ERR_FORBIDDEN', probe);
    }
    expect((await originSaw(await send('/legacy/admin/users', { config, method: 'PATCH', bearer: await admin() }))).url).toBe('/admin/users');
  });
});

