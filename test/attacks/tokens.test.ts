// Attack catalogue, token classes: JWT `alg: none`, HS256 with the public key, foreign keys,
// `kid`/`jku`/`jwk` header tricks (CVE-2015-9235, CVE-2022-23540, fast-jwt CVE-2023-48223);
// missing claim checks (exp, nbf, iat, azp, sub, sid); machine tokens where only sessions are
// allowed; tokens of another instance; and a verification cache keyed too loosely (Oathkeeper
// CVE-2021-32701). One test per attack: each asserts the status and that the origin was not
// called (probe), as a bearer token and, where it applies, as a session cookie.
import { base64url, importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';

import {
  call,
  expectRefusedBy,
  KID,
  mintToken,
  newProbe,
  nowSeconds,
  originCount,
  originSaw,
  privateJwk,
  send,
  sessionClaims as claims,
  sessionCookie,
  testEnv,
} from '../helpers';

const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
const dec = (part: string) => JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>;

/** The foreign key's public half, as an attacker would embed it. */
function foreignPublicJwk(): JWK {
  const { kty, n, e } = privateJwk('foreign');
  return { kty, n, e, alg: 'RS256', use: 'sig', kid: KID } as JWK;
}

/** Refused as a bearer token on a protected API route: 401, origin not called. */
async function expectBearerRefused(token: string, path = '/dashboard/api'): Promise<void> {
  const res = await expectRefusedBy(path, 401, { bearer: token });
  expect(((await res.json()) as { error: string }).error).toBe('unauthenticated');
}

/** Refused as a session cookie: API 401 and navigation 307 (sign-in or handshake), origin not called. */
async function expectCookieRefused(token: string): Promise<void> {
  for (const navigate of [false, true]) await expectRefusedBy('/dashboard', navigate ? 307 : 401, { cookie: sessionCookie(token), navigate });
}

async function expectRefused(token: string): Promise<void> {
  await expectBearerRefused(token);
  await expectCookieRefused(token);
}

/** Accepted as a bearer token: forwarded with user_1's identity. */
async function expectAccepted(token: string): Promise<void> {
  const probe = newProbe('tok-ok');
  const seen = await originSaw(await call('/dashboard/api', { bearer: token, probe }));
  expect(seen.headers['x-auth-user-id']).toBe('user_1');
  expect(await originCount(probe)).toBe(1);
}

describe('JWT alg: none, HS256 with the public key, foreign keys, kid/jku/jwk tricks (CVE-2015-9235, CVE-2022-23540, CVE-2023-48223)', () => {
  it('control: a token of the instance is accepted', async () => {
    await expectAccepted(await mintToken());
  });

  it('alg: none (any case, with or without a signature) is refused', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const unsigned = `${enc({ alg, typ: 'JWT', kid: KID })}.${enc(claims())}`;
      await expectBearerRefused(`${unsigned}.`);
      await expectBearerRefused(`${unsigned}.${(await mintToken()).split('.')[2]}`);
    }
    await expectCookieRefused(`${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims())}.`);
  });

  it('HS256 signed with the public key (PEM as configured, and the PEM body) is refused', async () => {
    const pem = testEnv.CLERK_JWT_KEY!;
    const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    for (const secret of [pem, `${pem}\n`, body]) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        const token = await new SignJWT(claims()).setProtectedHeader({ alg, typ: 'JWT', kid: KID }).sign(new TextEncoder().encode(secret));
        await expectBearerRefused(token);
      }
    }
  });

  it('RS256 signed with a foreign key under the instance kid is refused', async () => {
    await expectRefused(await mintToken({ key: 'foreign' }));
  });

  it('kid injection (path traversal, SQL, empty, absent, local-*) with a foreign key is refused', async () => {
    for (const kid of ['../../../../dev/null', "' OR '1'='1", '', 'local-ins_test_key', 'ins_test_key\u0000', 'x'.repeat(4096)]) {
      await expectBearerRefused(await mintToken({ key: 'foreign', header: { kid } }));
    }
    await expectBearerRefused(await mintToken({ key: 'foreign', header: { kid: undefined } }));
  });

  it('jku / x5u pointing at an attacker key set is refused (no fetch, keys only from the pinned key)', async () => {
    const token = await mintToken({ key: 'foreign', header: { kid: 'attacker', jku: 'https://evil.example/jwks.json', x5u: 'https://evil.example/cert.pem' } });
    await expectRefused(token);
  });

  it('jwk header injection (the attacker\'s own public key embedded) is refused', async () => {
    await expectRefused(await mintToken({ key: 'foreign', header: { jwk: foreignPublicJwk() } }));
  });

  it('tampered payload with the original signature is refused', async () => {
    const [h, p, s] = (await mintToken()).split('.') as [string, string, string];
    await expectRefused(`${h}.${enc({ ...dec(p), sub: 'user_admin' })}.${s}`);
    await expectRefused(`${h}.${enc({ ...dec(p), o: { id: 'org_x', rol: 'admin', slg: 'x' } })}.${s}`);
  });

  it('RS384/PS256 headers over an RS256 signature, and alg confusion to ES256, are refused', async () => {
    const [, p, s] = (await mintToken()).split('.') as [string, string, string];
    for (const alg of ['RS384', 'PS256', 'ES256', 'EdDSA']) await expectBearerRefused(`${enc({ alg, typ: 'JWT', kid: KID })}.${p}.${s}`);
  });
});

describe('missing claim checks: exp, nbf, iat, azp, sub, sid (Clerk subdomain cookie leak guidance)', () => {
  // Time claims: @clerk/backend allows 5 s of skew. Margins of 3 s (accepted) and 8 s (refused)
  // keep second-boundary rounding (≤ 1 s) away from the 5 s edge.
  it('exp 3 s ago (within the 5 s skew) is accepted', async () => {
    await expectAccepted(await mintToken({ claims: { iat: nowSeconds() - 60, nbf: nowSeconds() - 60, exp: nowSeconds() - 3 } }));
  });

  it('exp 8 s ago is refused', async () => {
    await expectBearerRefused(await mintToken({ claims: { iat: nowSeconds() - 60, nbf: nowSeconds() - 60, exp: nowSeconds() - 8 } }));
  });

  it('nbf 3 s ahead (within the skew) is accepted', async () => {
    await expectAccepted(await mintToken({ claims: { nbf: nowSeconds() + 3 } }));
  });

  it('nbf 8 s ahead is refused', async () => {
    await expectBearerRefused(await mintToken({ claims: { nbf: nowSeconds() + 8 } }));
  });

  it('iat 8 s ahead is refused', async () => {
    await expectBearerRefused(await mintToken({ claims: { iat: nowSeconds() + 8, nbf: nowSeconds() - 1 } }));
  });

  it('missing exp is refused', async () => {
    await expectRefused(await mintToken({ omit: ['exp'] }));
  });

  it('exp as a string is refused', async () => {
    await expectBearerRefused(await mintToken({ claims: { exp: String(nowSeconds() + 60) } }));
  });

  it('missing sub is refused', async () => {
    await expectRefused(await mintToken({ omit: ['sub'] }));
  });

  it('sub that is not a string, or not header-safe, is refused', async () => {
    await expectBearerRefused(await mintToken({ claims: { sub: 12345 } }));
    await expectBearerRefused(await mintToken({ claims: { sub: 'user_1\r\nX-Auth-Org-Role: org:admin' } }));
  });

  it('missing sid is refused', async () => {
    await expectRefused(await mintToken({ omit: ['sid'] }));
  });

  it('wrong azp is refused', async () => {
    await expectRefused(await mintToken({ claims: { azp: 'https://evil.example' } }));
    await expectBearerRefused(await mintToken({ claims: { azp: 'https://gateway.test.evil.example' } }));
    await expectBearerRefused(await mintToken({ claims: { azp: 'http://gateway.test' } }));
  });

  // The gateway always passes authorizedParties (default: its own origin), and @clerk/backend then
  // refuses a token without azp (it only warns when no parties are given). Asserted both ways.
  it('missing azp is refused, as a cookie session and as a bearer token', async () => {
    await expectRefused(await mintToken({ omit: ['azp'] }));
  });
});

describe('machine tokens where only sessions are allowed (acceptsToken: session_token)', () => {
  it.each(['ak_live_0123456789abcdef', 'mt_0123456789abcdef0123456789abcdef', 'oat_0123456789abcdef0123456789abcdef'])(
    'opaque %s as a bearer token is refused without a Backend API call',
    async (token) => {
      await expectBearerRefused(token);
    },
  );

  it.each(['ak_live_0123456789abcdef', 'mt_0123456789abcdef', 'oat_0123456789abcdef'])('opaque %s as a __session cookie is refused', async (token) => {
    await expectCookieRefused(token);
  });

  it('an M2M JWT (sub: mch_…) signed with the instance key is refused', async () => {
    await expectRefused(await mintToken({ claims: { sub: 'mch_2abc', sid: undefined }, omit: ['sid'] }));
    await expectRefused(await mintToken({ claims: { sub: 'mch_2abc' } }));
  });

  it('an OAuth access-token JWT (typ: at+jwt) signed with the instance key is refused', async () => {
    await expectBearerRefused(await mintToken({ header: { typ: 'at+jwt' }, claims: { client_id: 'oauth_app', scope: 'profile' } }));
    await expectBearerRefused(await mintToken({ header: { typ: 'application/at+jwt' } }));
  });

  it('a JWT with the M2M category header (cat) is refused', async () => {
    await expectRefused(await mintToken({ header: { cat: 'cl_B7d4PD333AAA' } }));
  });
});

describe('a token of another instance (iss)', () => {
  it('iss of another Frontend API, signed with the instance key, is refused', async () => {
    await expectRefused(await mintToken({ claims: { iss: 'https://clerk.other.test' } }));
  });

  it('look-alike issuers (trailing slash, http, suffix, missing) are refused', async () => {
    for (const iss of ['https://clerk.gateway.test/', 'http://clerk.gateway.test', 'https://clerk.gateway.test.evil.example', 'https://CLERK.gateway.test']) {
      await expectBearerRefused(await mintToken({ claims: { iss } }));
    }
    await expectBearerRefused(await mintToken({ omit: ['iss'] }));
  });

  it('a token of another instance signed with that instance\'s key is refused', async () => {
    await expectRefused(await mintToken({ key: 'foreign', claims: { iss: 'https://clerk.other.test' } }));
  });
});

describe('verification cache keyed too loosely (Oathkeeper CVE-2021-32701)', () => {
  it('after a token is accepted, the same token with one payload character changed is refused', async () => {
    const token = await mintToken({ claims: { sub: 'user_A' } });
    const seen = await originSaw(await call('/dashboard/api', { bearer: token }));
    expect(seen.headers['x-auth-user-id']).toBe('user_A');
    const [h, p, s] = token.split('.') as [string, string, string];
    const changed = base64url.encode(new TextDecoder().decode(base64url.decode(p)).replace('"user_A"', '"user_B"'));
    expect(changed).not.toBe(p);
    await expectRefused(`${h}.${changed}.${s}`);
  });

  it('after a token is accepted, the same header and payload re-signed by a foreign key are refused', async () => {
    const token = await mintToken({ claims: { sub: 'user_A' } });
    await originSaw(await call('/dashboard/api', { bearer: token }));
    const [h, p] = token.split('.') as [string, string];
    const key = await importJWK(privateJwk('foreign'), 'RS256');
    const sig = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key as CryptoKey, new TextEncoder().encode(`${h}.${p}`)));
    await expectRefused(`${h}.${p}.${base64url.encode(sig)}`);
  });

  it('after a token is accepted, its header and payload with another valid token\'s signature are refused', async () => {
    const a = await mintToken({ claims: { sub: 'user_A' } });
    const b = await mintToken({ claims: { sub: 'user_B' } });
    await originSaw(await call('/dashboard/api', { bearer: a }));
    await originSaw(await call('/dashboard/api', { bearer: b }));
    const [h, p] = a.split('.') as [string, string];
    await expectRefused(`${h}.${p}.${b.split('.')[2]}`);
  });

  it('an accepted token is refused for a gateway served on another origin (azp re-checked per request)', async () => {
    const token = await mintToken();
    await originSaw(await call('/dashboard/api', { bearer: token }));
    const probe = newProbe('cache-azp');
    const res = await send('/dashboard/api', { origin: 'https://other.gateway.test', bearer: token, probe });
    expect(res.status).toBe(401);
    expect(await originCount(probe)).toBe(0);
  });

  it('an accepted bearer token is not accepted as a cookie session the client has since left (__client_uat newer)', async () => {
    const token = await mintToken();
    await originSaw(await call('/dashboard/api', { bearer: token }));
    await expectRefusedBy('/dashboard/api', 401, { cookie: sessionCookie(token, nowSeconds() + 30) });
  });

  it('an accepted token is refused once it has expired (time claims re-checked on every use)', async () => {
    // The gateway's clock is injected: 4 s past exp (accepted: skew 5 s, twice, the second time from
    // the cache), then 5.5 s past (refused). The token really expired a minute ago, so @clerk/backend
    // (on the real clock), asked once the gateway's own check refuses it, refuses it too.
    const exp = nowSeconds() - 60;
    const token = await mintToken({ claims: { iat: exp - 60, nbf: exp - 60, exp } });
    const env = { ...testEnv }; // a runtime (token cache) of its own
    const at = (ms: number) => () => exp * 1000 + ms;
    for (let i = 0; i < 2; i++) {
      const seen = await originSaw(await send('/dashboard/api', { env, now: at(4_000), bearer: token }));
      expect(seen.headers['x-auth-user-id']).toBe('user_1');
    }
    const probe = newProbe('tok-late');
    expect((await send('/dashboard/api', { env, now: at(5_500), bearer: token, probe })).status).toBe(401);
    expect((await send('/dashboard/api', { env, now: at(5_500), cookie: sessionCookie(token, exp - 60), probe })).status).toBe(401);
    expect(await originCount(probe)).toBe(0);
  });
});
