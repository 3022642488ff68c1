// The signed identity assertion: the gateway signs X-Auth-Assertion (ES256) on every forwarded
// request when GATEWAY_SIGNING_KEY is set, bound to the method and the request-target, and
// publishes its keys; an origin verifies with them. Rotation, wrong audience, replay to another
// path or method, expiry.
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

import type { Env } from '../../src/env';
import { JWKS_PATH, requestBinding } from '../../src/proxy/assertion';
import { captureConsole, mintToken, originSaw, send, testEnv } from '../helpers';

const ORIGIN = `http://127.0.0.1:${testEnv.TEST_ORIGIN_PORT}`;

async function newKey(kid: string): Promise<{ private: JWK; public: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { private: { ...(await exportJWK(privateKey)), kid }, public: { ...(await exportJWK(publicKey)), kid } };
}

let keyA: { private: JWK; public: JWK };
let keyB: { private: JWK; public: JWK };
let envA: Env;
let envB: Env;
beforeAll(async () => {
  keyA = await newKey('gw-a');
  keyB = await newKey('gw-b');
  envA = { ...testEnv, GATEWAY_SIGNING_KEY: JSON.stringify(keyA.private) };
  // Rotation: B signs, A is still published.
  envB = { ...testEnv, GATEWAY_SIGNING_KEY: JSON.stringify(keyB.private), GATEWAY_SIGNING_KEY_PREVIOUS: JSON.stringify(keyA.public) };
});

async function publishedKeys(env: Env): Promise<{ keys: JWK[] }> {
  const res = await send(JWKS_PATH, { env });
  expect(res.status).toBe(200);
  return (await res.json()) as { keys: JWK[] };
}

/** What an origin does: verify the signature with the published keys, iss, aud, time, and the binding. */
async function verify(assertion: string, keys: { keys: JWK[] }, request: { method: string; target: string }, options: { audience?: string; at?: Date } = {}): Promise<JWTPayload> {
  const { payload } = await jwtVerify(assertion, createLocalJWKSet(keys), {
    issuer: 'https://gateway.test',
    audience: options.audience ?? ORIGIN,
    algorithms: ['ES256'],
    clockTolerance: 5,
    ...(options.at ? { currentDate: options.at } : {}),
  });
  if (payload.req !== (await requestBinding(request.method, request.target))) throw new Error('req: the assertion is for another request');
  return payload;
}

async function assertionOf(res: Response): Promise<string> {
  const seen = await originSaw(res);
  const assertion = seen.headers['x-auth-assertion'];
  expect(typeof assertion).toBe('string');
  return assertion as string;
}

describe('X-Auth-Assertion', () => {
  it('an active session: signed by the gateway for this origin, this method and target, with the identity', async () => {
    const assertion = await assertionOf(await send('/dashboard/a%20b?x=1&y=2', { env: envA, bearer: await mintToken({ claims: { o: { id: 'org_1', rol: 'admin', slg: 'acme' } } }) }));
    const claims = await verify(assertion, await publishedKeys(envA), { method: 'GET', target: '/dashboard/a%20b?x=1&y=2' });
    expect(claims).toMatchObject({ iss: 'https://gateway.test', aud: ORIGIN, sub: 'user_1', sid: 'sess_1', sts: 'active', org_id: 'org_1', org_role: 'org:admin', org_slug: 'acme' });
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(60);
  });

  it('signed-out requests carry one too, without a subject, so the origin knows they came through the gateway', async () => {
    const assertion = await assertionOf(await send('/about', { env: envA, method: 'POST', body: 'x' }));
    const claims = await verify(assertion, await publishedKeys(envA), { method: 'POST', target: '/about' });
    expect(claims.sts).toBe('signed-out');
    expect(claims.sub).toBeUndefined();
  });

  it('refuses a replay to another path, another query, another method', async () => {
    const assertion = await assertionOf(await send('/dashboard/x?a=1', { env: envA, bearer: await mintToken() }));
    const keys = await publishedKeys(envA);
    await expect(verify(assertion, keys, { method: 'GET', target: '/dashboard/x?a=1' })).resolves.toBeTruthy();
    await expect(verify(assertion, keys, { method: 'GET', target: '/dashboard/admin?a=1' })).rejects.toThrow(/another request/);
    await expect(verify(assertion, keys, { method: 'GET', target: '/dashboard/x?a=2' })).rejects.toThrow(/another request/);
    await expect(verify(assertion, keys, { method: 'DELETE', target: '/dashboard/x?a=1' })).rejects.toThrow(/another request/);
  });

  it('refuses a wrong audience and an expired assertion', async () => {
    const assertion = await assertionOf(await send('/about', { env: envA }));
    const keys = await publishedKeys(envA);
    await expect(verify(assertion, keys, { method: 'GET', target: '/about' }, { audience: 'https://other.example' })).rejects.toThrow(/aud/);
    await expect(verify(assertion, keys, { method: 'GET', target: '/about' }, { at: new Date(Date.now() + 40_000) })).rejects.toThrow(/exp/);
    const other = { ...envA, ASSERTION_AUDIENCE: 'https://api.internal.example' };
    const claims = await verify(await assertionOf(await send('/about', { env: other })), keys, { method: 'GET', target: '/about' }, { audience: 'https://api.internal.example' });
    expect(claims.aud).toBe('https://api.internal.example');
  });

  it('binds the target the origin receives, with the ORIGIN_URL prefix', async () => {
    const env = { ...envA, ORIGIN_URL: `${ORIGIN}/app/` };
    const assertion = await assertionOf(await send('/about?q=%2F', { env }));
    await expect(verify(assertion, await publishedKeys(env), { method: 'GET', target: '/app/about?q=%2F' })).resolves.toBeTruthy();
  });

  it('rotation: the new key signs, both are published, an assertion of the old key still verifies', async () => {
    const keys = await publishedKeys(envB);
    expect(keys.keys.map((k) => k.kid)).toEqual(['gw-b', 'gw-a']);
    expect(keys.keys.every((k) => k.d === undefined && k.alg === 'ES256' && k.use === 'sig')).toBe(true);
    const fresh = await assertionOf(await send('/about', { env: envB }));
    expect(JSON.parse(atob(fresh.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))).kid).toBe('gw-b');
    await expect(verify(fresh, keys, { method: 'GET', target: '/about' })).resolves.toBeTruthy();
    const old = await assertionOf(await send('/about', { env: envA }));
    await expect(verify(old, keys, { method: 'GET', target: '/about' })).resolves.toBeTruthy();
  });

  it('a forged assertion (another key) and a client-sent one never verify or pass', async () => {
    const forger = await newKey('gw-a');
    const forged = await new SignJWT({ sub: 'user_admin', sts: 'active', req: await requestBinding('GET', '/about') })
      .setProtectedHeader({ alg: 'ES256', kid: 'gw-a' })
      .setIssuer('https://gateway.test')
      .setAudience(ORIGIN)
      .setIssuedAt()
      .setExpirationTime('30s')
      .sign(await (await import('jose')).importJWK(forger.private, 'ES256'));
    await expect(verify(forged, await publishedKeys(envA), { method: 'GET', target: '/about' })).rejects.toThrow(/signature/);
    const seen = await originSaw(await send('/about', { env: envA, headers: { 'x-auth-assertion': forged } }));
    expect(seen.headers['x-auth-assertion']).not.toBe(forged);
  });

  it('ASSERTION_ISSUER: one issuer whatever host the request arrived on', async () => {
    const env = { ...envA, ASSERTION_ISSUER: 'https://app.example.com' };
    const assertion = await assertionOf(await send('/about', { env, origin: 'https://other-host.example.com' }));
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(await publishedKeys(env)), { issuer: 'https://app.example.com', audience: ORIGIN });
    expect(payload.iss).toBe('https://app.example.com');
    captureConsole('error');
    expect((await send('/about', { env: { ...envA, ASSERTION_ISSUER: 'https://app.example.com/path' } })).status).toBe(500);
  });

  it('without GATEWAY_SIGNING_KEY there is no assertion and the JWKS is empty', async () => {
    const seen = await originSaw(await send('/about'));
    expect(seen.headers['x-auth-assertion']).toBeUndefined();
    expect(await publishedKeys(testEnv)).toEqual({ keys: [] });
  });

  it('bad keys are configuration problems, each named', async () => {
    for (const [env, message] of [
      [{ GATEWAY_SIGNING_KEY: 'not json' }, /GATEWAY_SIGNING_KEY must be a JWK in JSON/],
      [{ GATEWAY_SIGNING_KEY: JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'k' }) }, /GATEWAY_SIGNING_KEY must be an EC P-256 private JWK with a kid/],
      [{ GATEWAY_SIGNING_KEY_PREVIOUS: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'k' }) }, /GATEWAY_SIGNING_KEY_PREVIOUS is set without GATEWAY_SIGNING_KEY/],
    ] as [Partial<Env>, RegExp][]) {
      const error = captureConsole('error');
      expect((await send('/about', { env: { ...testEnv, ...env } })).status).toBe(500);
      expect(error.text()).toMatch(message);
      error.restore();
    }
    const error = captureConsole('error');
    const sameKid = { ...testEnv, GATEWAY_SIGNING_KEY: JSON.stringify(keyA.private), GATEWAY_SIGNING_KEY_PREVIOUS: JSON.stringify(keyA.public) };
    expect((await send('/about', { env: sameKid })).status).toBe(500);
    expect(error.text()).toMatch(/the same kid/);
  });
});
