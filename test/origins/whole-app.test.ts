// The verifiers as whole-app guards (verifiers/): one line in front of everything an app serves,
// instead of one decorator per view. Each app (test/origins/apps, kind 'whole-app', started by
// global-setup.mjs) answers every URL with {sub, sid, sts, target} only when its app-wide
// verifier accepted X-Auth-Assertion, else the verifier's 401 {error, reason}:
//   Express 5   app.use(gatewayAssertion(…))           (npm test)
//   Flask       protect_flask_app: app.before_request  (npm run test:origins, from here on)
//   Django      GatewayAssertionMiddleware first in MIDDLEWARE
//   PHP         auto_prepend_file=gateway_prepend.php, under php -S and php-fpm behind nginx
//   Rack, Sinatra, Rails on Puma   GatewayAssertion::Middleware (use / config.middleware)
//   a static site  nginx auth_request to gateway_prepend.php (files served only when it says 2xx)
// For each, behind the real gateway (handleRequest, in workerd): accepted with a session and
// signed out, on routed and unrouted paths and (PHP) every entry point; straight to the app
// without an assertion: refused everywhere, unrouted paths and other entry points included;
// replayed, expired, forged: refused with the same reasons as the per-view verifiers.
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import type { Env } from '../../src/env';
import { requestBinding } from '../../src/proxy/assertion';
import { mintToken, nowSeconds, send, testEnv } from '../helpers';
import { ORIGINS_CONFIG } from './corpus';
import { originsSuite, type OriginsSuite } from './harness';

const suite = originsSuite();
type Keys = NonNullable<OriginsSuite['assertion']>;

/** Paths each app must guard besides its routed ones: entry points and files that are not the app's views. */
const EXTRA_ENTRY_POINTS: Record<string, string[]> = {
  'php-builtin-whole': ['/other.php', '/admin/tool.php'],
  'php-fpm-nginx-whole': ['/other.php', '/admin/tool.php'],
};
/**
 * Paths no view of the app answers (a 404 only once verified), and a static-looking file (Flask
 * and Rails route /static and /assets themselves). PHP runs only for scripts: php -S and nginx
 * answer a file path themselves (a missing one 404 without PHP), so there it is left out; the
 * cookbook's static-site recipe (nginx auth_request) covers files.
 */
const UNROUTED = ['/nowhere/at-all', '/static/app.css'];
const PHP = new Set(['php-builtin-whole', 'php-fpm-nginx-whole']);

interface Answer {
  status: number;
  body: { handler?: string; entry?: string; sub?: string | null; sid?: string | null; sts?: string; target?: string; error?: string; reason?: string; serverUserId?: string | null };
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    return { status: res.status, body: { error: `not JSON: ${text.slice(0, 200)}` } };
  }
}

const envs = new Map<number, Env>();
function gatewayFor(keys: Keys, port: number): Env {
  let e = envs.get(port);
  if (!e) {
    const { d: _d, ...previousPublic } = keys.previous;
    e = { ...testEnv, ORIGIN_URL: `http://127.0.0.1:${port}`, GATEWAY_SIGNING_KEY: JSON.stringify(keys.current), GATEWAY_SIGNING_KEY_PREVIOUS: JSON.stringify(previousPublic) };
    envs.set(port, e);
  }
  return e;
}

/** Through the gateway to the app, with the assertion and target the gateway sent. */
async function viaGateway(keys: Keys, port: number, path: string, init: { method?: string; bearer?: string; body?: string } = {}) {
  let sent: { target: string; assertion: string | null } | undefined;
  const res = await send(path, {
    env: gatewayFor(keys, port),
    config: ORIGINS_CONFIG,
    method: init.method ?? 'GET',
    ...(init.bearer ? { bearer: init.bearer } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
    fetch: (async (input: RequestInfo | URL, requestInit?: RequestInit) => {
      const request = new Request(input, requestInit);
      const url = new URL(request.url);
      sent = { target: `${url.pathname}${url.search}`, assertion: request.headers.get('x-auth-assertion') };
      return fetch(request);
    }) as typeof fetch,
  });
  const answer = await answerOf(res);
  if (!sent) throw new Error(`the gateway did not forward ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return { ...answer, sent };
}

async function direct(port: number, target: string, init: { method?: string; assertion?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = init.assertion === undefined ? {} : { 'x-auth-assertion': init.assertion };
  return answerOf(await fetch(`http://127.0.0.1:${port}${target}`, { method: init.method ?? 'GET', headers, redirect: 'manual' }));
}

async function sign(keys: Keys, port: number, method: string, target: string, options: { claims?: Record<string, unknown>; key?: JWK } = {}): Promise<string> {
  const key = options.key ?? keys.current;
  const now = nowSeconds();
  const claims = { iss: keys.issuer, aud: `http://127.0.0.1:${port}`, iat: now, exp: now + 30, sts: 'active', sub: 'user_1', sid: 'sess_1', req: await requestBinding(method, target), ...options.claims };
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid!, typ: 'JWT' }).sign(await importJWK(key, 'ES256'));
}

function expectAccepted(answer: Answer, label: string, expected: { sub: string | null; sts: string }): void {
  expect({ status: answer.status, handler: answer.body.handler, sub: answer.body.sub ?? null, sts: answer.body.sts }, `${label}: ${JSON.stringify(answer.body)}`).toEqual({
    status: 200,
    handler: 'whole-app',
    ...expected,
  });
}

function expectRefused(answer: Answer, label: string, reason: string): void {
  expect({ status: answer.status, error: answer.body.error, reason: answer.body.reason }, `${label}: ${JSON.stringify(answer.body)}`).toEqual({ status: 401, error: 'invalid_assertion', reason });
}

function wholeAppTests(name: string, port: number, keys: Keys): void {
  const entryPoints = EXTRA_ENTRY_POINTS[name] ?? [];

  it('through the gateway: every path reaches the app as the signed-in user, or signed out', async () => {
    const bearer = await mintToken();
    for (const path of ['/app/orders/7?view=full', '/account', ...entryPoints]) {
      const answer = await viaGateway(keys, port, path, { bearer });
      expectAccepted(answer, path, { sub: 'user_1', sts: 'active' });
      expect(answer.body.sid, path).toBe('sess_1');
      expect(answer.body.target, `${path}: the target the verifier bound`).toBe(answer.sent.target);
      if (path.endsWith('.php')) expect(answer.body.entry, `${path}: the script that ran`).toBe(path.split('/').pop());
    }
    const post = await viaGateway(keys, port, '/form?x=1', { method: 'POST', body: 'a=1', bearer });
    expectAccepted(post, 'POST /form', { sub: 'user_1', sts: 'active' });
    expectAccepted(await viaGateway(keys, port, '/'), 'signed out', { sub: null, sts: 'signed-out' });
  });

  it('straight to the app without an assertion: 401 everywhere, unrouted paths and other entry points included', async () => {
    const unrouted = PHP.has(name) ? UNROUTED.filter((path) => !path.startsWith('/static/')) : UNROUTED;
    for (const path of ['/', '/app/orders/7', '/account?tab=1', ...unrouted, ...entryPoints]) {
      expectRefused(await direct(port, path), `GET ${path}`, 'missing');
    }
    expectRefused(await direct(port, '/form', { method: 'POST' }), 'POST /form', 'missing');
  });

  it('an assertion captured from the gateway, replayed to another path, entry point or method: 401 binding', async () => {
    const captured = await viaGateway(keys, port, '/app/orders/7?view=full', { bearer: await mintToken() });
    const assertion = captured.sent.assertion!;
    expectAccepted(await direct(port, '/app/orders/7?view=full', { assertion }), 'the same request', { sub: 'user_1', sts: 'active' });
    for (const path of ['/app/admin', '/app/orders/7?view=full&as=admin', ...entryPoints]) {
      expectRefused(await direct(port, path, { assertion }), `replayed to ${path}`, 'binding');
    }
    expectRefused(await direct(port, '/app/orders/7?view=full', { assertion, method: 'POST' }), 'replayed as a POST', 'binding');
  });

  it('expired, from another issuer, or signed by another key under a published kid: 401 with the reason', async () => {
    const now = nowSeconds();
    const path = '/account';
    expectRefused(await direct(port, path, { assertion: await sign(keys, port, 'GET', path, { claims: { iat: now - 60, exp: now - 30 } }) }), 'expired', 'expired');
    expectRefused(await direct(port, path, { assertion: await sign(keys, port, 'GET', path, { claims: { iss: 'https://gateway.other.example' } }) }), 'another iss', 'issuer');
    expectRefused(await direct(port, path, { assertion: await sign(keys, port, 'GET', path, { claims: { aud: 'https://other.example' } }) }), 'another aud', 'audience');
    const forger: JWK = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: keys.current.kid! };
    expectRefused(await direct(port, path, { assertion: await sign(keys, port, 'GET', path, { key: forger, claims: { sub: 'user_admin' } }) }), 'forged', 'signature');
    // Signed here with the gateway's key, as a control: the same request is accepted.
    expectAccepted(await direct(port, path, { assertion: await sign(keys, port, 'GET', path) }), 'control', { sub: 'user_1', sts: 'active' });
  });
}

/** The static site (nginx auth_request): files, which cannot echo who asked; nginx's own 401 when refused. */
function staticSiteTests(port: number, keys: Keys): void {
  const page = async (res: { status: number; text: string }) => ({ status: res.status, page: /data-page="(\w+)"/.exec(res.text)?.[1] });
  const fetchText = async (target: string, assertion?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${target}`, { headers: assertion === undefined ? {} : { 'x-auth-assertion': assertion }, redirect: 'manual' });
    return page({ status: res.status, text: await res.text() });
  };

  it('through the gateway: the files, signed in and signed out (the verifier vouches for the request, not the user)', async () => {
    let forwarded: string | null = null;
    for (const [path, bearer] of [['/app/report.html', await mintToken()], ['/', undefined]] as const) {
      const res = await send(path, {
        env: gatewayFor(keys, port),
        config: ORIGINS_CONFIG,
        ...(bearer ? { bearer } : {}),
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          forwarded = new Request(input, init).headers.get('x-auth-assertion');
          return fetch(new Request(input, init));
        }) as typeof fetch,
      });
      expect(forwarded, `${path}: the gateway sent an assertion`).not.toBeNull();
      expect(await page({ status: res.status, text: await res.text() }), path).toEqual({ status: 200, page: path === '/' ? 'home' : 'report' });
    }
  });

  it('straight to nginx without an assertion, or with one for another file or signed by another key: 401, no file', async () => {
    expect(await fetchText('/app/report.html'), 'no assertion').toEqual({ status: 401, page: undefined });
    expect(await fetchText('/'), 'no assertion, /').toEqual({ status: 401, page: undefined });
    const forHome = await sign(keys, port, 'GET', '/');
    expect(await fetchText('/', forHome), 'control: the assertion for /').toEqual({ status: 200, page: 'home' });
    expect(await fetchText('/app/report.html', forHome), 'the assertion for / replayed to the report').toEqual({ status: 401, page: undefined });
    const forger: JWK = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: keys.current.kid! };
    expect(await fetchText('/app/report.html', await sign(keys, port, 'GET', '/app/report.html', { key: forger })), 'forged').toEqual({ status: 401, page: undefined });
  });
}

describe('whole-app verifiers: one guard in front of everything the app serves', () => {
  const keys = suite?.assertion;
  const apps = Object.entries(suite?.origins ?? {}).filter(([, o]) => o.kind === 'whole-app');
  it('the Express app guarded with app.use was started (npm test)', () => {
    expect(keys, 'no assertion keys: is test/origins/global-setup.mjs in vitest.config.ts globalSetup?').toBeDefined();
    expect(suite?.origins['express-whole']?.port, suite?.origins['express-whole']?.skipped ?? 'express-whole not started').toBeTypeOf('number');
  });
  if (!keys) return;
  for (const [name, origin] of apps) {
    if (origin.port === undefined) {
      it.skip(`${name}: skipped, ${origin.skipped ?? 'not started'}`, () => {});
      continue;
    }
    const port = origin.port;
    describe(`${name}${origin.detail ? ` (${origin.detail})` : ''}`, () => (name === 'static-nginx' ? staticSiteTests(port, keys) : wholeAppTests(name, port, keys)));
  }
  if (!apps.some(([name]) => name !== 'express-whole')) {
    it.skip('Flask, Django, PHP auto_prepend_file, Rack, Sinatra, Rails, a static site: run `npm run test:origins`', () => {});
  }
});
