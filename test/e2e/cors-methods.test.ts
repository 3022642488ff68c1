// Issue 17, points 1 and 2 and explain's preflights: CORS preflights answered at the edge from the
// config (never forwarded unauthenticated because of CORS), CORS headers on real answers, the old
// `allowPreflight` refused at start, a write method no rule for the path names matched as every
// method (the README's per-method example with PATCH), and `routes explain` running the gateway's
// own plan for preflights. Against the real test origin (test/servers.ts), which counts probes.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { parseSettings } from '../../src/settings/settings';
import type { GatewayConfig, RouteRule } from '../../src/config/types';
import { explain, explainPerMethod } from '../../src/explain/explain';
import { formatPerMethod } from '../../src/explain/format';
import { mintToken, newProbe, originCount, originSaw, refusalCode, send, testEnv } from '../helpers';

const FRONT = 'https://app.example';
const ORG = { id: 'org_2abc', slg: 'acme' };

/** A session in organization acme with these `org:invoices:*` permissions (`fpm` as Clerk packs them). */
function member(permissions: readonly ('read' | 'manage')[]) {
  const per = permissions.join(',');
  const bits = permissions.reduce((sum, _p, i) => sum | (1 << i), 0);
  return mintToken({ claims: { o: { ...ORG, rol: 'member', ...(per ? { per, fpm: String(bits) } : {}) }, fea: 'o:invoices' } });
}

function preflight(asks: string, origin = FRONT, headers?: string) {
  return {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': asks, ...(headers ? { 'access-control-request-headers': headers } : {}) },
  };
}

/** Sends with a probe and says how many times the origin saw it. */
async function probed(path: string, options: Parameters<typeof send>[1]): Promise<{ res: Response; reached: number }> {
  const probe = newProbe('cors');
  const res = await send(path, { ...options, headers: { ...(options?.headers as Record<string, string>), 'x-test-probe': probe } });
  return { res, reached: await originCount(probe) };
}

function settings() {
  const parsed = parseSettings(testEnv);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.settings;
}

describe('CORS preflights answered at the edge', () => {
  const api: RouteRule = { match: '/api(.*)', protect: true, onUnauthenticated: 'status', origin: { url: testEnv.ORIGIN_URL!, stripPrefix: '/api' } };
  const config = defineConfig({
    cors: { origins: [FRONT], methods: ['GET', 'POST', 'PUT', 'DELETE'], headers: ['content-type', 'authorization'], credentials: true, maxAge: 300 },
    routes: [api, { match: '/admin(.*)', protect: { role: 'org:admin' } }],
  });

  it('an allowed preflight gets 204 with the configured headers, and the origin never sees it', async () => {
    const { res, reached } = await probed('/api/users', { config, ...preflight('PUT', FRONT, 'Content-Type, Authorization') });
    expect(res.status).toBe(204);
    expect(reached).toBe(0);
    expect(res.headers.get('access-control-allow-origin')).toBe(FRONT);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-max-age')).toBe('300');
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('a preflight for a path that needs org:admin is answered too, and runs nothing at the origin', async () => {
    const { res, reached } = await probed('/admin/users?_method=DELETE', { config, ...preflight('POST') });
    expect(res.status).toBe(204);
    expect(reached).toBe(0);
  });

  it('a foreign origin, a method or a header not listed: 403 cors_refused, never forwarded', async () => {
    for (const [request, code] of [
      [preflight('PUT', 'https://evil.example'), 'ERR_CORS_ORIGIN'],
      [preflight('PATCH'), 'ERR_CORS_METHOD'],
      [preflight('PUT', FRONT, 'x-secret'), 'ERR_CORS_HEADERS'],
      [preflight('GET', 'null'), 'ERR_CORS_ORIGIN'],
    ] as const) {
      const { res, reached } = await probed('/api/users', { config, ...request });
      expect(res.status, code).toBe(403);
      expect(reached, code).toBe(0);
      expect(await refusalCode(res)).toBe(code);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('real answers carry the CORS headers for an allowed Origin; the origin cannot widen them', async () => {
    const token = await member(['read']);
    const ok = await send('/api/users?__origin=cors-reflect', { config, bearer: token, headers: { origin: FRONT } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(FRONT);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    // The origin reflects any Origin with credentials; the gateway's policy replaces it.
    const foreign = await send('/api/users?__origin=cors-reflect', { config, bearer: token, headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(200);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
    expect(foreign.headers.get('vary')).toContain('Origin');
    // The gateway's own 401 is readable by the front end, so it can send the user to sign in.
    const refused = await send('/api/users', { config, headers: { origin: FRONT } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(FRONT);
  });

  it('without cors, a preflight is decided as the OPTIONS it is: 401 on a protected path, nothing forwarded', async () => {
    const plain = defineConfig({ routes: [api] });
    const { res, reached } = await probed('/api/users', { config: plain, ...preflight('POST') });
    expect(res.status).toBe(401);
    expect(reached).toBe(0);
  });

  it('cors: false on a rule turns the config-wide CORS off there', async () => {
    const off = defineConfig({ cors: { origins: [FRONT] }, routes: [{ ...api, cors: false }] });
    const { res, reached } = await probed('/api/users', { config: off, ...preflight('POST') });
    expect(res.status).toBe(401);
    expect(reached).toBe(0);
  });

  it('the old allowPreflight is refused at start, with the fix in the message', () => {
    const old = { match: '/api(.*)', protect: true, allowPreflight: true } as unknown as RouteRule;
    expect(() => defineConfig({ routes: [old] })).toThrow(/route #1 \("\/api\(\.\*\)"\): allowPreflight was removed.*cors: \{ origins.*forwardPreflightsUnauthenticated: true/s);
  });

  it('bad cors options are refused at start, naming the rule and the field', () => {
    const problems = (config: GatewayConfig) => {
      try {
        defineConfig(config);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({ cors: { origins: '*', credentials: true }, routes: [] })).toMatch(/config: cors\.credentials with origins '\*'/);
    expect(problems({ routes: [{ match: '/a', protect: true, cors: { origins: ['https://app.example/'] } }] })).toMatch(/route #1 \("\/a"\): cors\.origins has "https:\/\/app\.example\/": an origin has no path/);
    expect(problems({ routes: [{ match: '/a', protect: true, cors: { origins: ['https://*.example.com'] } }] })).toMatch(/patterns are not supported/);
    expect(problems({ cors: { origins: [FRONT], maxAge: -1 }, routes: [] })).toMatch(/config: cors\.maxAge must be a whole number of seconds/);
    expect(problems({ routes: [{ match: '/a', protect: true, cors: { origins: [FRONT] }, forwardPreflightsUnauthenticated: true }] })).toMatch(/cors and forwardPreflightsUnauthenticated both answer preflights/);
  });
});

describe('forwardPreflightsUnauthenticated: the explicit opt-in, and explain agrees with the gateway', () => {
  const config = defineConfig({
    routes: [
      { match: '/api(.*)', protect: true, forwardPreflightsUnauthenticated: true },
      { match: '/(.*)', protect: { role: 'org:admin' } },
    ],
  });
  // The case: a PUT rule that forwards preflights beside a rule for admins, which the OPTIONS meets too.
  const beside = defineConfig({
    routes: [
      { match: '/api(.*)', methods: ['PUT'], protect: true, forwardPreflightsUnauthenticated: true },
      { match: '/(.*)', protect: { role: 'org:admin' } },
    ],
  });

  it('a preflight for the rule’s method is forwarded signed out, without credentials or body', async () => {
    const res = await send('/api/x', { config, ...preflight('PUT'), body: 'smuggled', bearer: await member(['read']) });
    const seen = await originSaw(res);
    expect(seen.method).toBe('OPTIONS');
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect(seen.headers['x-auth-user-id']).toBeUndefined();
    expect(seen.body).toBe('');
  });

  it('never past a rule the OPTIONS itself meets that takes no preflights: the admin rule decides, nothing forwarded', async () => {
    const { res, reached } = await probed('/api/x', { config: beside, ...preflight('PUT') });
    expect(res.status).toBe(401);
    expect(reached).toBe(0);
  });

  it('routes explain reports the preflight the gateway forwards, and the 401 it answers otherwise', async () => {
    const row = (on: typeof config, asks: string) =>
      explain(on, settings(), { method: 'OPTIONS', url: '/api/x', states: ['signed-out'], preflight: { asks } }).decisions[0]!.rows.find((r) => r.client === 'preflight')!.outcome;
    expect(row(config, 'PUT')).toEqual({ kind: 'forward', status: 'signed-out' });
    expect((await send('/api/x', { config, ...preflight('PUT') })).status).toBe(200);
    expect(row(beside, 'PUT')).toMatchObject({ kind: 'deny', status: 401 });
    expect((await send('/api/x', { config: beside, ...preflight('PUT') })).status).toBe(401);
    expect(row(beside, 'DELETE')).toMatchObject({ kind: 'deny', status: 401 });
    expect((await send('/api/x', { config: beside, ...preflight('DELETE') })).status).toBe(401);
  });

  it('routes explain reports the 204 the gateway answers from cors', async () => {
    const withCors = defineConfig({ cors: { origins: [FRONT], methods: ['PUT'] }, routes: [{ match: '/api(.*)', protect: true }] });
    const outcome = explain(withCors, settings(), { method: 'OPTIONS', url: '/api/x', states: ['signed-out'], preflight: { asks: 'PUT' } }).decisions[0]!.rows.find((r) => r.client === 'preflight')!.outcome;
    expect(outcome).toEqual({ kind: 'answer', status: 204, allowOrigin: FRONT });
    expect((await send('/api/x', { config: withCors, ...preflight('PUT') })).status).toBe(204);
  });
});

describe('methods safe by construction: the per-method example', () => {
  // As the README's example was: GET needs read; POST, PUT, DELETE need manage; PATCH not listed.
  const rules: RouteRule[] = [
    { match: '/invoices(.*)', methods: ['GET'], protect: { permission: 'org:invoices:read' } },
    { match: '/invoices(.*)', methods: ['POST', 'PUT', 'DELETE'], protect: { permission: 'org:invoices:manage' } },
  ];
  const config = defineConfig({ routes: rules });

  it('a read-only member gets 403 on PUT and on PATCH; the update action is never reached', async () => {
    const reader = await member(['read']);
    for (const method of ['PUT', 'PATCH', 'patch', 'PROPFIND']) {
      const { res, reached } = await probed('/invoices/1', { config, method, bearer: reader });
      expect(res.status, method).toBe(403);
      expect(reached, method).toBe(0);
    }
    const override = await probed('/invoices/1', { config, method: 'GET', bearer: reader, headers: { 'x-http-method-override': 'PATCH' } });
    expect(override.res.status).toBe(403);
    expect(override.reached).toBe(0);
    // Reads stay as written.
    expect((await send('/invoices/1', { config, bearer: reader })).status).toBe(200);
    expect((await send('/invoices/1', { config, method: 'HEAD', bearer: reader })).status).toBe(200);
  });

  it('under defaultPolicy public, PATCH and a plain OPTIONS signed out get 401, not the origin', async () => {
    for (const method of ['PATCH', 'OPTIONS']) {
      const { res, reached } = await probed('/invoices/1', { config, method });
      expect(res.status, method).toBe(401);
      expect(reached, method).toBe(0);
    }
  });

  it('a member who may read and manage passes PATCH; the fixed example needs manage only', async () => {
    expect((await send('/invoices/1', { config, method: 'PATCH', bearer: await member(['read', 'manage']) })).status).toBe(200);
    const fixed = defineConfig({
      routes: [rules[0]!, { match: '/invoices(.*)', methods: ['POST', 'PUT', 'PATCH', 'DELETE'], protect: { permission: 'org:invoices:manage' } }],
    });
    const manager = await member(['manage']);
    expect((await send('/invoices/1', { config: fixed, method: 'PATCH', bearer: manager })).status).toBe(200);
    expect((await send('/invoices/1', { config: fixed, method: 'PATCH', bearer: await member(['read']) })).status).toBe(403);
  });

  it('a read a rule set leaves out still goes on to the next rule (protecting writes only keeps reads public)', async () => {
    const writes = defineConfig({ routes: [{ match: '/posts(.*)', methods: ['POST', 'PUT', 'PATCH', 'DELETE'], protect: true }] });
    const seen = await originSaw(await send('/posts/1', { config: writes }));
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect((await send('/posts/1', { config: writes, method: 'OPTIONS' })).status).toBe(401);
  });

  it('routes explain shows the read-only member refused on PATCH, as the gateway does', () => {
    const report = explain(config, settings(), { method: 'PATCH', url: '/invoices/1', states: ['active'], session: { permissions: ['org:invoices:read'] } });
    expect(report.methods).toContain('PUT');
    expect(report.decisions[0]!.rows.find((r) => r.client === 'api')!.outcome).toMatchObject({ kind: 'deny', status: 403 });
  });

  it('routes explain --per-method shows every method a read-only member is refused but GET and HEAD', async () => {
    const rows = explainPerMethod(config, settings(), { url: '/invoices/1', states: ['signed-out', 'active'], session: { permissions: ['org:invoices:read'] } });
    const active = Object.fromEntries(rows.map((row) => [row.method, row.outcomes.find((o) => o.state === 'active')!.outcome]));
    expect(Object.keys(active)).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
    for (const method of ['GET', 'HEAD']) expect(active[method], method).toEqual({ kind: 'forward', status: 'active' });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) expect(active[method], method).toMatchObject({ kind: 'deny', status: 403 });
    // And the gateway agrees, row by row.
    const reader = await member(['read']);
    for (const [method, outcome] of Object.entries(active)) {
      expect((await send('/invoices/1', { config, method, bearer: reader })).status, method).toBe(outcome.kind === 'forward' ? 200 : 403);
    }
    expect(formatPerMethod('/invoices/1', rows)[2]).toMatch(/^GET +401 no_credentials +forward \(active\)$/);
  });
});
