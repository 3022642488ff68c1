// The identity assertion's verifiers (verifiers/): what a legacy origin pastes to trust
// X-Auth-Assertion, run inside real framework apps (test/origins/apps) behind the real gateway
// (handleRequest, in workerd). Express 4 and 5 (verifiers/node) run in `npm test`; Flask and
// Django (verifiers/python), `php -S`, nginx + php-fpm and Caddy + php-fpm (verifiers/php) in
// `npm run test:origins`, and are skipped, with the reason, when they or their packages are
// missing.
//
// Every app answers /verified/* (the JWKS pasted in its config, the file global-setup.mjs wrote)
// and /verified-remote/* (the JWKS URL: the gateway's published JWKS, served by the collector)
// with 200 { sub, sid, sts, target } when its verifier accepts, else 401 { reason }. For each:
// (a) through the gateway: accepted, with the signed-in user or signed out; (b) straight to the
// origin without an assertion: refused; (c) an assertion captured from (a), replayed to another
// path, query or method: refused; (d) expired or issued in the future (signed here with the
// gateway's key): refused; (e) another audience or issuer: refused; (f) rotation: the previous
// key's assertion accepted while both keys are published; forgeries refused; and the JWKS-URL
// mode's refresh for a new kid, at most once per cooldown.
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import type { Env } from '../../src/env';
import { JWKS_PATH, requestBinding } from '../../src/proxy/assertion';
import { mintToken, nowSeconds, send, testEnv } from '../helpers';
import { ORIGINS_CONFIG } from './corpus';
import { originsSuite, type OriginsSuite } from './harness';

const suite = originsSuite();
type Keys = NonNullable<OriginsSuite['assertion']>;

/**
 * The apps with a verifier. `rebuild`: the server gives the app no raw request-target (Django's
 * development server: no REQUEST_URI / RAW_URI), so the verifier rebuilds it from PATH_INFO.
 * `caddy`: Caddy hands PHP the request-target as Go re-escapes it.
 */
interface VerifiedApp {
  name: string;
  verifier: 'node' | 'python' | 'php';
  target?: 'raw' | 'rebuild' | 'caddy';
  /** Also guarded by the Django middleware under /verified-mw. */
  middleware?: boolean;
}
const NODE: VerifiedApp[] = [
  { name: 'express4', verifier: 'node' },
  { name: 'express5', verifier: 'node' },
];
const EXTERNAL: VerifiedApp[] = [
  { name: 'flask', verifier: 'python' },
  { name: 'django', verifier: 'python', target: 'rebuild', middleware: true },
  { name: 'php-builtin', verifier: 'php' },
  { name: 'php-fpm-nginx', verifier: 'php' },
  { name: 'php-fpm-caddy', verifier: 'php', target: 'caddy' },
];

// ---------------------------------------------------------------------------------------------
// The gateway, the origin, assertions

interface Gateways {
  /** Signs with the current key; the previous one is still published. */
  rotated: Env;
  /** Before the rotation: signs with the previous key. */
  preRotation: Env;
  /** As `rotated`, with ASSERTION_AUDIENCE another origin's. */
  otherAudience: Env;
}

const publicJwk = ({ d: _d, ...jwk }: Record<string, string>) => jwk;
const gateways = new Map<number, Gateways>();
// One env object per origin and kind, made once: the gateway keys its runtime (and key import) on it.
function gatewaysFor(keys: Keys, port: number): Gateways {
  let g = gateways.get(port);
  if (!g) {
    const base = { ...testEnv, ORIGIN_URL: `http://127.0.0.1:${port}` };
    const rotated = { ...base, GATEWAY_SIGNING_KEY: JSON.stringify(keys.current), GATEWAY_SIGNING_KEY_PREVIOUS: JSON.stringify(publicJwk(keys.previous)) };
    g = {
      rotated,
      preRotation: { ...base, GATEWAY_SIGNING_KEY: JSON.stringify(keys.previous) },
      otherAudience: { ...rotated, ASSERTION_AUDIENCE: 'https://other.example' },
    };
    gateways.set(port, g);
  }
  return g;
}

/** An app's answer: 200 { sub, sid, sts, target } from the verified handler, 401 { reason } from the verifier. */
interface Answer {
  status: number;
  body: { handler?: string; sub?: string | null; sid?: string | null; sts?: string; target?: string; reason?: string; error?: string };
}
/** An answer through the gateway, with what the gateway sent the origin. */
interface Forwarded extends Answer {
  sent: { method: string; target: string; assertion: string | null };
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = { error: `not JSON: ${text.slice(0, 200)}` };
  }
  return { status: res.status, body };
}

/** Through the gateway (handleRequest) to the app on `port`, recording the request it forwarded. */
async function viaGateway(env: Env, path: string, init: { method?: string; bearer?: string; body?: string } = {}): Promise<Forwarded> {
  let sent: Forwarded['sent'] | undefined;
  const res = await send(path, {
    env,
    config: ORIGINS_CONFIG,
    method: init.method ?? 'GET',
    ...(init.bearer ? { bearer: init.bearer } : {}),
    ...(init.body !== undefined ? { body: init.body } : {}),
    fetch: (async (input: RequestInfo | URL, requestInit?: RequestInit) => {
      const request = new Request(input, requestInit);
      const url = new URL(request.url);
      sent = { method: request.method, target: `${url.pathname}${url.search}`, assertion: request.headers.get('x-auth-assertion') };
      return fetch(request);
    }) as typeof fetch,
  });
  const answer = await answerOf(res);
  if (!sent) throw new Error(`the gateway did not forward ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return { ...answer, sent };
}

/** Straight to the app, as an attacker on the origin's network would. */
async function direct(port: number, target: string, init: { method?: string; assertion?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = init.assertion === undefined ? {} : { 'x-auth-assertion': init.assertion };
  return answerOf(await fetch(`http://127.0.0.1:${port}${target}`, { method: init.method ?? 'GET', headers, redirect: 'manual' }));
}

const b64url = (value: unknown) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

interface SignOptions {
  claims?: Record<string, unknown>;
  /** Signing key (a private JWK with kid). @default the gateway's current key */
  key?: JWK;
  header?: Record<string, unknown>;
}

/** An assertion signed here, as the gateway would sign it for `method target` to the app on `port`, `claims` merged over. */
async function sign(keys: Keys, port: number, method: string, target: string, options: SignOptions = {}): Promise<string> {
  const key: JWK = options.key ?? keys.current;
  const now = nowSeconds();
  const claims = {
    iss: keys.issuer,
    aud: `http://127.0.0.1:${port}`,
    iat: now,
    exp: now + 30,
    sts: 'active',
    sub: 'user_1',
    sid: 'sess_1',
    req: await requestBinding(method, target),
    ...options.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid!, typ: 'JWT', ...options.header })
    .sign(await importJWK(key, 'ES256'));
}

function expectAccepted(answer: Answer, label: string, expected: { sub?: string | null; sts: string }): void {
  expect({ status: answer.status, handler: answer.body.handler, sub: answer.body.sub ?? null, sts: answer.body.sts }, `${label}: ${JSON.stringify(answer.body)}`).toEqual({
    status: 200,
    handler: 'verified',
    sub: expected.sub ?? null,
    sts: expected.sts,
  });
}

function expectRefused(answer: Answer, label: string, reason: string | string[]): void {
  expect(answer.status, `${label}: ${JSON.stringify(answer.body)}`).toBe(401);
  expect(answer.body.error, label).toBe('invalid_assertion');
  expect(Array.isArray(reason) ? reason : [reason], `${label}: refused for "${answer.body.reason}"`).toContain(answer.body.reason);
}

async function jwksHits(name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${suite!.reportPort}/jwks-hits/${name}`);
  return ((await res.json()) as { count: number }).count;
}

/** Serves `env`'s published JWKS (the gateway's own response body) at the app's JWKS URL. */
async function publish(name: string, env: Env): Promise<void> {
  const res = await send(JWKS_PATH, { env, config: ORIGINS_CONFIG });
  expect(res.status).toBe(200);
  await fetch(`http://127.0.0.1:${suite!.reportPort}/jwks/${name}.json`, { method: 'PUT', body: await res.text() });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The checks, for one app

/**
 * Request-targets through the gateway, and whether each app's verifier can match the binding.
 * The gateway forwards the path canonical (unreserved escapes decoded, others upper-case) and the
 * query as sent; a raw target (Node, Werkzeug, php -S, nginx) always matches. Django's rebuilt
 * target differs where the path escapes a character that needs no escape (`%40` for `@`); Caddy
 * hands PHP the path as Go re-escapes it when it holds a character Go escapes but the URL
 * Standard does not (`|`). Those fail closed: 401 `binding`.
 */
const TARGETS: { path: string; refusedBy: NonNullable<VerifiedApp['target']>[] }[] = [
  { path: "/verified/a%20b/%C3%A9t%C3%A9/@x,y!$'()*+=:~?q=%2F&r=a+b&s=%C3%A9&t=", refusedBy: [] },
  { path: '/verified/%7Euser/%41%62c', refusedBy: [] }, // unreserved escapes: the gateway decodes them
  { path: '/verified/a%40b%3Ac', refusedBy: ['rebuild'] },
  { path: '/verified/a|b^c', refusedBy: ['caddy'] }, // forwarded as /verified/a|b%5Ec
];

function verifierTests(app: VerifiedApp, port: number, keys: Keys): void {
  const g = () => gatewaysFor(keys, port);
  const target = app.target ?? 'raw';

  it('(a) through the gateway: accepted, as the signed-in user with a session, signed out without', async () => {
    const signedIn = await viaGateway(g().rotated, '/verified/account?tab=1', { bearer: await mintToken() });
    expectAccepted(signedIn, 'with a session', { sub: 'user_1', sts: 'active' });
    expect(signedIn.body.sid).toBe('sess_1');
    expect(signedIn.body.target, 'the target the verifier bound').toBe(signedIn.sent.target);
    const signedOut = await viaGateway(g().rotated, '/verified/account');
    expectAccepted(signedOut, 'without a session', { sub: null, sts: 'signed-out' });
  });

  it('(a) the binding holds for a POST and for escaped, non-ASCII and reserved characters, as far as the server lets it', async () => {
    const post = await viaGateway(g().rotated, '/verified/form?x=1', { method: 'POST', body: 'a=1', bearer: await mintToken() });
    expectAccepted(post, 'POST', { sub: 'user_1', sts: 'active' });
    for (const { path, refusedBy } of TARGETS) {
      const answer = await viaGateway(g().rotated, path, { bearer: await mintToken() });
      const label = `${path}, forwarded as ${answer.sent.target}`;
      if (refusedBy.includes(target)) expectRefused(answer, `${label} (${target} target: the binding cannot match, fails closed)`, 'binding');
      else {
        expectAccepted(answer, label, { sub: 'user_1', sts: 'active' });
        expect(answer.body.target, label).toBe(answer.sent.target);
      }
    }
  });

  it('(b) straight to the origin without an assertion, or with a malformed one: 401', async () => {
    expectRefused(await direct(port, '/verified/account'), 'no assertion', 'missing');
    expectRefused(await direct(port, '/verified/account', { assertion: 'not-a-jws' }), 'garbage', 'malformed');
    const valid = await sign(keys, port, 'GET', '/verified/account');
    // Two X-Auth-Assertion headers arrive joined with a comma.
    expectRefused(await direct(port, '/verified/account', { assertion: `${valid}, ${valid}` }), 'two assertions', 'malformed');
  });

  it('(c) an assertion captured from the gateway, replayed to another path, query or method: 401', async () => {
    const captured = await viaGateway(g().rotated, '/verified/orders/7?view=full', { bearer: await mintToken() });
    expectAccepted(captured, 'the captured request', { sub: 'user_1', sts: 'active' });
    const assertion = captured.sent.assertion!;
    // The same request again is what the binding cannot tell apart (for 30 s): accepted.
    expectAccepted(await direct(port, '/verified/orders/7?view=full', { assertion }), 'the same request', { sub: 'user_1', sts: 'active' });
    expectRefused(await direct(port, '/verified/admin', { assertion }), 'another path', 'binding');
    expectRefused(await direct(port, '/verified/orders/8?view=full', { assertion }), 'another path, same shape', 'binding');
    expectRefused(await direct(port, '/verified/orders/7?view=full&as=admin', { assertion }), 'another query', 'binding');
    expectRefused(await direct(port, '/verified/orders/7', { assertion }), 'no query', 'binding');
    expectRefused(await direct(port, '/verified/orders/7?view=full', { assertion, method: 'DELETE' }), 'another method', 'binding');
    expectRefused(await direct(port, '/verified/orders/7?view=full', { assertion, method: 'POST' }), 'another method', 'binding');
  });

  it('(d) expired (exp in the past), or issued in the future: 401', async () => {
    const now = nowSeconds();
    const expired = await sign(keys, port, 'GET', '/verified/late', { claims: { iat: now - 60, exp: now - 30 } });
    expectRefused(await direct(port, '/verified/late', { assertion: expired }), 'expired 30 s ago', 'expired');
    const future = await sign(keys, port, 'GET', '/verified/early', { claims: { iat: now + 120, exp: now + 150 } });
    expectRefused(await direct(port, '/verified/early', { assertion: future }), 'issued in 2 minutes', 'not_yet_valid');
    // Within the leeway (5 s): a clock a little behind or ahead is no reason to refuse.
    const edge = await sign(keys, port, 'GET', '/verified/edge', { claims: { iat: now - 32, exp: now - 2 } });
    expectAccepted(await direct(port, '/verified/edge', { assertion: edge }), 'expired 2 s ago, within the leeway', { sub: 'user_1', sts: 'active' });
  });

  it('(e) another audience (a gateway with ASSERTION_AUDIENCE for another origin) or another issuer: 401', async () => {
    const other = await viaGateway(g().otherAudience, '/verified/account', { bearer: await mintToken() });
    expectRefused(other, 'aud https://other.example', 'audience');
    const issuer = await sign(keys, port, 'GET', '/verified/account', { claims: { iss: 'https://gateway.other.example' } });
    expectRefused(await direct(port, '/verified/account', { assertion: issuer }), 'another iss', 'issuer');
    const noBinding = await sign(keys, port, 'GET', '/verified/account', { claims: { req: undefined } });
    expectRefused(await direct(port, '/verified/account', { assertion: noBinding }), 'no req claim', 'claims');
  });

  it('(f) rotation: both keys published, the previous key’s assertion is accepted, and the new one’s', async () => {
    const old = await viaGateway(g().preRotation, '/verified/account', { bearer: await mintToken() });
    expect(JSON.parse(atob(old.sent.assertion!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe(keys.previous.kid);
    expectAccepted(old, 'signed with the previous key', { sub: 'user_1', sts: 'active' });
    const fresh = await viaGateway(g().rotated, '/verified/account', { bearer: await mintToken() });
    expect(JSON.parse(atob(fresh.sent.assertion!.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe(keys.current.kid);
    expectAccepted(fresh, 'signed with the current key', { sub: 'user_1', sts: 'active' });
  });

  it('forgeries: another key under a published kid, edited claims, an unknown kid, HS256 or none: 401', async () => {
    const forger: JWK = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: keys.current.kid! };
    const path = '/verified/account';
    const forged = await sign(keys, port, 'GET', path, { key: forger, claims: { sub: 'user_admin' } });
    expectRefused(await direct(port, path, { assertion: forged }), 'signed by another key', 'signature');

    const [header, , signature] = (await sign(keys, port, 'GET', path)).split('.');
    const now = nowSeconds();
    const edited = { iss: keys.issuer, aud: `http://127.0.0.1:${port}`, iat: now, exp: now + 30, sts: 'active', sub: 'user_admin', sid: 'sess_1', req: await requestBinding('GET', path) };
    expectRefused(await direct(port, path, { assertion: `${header}.${b64url(edited)}.${signature}` }), 'claims edited', 'signature');

    const stranger = { ...forger, kid: 'gw-nobody' };
    expectRefused(await direct(port, path, { assertion: await sign(keys, port, 'GET', path, { key: stranger }) }), 'an unknown kid', 'unknown_kid');

    // Algorithm confusion: the public key as an HMAC secret, and no signature at all.
    const hs256 = await new SignJWT(edited)
      .setProtectedHeader({ alg: 'HS256', kid: keys.current.kid!, typ: 'JWT' })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk(keys.current))));
    expectRefused(await direct(port, path, { assertion: hs256 }), 'HS256 with the public key', 'algorithm');
    const none = `${b64url({ alg: 'none', kid: keys.current.kid, typ: 'JWT' })}.${b64url(edited)}.`;
    expectRefused(await direct(port, path, { assertion: none }), 'alg none', 'algorithm');
  });

  it('JWKS URL: the gateway’s published JWKS; a new kid fetches it again, at most once per cooldown', async () => {
    const cooldown = keys.cooldownMs;
    await publish(app.name, g().preRotation);
    const before = await jwksHits(app.name);
    const first = await viaGateway(g().preRotation, '/verified-remote/account', { bearer: await mintToken() });
    const fetchedAt = Date.now();
    expectAccepted(first, 'the previous key, first fetch', { sub: 'user_1', sts: 'active' });
    expect(await jwksHits(app.name), 'one fetch').toBe(before + 1);

    // The gateway rotates: its new key signs. Within the cooldown the app does not fetch again,
    // however many unknown kids arrive: refused.
    await publish(app.name, g().rotated);
    const early = await viaGateway(g().rotated, '/verified-remote/account', { bearer: await mintToken() });
    const strangers = await Promise.all(
      [1, 2, 3].map(async (i) => direct(port, '/verified-remote/x', { assertion: await sign(keys, port, 'GET', '/verified-remote/x', { header: { kid: `gw-nobody-${i}` } }) })),
    );
    if (Date.now() - fetchedAt < cooldown * 0.8) {
      expectRefused(early, 'the new kid, within the cooldown', 'unknown_kid');
      for (const s of strangers) expectRefused(s, 'unknown kids, within the cooldown', 'unknown_kid');
      expect(await jwksHits(app.name), 'no fetch within the cooldown').toBe(before + 1);
    }

    // After the cooldown, the new kid fetches the JWKS once more, and is accepted.
    await sleep(Math.max(0, fetchedAt + cooldown + 50 - Date.now()));
    const after = await viaGateway(g().rotated, '/verified-remote/account', { bearer: await mintToken() });
    const refetchedAt = Date.now();
    expectAccepted(after, 'the new kid, after the cooldown', { sub: 'user_1', sts: 'active' });
    const hits = await jwksHits(app.name);
    expect(hits, 'one more fetch').toBeLessThanOrEqual(before + 2);
    // A flood of unknown kids right after: no fetch.
    const flood = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => direct(port, '/verified-remote/x', { assertion: await sign(keys, port, 'GET', '/verified-remote/x', { header: { kid: `gw-flood-${i}` } }) })),
    );
    for (const s of flood) expectRefused(s, 'a flood of unknown kids', 'unknown_kid');
    if (Date.now() - refetchedAt < cooldown * 0.8) expect(await jwksHits(app.name), 'no fetch for the flood').toBe(hits);
  });

  if (app.middleware) {
    it('Django middleware (GatewayAssertionMiddleware): accepts what the gateway sends, refuses a replay', async () => {
      const answer = await viaGateway(g().rotated, '/verified-mw/account', { bearer: await mintToken() });
      expectAccepted(answer, 'through the gateway', { sub: 'user_1', sts: 'active' });
      expectRefused(await direct(port, '/verified-mw/account'), 'no assertion', 'missing');
      expectRefused(await direct(port, '/verified-mw/admin', { assertion: answer.sent.assertion! }), 'replayed to another path', 'binding');
    });
  }
}

function describeApps(apps: VerifiedApp[], keys: Keys, required: boolean): void {
  for (const app of apps) {
    const origin = suite!.origins[app.name];
    const skipped = origin?.port === undefined ? (origin?.skipped ?? 'not started') : origin.verifier !== 'ok' ? (origin.verifier ?? 'no verifier') : undefined;
    if (skipped) {
      if (required) it(`${app.name}: started, with its verifier`, () => expect.fail(`${app.name}: ${skipped}`));
      else it.skip(`${app.name}: skipped, ${skipped}`, () => {});
      continue;
    }
    describe(`${app.name}${origin!.detail ? ` (${origin!.detail})` : ''}: verifiers/${app.verifier}`, () => verifierTests(app, origin!.port!, keys));
  }
}

describe('identity assertion verifiers, in framework apps behind the gateway', () => {
  it('the assertion keys were made and the apps started', () => {
    expect(suite?.assertion, 'ORIGINS_SUITE has no assertion keys: is test/origins/global-setup.mjs in vitest.config.ts globalSetup?').toBeDefined();
  });
  if (!suite?.assertion) return;
  const keys = suite.assertion;

  it('the JWKS the apps paste is the one the gateway publishes: both keys, public only', async () => {
    const res = await send(JWKS_PATH, { env: gatewaysFor(keys, 1).rotated, config: ORIGINS_CONFIG });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(keys.jwks);
    expect(keys.jwks.keys.map((k) => k.kid)).toEqual([keys.current.kid, keys.previous.kid]);
  });

  describe('Node (npm test)', () => describeApps(NODE, keys, true));

  describe('Python and PHP (npm run test:origins)', () => {
    if (!EXTERNAL.some((app) => suite.origins[app.name])) {
      it.skip('not started: run `npm run test:origins` for the Flask, Django, php -S, nginx + php-fpm and Caddy + php-fpm verifiers', () => {});
      return;
    }
    describeApps(EXTERNAL, keys, false);
  });
});
