// Operability: one JSON log line per request with reason codes that tell the cases apart,
// X-Request-Id on every answer, the health endpoint, Analytics Engine counts, and sign-out.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import type { Env } from '../../src/env';
import type { Trace } from '../../src/observe/trace';
import {
  captureConsole,
  expiredToken,
  mintToken,
  newProbe,
  originCount,
  originSaw,
  scopedBackendApi,
  send,
  sessionCookie,
  testEnv,
  type SendOptions,
} from '../helpers';

/** A clock that moves 10 ms on every reading: durations are exact, whatever the machine. */
function steppingClock(start = Date.now()): () => number {
  let t = start;
  return () => (t += 10);
}

/** The request through the gateway with its log captured: the response and the one line it wrote. */
async function logged(path: string, options: SendOptions = {}): Promise<{ res: Response; line: Trace; raw: string }> {
  const log = captureConsole('log');
  const error = captureConsole('error');
  const res = await send(path, { now: steppingClock(), ...options });
  const lines = [...log.calls(), ...error.calls()].filter((l) => l.startsWith('{"msg":"request"'));
  log.restore();
  error.restore();
  expect(lines, path).toHaveLength(1);
  return { res, line: JSON.parse(lines[0]!) as Trace, raw: lines[0]! };
}

describe('the request log line', () => {
  it('a forwarded active session: rule, canonical path without the query, user, origin status, durations', async () => {
    const token = await mintToken();
    const { res, line, raw } = await logged('/a/../Dashboard//x?secret=s3cr3t', { bearer: token });
    expect(res.status).toBe(200);
    expect(line).toMatchObject({
      msg: 'request',
      method: 'GET',
      path: '/Dashboard/x',
      rule: '/dashboard(.*)',
      decision: 'forward',
      status: 200,
      reason: null,
      user_id: 'user_1',
      session_status: 'active',
      origin_status: 200,
      auth_ms: 10,
      origin_ms: 10,
      total_ms: 50,
    });
    expect(line.request_id).toBe(res.headers.get('x-request-id'));
    expect(raw).not.toContain('s3cr3t');
    expect(raw).not.toContain(token);
    expect(line.steps).toBeUndefined();
  });

  it.each<[string, () => Promise<SendOptions>, Partial<Trace>, RegExp | null]>([
    ['no credentials', async () => ({}), { decision: 'deny', status: 401, reason: 'ERR_NO_CREDENTIALS', public_reason: 'no_credentials', session_status: 'signed-out' }, null],
    ['an expired token', async () => ({ bearer: await expiredToken() }), { reason: 'ERR_CLERK_SIGNED_OUT', public_reason: 'token_expired' }, /^session-token-expired(-refresh-[a-z-]+)?: /],
    ['a token not yet valid', async () => ({ bearer: await mintToken({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }) }), { reason: 'ERR_CLERK_SIGNED_OUT', public_reason: 'token_not_yet_valid' }, /^session-token-nbf: /],
    ['azp not allowed', async () => ({ bearer: await mintToken({ claims: { azp: 'https://evil.example' } }) }), { reason: 'ERR_CLERK_SIGNED_OUT', public_reason: 'token_invalid' }, /token-invalid-authorized-parties.*https:\/\/evil\.example/],
    ['another instance’s iss', async () => ({ bearer: await mintToken({ claims: { iss: 'https://clerk.other.example' } }) }), { reason: 'ERR_CLERK_SIGNED_OUT', public_reason: 'token_invalid' }, /token-invalid-issuer/],
    ['a bad signature', async () => ({ bearer: await mintToken({ key: 'foreign' }) }), { reason: 'ERR_TOKEN_SIGNATURE', public_reason: 'token_invalid' }, null],
    ['a pending session', async () => ({ bearer: await mintToken({ claims: { sts: 'pending' } }) }), { reason: 'ERR_SESSION_PENDING', public_reason: 'session_pending', session_status: 'pending', user_id: 'user_1' }, null],
    ['two different __session cookies', async () => ({ cookie: '__session=a; __session=b; __client_uat=1' }), { reason: 'ERR_AMBIGUOUS_SESSION_COOKIE', public_reason: 'ambiguous_session' }, null],
  ])('%s: a reason that tells it apart, and the detail', async (_, options, expected, detail) => {
    const { line, raw } = await logged('/dashboard/api', await options());
    expect(line).toMatchObject({ status: 401, rule: '/dashboard(.*)', ...expected });
    if (detail) expect(line.detail).toMatch(detail);
    else expect(line.detail).toBeNull();
    expect(raw).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  });

  it('an unknown kid (JWKS mode)', async () => {
    const { env } = scopedBackendApi('logkid', { jwks: true });
    const { line } = await logged('/dashboard/api', { env, bearer: await mintToken({ header: { kid: 'ins_unknown' } }) });
    expect(line).toMatchObject({ reason: 'ERR_UNKNOWN_KID', public_reason: 'token_invalid' });
  });

  it('a handshake, a sign-in redirect, a refused path', async () => {
    const expired = await expiredToken();
    const handshake = await logged('/dashboard', { navigate: true, cookie: sessionCookie(expired, Math.floor(Date.now() / 1000) - 120) });
    expect(handshake.line).toMatchObject({ decision: 'redirect', status: 307, reason: 'HANDSHAKE', public_reason: 'handshake' });
    const signIn = await logged('/dashboard', { navigate: true });
    expect(signIn.line).toMatchObject({ decision: 'redirect', reason: 'ERR_NO_CREDENTIALS', public_reason: 'no_credentials' });
    const path = await logged('/dash%252Fboard?token=abc');
    expect(path.line).toMatchObject({ decision: 'refuse', status: 400, path: null, reason: 'ERR_PATH_DOUBLE_ENCODING', public_reason: 'bad_path' });
    expect(path.raw).not.toContain('token=abc');
  });

  it('the Backend API budget spent', async () => {
    const { env } = scopedBackendApi('logbudget');
    const frozen = Date.now();
    captureConsole('warn');
    for (let i = 0; i < 20; i++) await send(`/about?__clerk_handshake_nonce=junk-${i}`, { env, navigate: true, now: () => frozen });
    const { line } = await logged('/about?__clerk_handshake_nonce=one-more', { env, navigate: true, now: () => frozen });
    expect(line).toMatchObject({ decision: 'forward', reason: 'ERR_BACKEND_BUDGET', public_reason: 'busy', detail: 'handshake-nonce refused by the Backend API budget' });
  });

  it('origin unreachable and origin timeout: 5xx lines go to the error stream', async () => {
    const unreachable = await logged('/about', { fetch: () => Promise.reject(new TypeError('Network connection lost.')) });
    expect(unreachable.line).toMatchObject({ decision: 'forward', status: 502, reason: 'ERR_ORIGIN_UNREACHABLE', public_reason: 'origin_unreachable', origin_status: null });
    const slow = await logged('/about', { env: { ...testEnv, ORIGIN_TIMEOUT_MS: '20' }, fetch: () => new Promise(() => undefined) });
    expect(slow.line).toMatchObject({ status: 504, reason: 'ERR_ORIGIN_TIMEOUT', public_reason: 'origin_timeout' });
  });

  it('LOG_LEVEL=error keeps 5xx lines only; LOG_LEVEL=debug adds the readings and the rule each matched', async () => {
    const quiet: Env = { ...testEnv, LOG_LEVEL: 'error' };
    const log = captureConsole('log');
    const error = captureConsole('error');
    await send('/dashboard/api', { env: quiet });
    await send('/about', { env: quiet, fetch: () => Promise.reject(new TypeError('down')) });
    expect(log.calls().filter((l) => l.startsWith('{"msg"'))).toEqual([]);
    expect(error.calls().filter((l) => l.startsWith('{"msg"'))).toHaveLength(1);
    log.restore();
    error.restore();

    const { line } = await logged('/api/%E2%84%AAeys', {
      env: { ...testEnv, LOG_LEVEL: 'debug' },
      config: defineConfig({ routes: [{ match: '/api/keys(.*)', protect: true }] }),
    });
    expect(line.rule).toBe('/api/keys(.*)');
    expect(line.steps?.raw_path).toBe('/api/%E2%84%AAeys');
    expect(line.steps?.readings).toContain('/api/keys');
    expect(line.steps?.matches).toContainEqual({ reading: '/api/keys', rule: '/api/keys(.*)' });
    expect(line.steps?.matches).toContainEqual({ reading: '/api/\u212aeys', rule: null });
  });
});

describe('X-Request-Id', () => {
  it('is on every answer and reaches the origin: cf-ray when Cloudflare sent one, else a new UUID', async () => {
    const forwarded = await send('/about', { headers: { 'cf-ray': '8f1e2d3c4b5a6978-LHR' } });
    expect(forwarded.headers.get('x-request-id')).toBe('8f1e2d3c4b5a6978-LHR');
    expect((await originSaw(forwarded)).headers['x-request-id']).toBe('8f1e2d3c4b5a6978-LHR');
    const a = await send('/dashboard/api');
    const b = await send('/dashboard/api');
    expect(a.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
    expect((await send('/dash%252Fboard')).headers.get('x-request-id')).toBeTruthy();
    expect((await send('/dashboard', { navigate: true })).headers.get('x-request-id')).toBeTruthy();
    expect((await send('/__gateway/health')).headers.get('x-request-id')).toBeTruthy();
  });

  it('a client cannot choose it: a cf-ray that is not a plain token is replaced, the client’s X-Request-Id is overwritten', async () => {
    const res = await send('/about', { headers: { 'cf-ray': 'x"},{"msg":"forged', 'x-request-id': 'client-chosen' } });
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await originSaw(res)).headers['x-request-id']).toBe(id);
  });
});

describe('health endpoint', () => {
  const everything = defineConfig({ routes: [{ match: '/(.*)', protect: true }] });

  it('answers without the origin or Clerk, even under a rule that protects every path', async () => {
    const probe = newProbe('health');
    const res = await send('/__gateway/health', { config: everything, probe });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(await originCount(probe)).toBe(0);
  });

  it('says the configuration is invalid without any value from it', async () => {
    captureConsole('error');
    const env = { ...testEnv, ORIGIN_URL: 'http://internal.secret.example:9/x?y', CLERK_SECRET_KEY: 'nope' };
    const res = await send('/__gateway/health', { env });
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ status: 'misconfigured', problems: 2 });
    expect(body).not.toMatch(/internal|secret|nope/);
  });

  it('says misconfigured on a host whose sign-in page a route protects, and ok on the others', async () => {
    captureConsole('error');
    const env = { ...testEnv, CLERK_SIGN_IN_URL: 'https://gateway.test/sign-in' };
    const looping = await send('/__gateway/health', { env, config: everything });
    expect([looping.status, await looping.json()]).toEqual([503, { status: 'misconfigured', problems: 1 }]);
    const other = await send('/__gateway/health', { env, config: everything, origin: 'https://other.test' });
    expect(other.status).toBe(200);
  });

  it('one exact path, configurable; nothing near it is exempt', async () => {
    for (const path of ['/__gateway/health/', '/__gateway/Health', '/__gateway/health%2F', '/__gateway//health', '/__gateway/healthz', '/__gateway/health;x']) {
      expect([400, 401], path).toContain((await send(path, { config: everything })).status);
    }
    const env = { ...testEnv, HEALTH_PATH: '/healthz' };
    expect((await send('/healthz', { env, config: everything })).status).toBe(200);
    expect((await send('/__gateway/health', { env, config: everything })).status).toBe(401);
  });
});

describe('metrics (Workers Analytics Engine)', () => {
  it('one data point per request when GATEWAY_METRICS is bound, none when it is not', async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    const dataset = { writeDataPoint: (point?: AnalyticsEngineDataPoint) => void points.push(point ?? {}) } as AnalyticsEngineDataset;
    const env = { ...testEnv, GATEWAY_METRICS: dataset };
    await send('/dashboard/api', { env, now: steppingClock() });
    await send('/dashboard/api', { env, bearer: await mintToken() });
    expect(points).toHaveLength(2);
    expect(points[0]).toEqual({ blobs: ['deny', 'no_credentials', '/dashboard(.*)', 'signed-out'], doubles: [401, 30], indexes: ['deny'] });
    expect(points[1]?.blobs).toEqual(['forward', '', '/dashboard(.*)', 'active']);

    const failing = { writeDataPoint: () => { throw new Error('dataset down'); } } as unknown as AnalyticsEngineDataset;
    captureConsole('error');
    expect((await send('/about', { env: { ...testEnv, GATEWAY_METRICS: failing } })).status).toBe(200);
  });
});

describe('sign-out endpoint', () => {
  const SAME = { origin: 'https://gateway.test' };

  it('POST from this site: revokes the session, clears Clerk’s cookies for this host and its parents, 303 to SIGN_OUT_REDIRECT_URL', async () => {
    const { env, calls } = scopedBackendApi('signout');
    const token = await mintToken({ claims: { sid: 'sess_out' } });
    const res = await send('/__gateway/sign-out', {
      env: { ...env, SIGN_OUT_REDIRECT_URL: '/goodbye' },
      method: 'POST',
      headers: SAME,
      cookie: `${sessionCookie(token)}; __refresh_abc=r; __clerk_db_jwt=d; theme=dark`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://gateway.test/goodbye');
    const cleared = res.headers.getSetCookie();
    for (const name of ['__session', '__client_uat', '__refresh_abc', '__clerk_db_jwt']) {
      expect(cleared).toContain(`${name}=; Path=/; Max-Age=0; SameSite=Lax; Secure`);
      expect(cleared).toContain(`${name}=; Path=/; Max-Age=0; SameSite=Lax; Secure; Domain=gateway.test`);
    }
    expect(cleared.some((c) => c.startsWith('theme='))).toBe(false);
    expect((await calls())['/v1/sessions/:sid/revoke']).toBe(1);
  });

  it('a browser GET gets a one-button form that POSTs to the sign-out path; it revokes nothing', async () => {
    const { env, calls } = scopedBackendApi('signoutform');
    const cookie = sessionCookie(await mintToken());
    const page = await send('/__gateway/sign-out', { env, cookie, navigate: true });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html.match(/<form method="post" action="\/__gateway\/sign-out"><button type="submit">Sign out<\/button><\/form>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|<input/);
    expect(page.headers.getSetCookie()).toEqual([]);
    // The POST that button makes (same origin) signs out.
    const post = await send('/__gateway/sign-out', { env, cookie, method: 'POST', headers: { origin: 'https://gateway.test' } });
    expect(post.status).toBe(303);
    expect((await calls())['/v1/sessions/:sid/revoke']).toBe(1);
  });

  it('refuses other methods (405; an API client\'s GET too) and other sites (403), without revoking anything', async () => {
    const { env, calls } = scopedBackendApi('signoutbad');
    const cookie = sessionCookie(await mintToken());
    for (const request of [{ method: 'GET' }, { method: 'PUT', navigate: true }, { method: 'DELETE' }]) {
      const res = await send('/__gateway/sign-out', { env, cookie, ...request });
      expect([res.status, res.headers.get('allow')], JSON.stringify(request)).toEqual([405, 'POST']);
    }
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, {}] as Record<string, string>[]) {
      expect((await send('/__gateway/sign-out', { env, cookie, method: 'POST', headers })).status, JSON.stringify(headers)).toBe(403);
    }
    expect((await send('/__gateway/sign-out', { env, cookie, method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(303);
    expect((await calls())['/v1/sessions/:sid/revoke']).toBe(1);
  });

  it('past the Backend API budget the cookies are still cleared and the revocation is logged as skipped', async () => {
    const { env, calls } = scopedBackendApi('signoutbudget');
    const frozen = Date.now();
    captureConsole('warn');
    for (let i = 0; i < 20; i++) await send(`/about?__clerk_handshake_nonce=junk-${i}`, { env, navigate: true, now: () => frozen });
    const error = captureConsole('error');
    const res = await send('/__gateway/sign-out', { env, cookie: sessionCookie(await mintToken()), method: 'POST', headers: SAME, now: () => frozen });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().length).toBeGreaterThan(0);
    expect((await calls())['/v1/sessions/:sid/revoke'] ?? 0).toBe(0);
    expect(error.text()).toMatch(/could not revoke session sess_1: Backend API budget spent/);
  });

  it('signed out: nothing to revoke, cookies cleared anyway', async () => {
    const { env, calls } = scopedBackendApi('signoutanon');
    const res = await send('/__gateway/sign-out', { env, method: 'POST', headers: SAME });
    expect(res.status).toBe(303);
    expect((await calls())['/v1/sessions/:sid/revoke'] ?? 0).toBe(0);
  });
});
