// The gateway's own session-token verification against @clerk/backend's: a generated corpus of
// tokens (valid ones, each claim broken in each way, header variants, v1 and v2 claims, pending
// sessions, random combinations) goes through both, as a bearer token and as a cookie session,
// and both must sign in exactly the same tokens, with exactly the same identity. A @clerk/backend
// upgrade that changes its checks fails here rather than silently diverging.
import { createClerkClient } from '@clerk/backend';
import fc from 'fast-check';
import { importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

import { identityFromAuth } from '../../../../src/auth/identity';
import type { Identity } from '../../../../src/auth/result';
import { acceptSessionClaims } from '../../../../src/auth/session/session-claims';
import { JwksGate } from '../../../../src/auth/limits/jwks-gate';
import { SignatureVerifier } from '../../../../src/auth/session/signature';
import { parseSettings } from '../../../../src/settings/settings';
import { GATEWAY, ISSUER, KID, privateJwk, testEnv } from '../../../helpers';

const runs = Math.max(50, Number.parseInt(testEnv.FUZZ_RUNS, 10) * 5);
const seed = Number.parseInt(testEnv.FUZZ_SEED, 10);

const settings = (() => {
  const parsed = parseSettings(testEnv);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.settings;
})();
const PARTIES = [GATEWAY];
const API_URL = `http://127.0.0.1:${testEnv.TEST_BAPI_PORT}`;
// Both key sources: the PEM of CLERK_JWT_KEY, and the JWKS from the (fake) Backend API.
const MODES = {
  pem: {
    clerk: createClerkClient({ secretKey: settings.secretKey, publishableKey: settings.publishableKey, jwtKey: settings.jwtKey! }),
    verifier: new SignatureVerifier({ kind: 'pem', pem: settings.jwtKey! }),
  },
  jwks: {
    clerk: createClerkClient({ secretKey: settings.secretKey, publishableKey: settings.publishableKey, apiUrl: API_URL }),
    verifier: new SignatureVerifier({ kind: 'jwks', gate: new JwksGate({ secretKey: settings.secretKey, apiUrl: API_URL }) }),
  },
};
type Mode = keyof typeof MODES;

const keys: Record<string, CryptoKey> = {};
beforeAll(async () => {
  for (const alg of ['RS256', 'RS384', 'RS512']) keys[alg] = (await importJWK({ ...privateJwk(), alg }, alg)) as CryptoKey;
  // The gate loads the JWKS once, as it would on the first token with the instance's kid.
  const gate = (MODES.jwks.verifier as unknown as { source: { gate: JwksGate } }).source.gate;
  expect(await gate.admits([await mint(base(), Math.floor(Date.now() / 1000))])).toBe('admitted');
});

/** How a token is built: claim and header choices, each a value, or OMIT. */
const OMIT = Symbol('omit');
type Choice = unknown;
interface Spec {
  claims: Record<string, Choice>;
  header: Record<string, Choice>;
  /** `__client_uat` relative to now, for the cookie session. */
  uatOffset: number;
}

// Every claim's variants, relative to now (seconds) where they are times. The time variants keep
// two seconds from Clerk's 5 s skew boundaries, so a token cannot cross one between the two checks.
const CLAIMS: Record<string, Choice[]> = {
  sub: ['user_1', OMIT, 123, '', 'mch_machine', 'user with space', null],
  sid: ['sess_1', OMIT, 123, '', 'sess with space', 'x'.repeat(600)],
  iss: [ISSUER, OMIT, 'https://clerk.other.example', `${ISSUER}/`, 'http://clerk.gateway.test', 42, ''],
  azp: [GATEWAY, OMIT, '', 'https://evil.example', [GATEWAY], `${GATEWAY}/`, 'HTTPS://GATEWAY.TEST', null],
  exp: [60, OMIT, -60, -7, -3, 3600, 'soon', 0.5, null],
  nbf: [-1, OMIT, 60, 7, 3, -3600, 'now', null],
  iat: [-1, OMIT, 60, 7, 3, -3600, 'then', null],
  v: [2, OMIT, 1, '2'],
  sts: ['active', OMIT, 'pending', 'other', null],
  o: [OMIT, { id: 'org_1', rol: 'admin', slg: 'acme', per: 'read,manage', fpm: '3' }, { id: 'org_2', rol: 'member' }, { id: 'bad org', rol: 'admin' }, 'x'],
  fea: [OMIT, 'o:billing,u:export', ''],
  org_id: [OMIT, 'org_v1'],
  org_role: [OMIT, 'org:admin'],
  org_slug: [OMIT, 'legacy'],
  org_permissions: [OMIT, ['org:billing:read', 'org:bad,perm'], 'x'],
  act: [OMIT, { sub: 'user_admin' }],
};
const HEADER: Record<string, Choice[]> = {
  alg: ['RS256', 'RS384', 'RS512'],
  typ: ['JWT', OMIT, 'jwt', 'at+jwt', 'application/at+jwt', 'JOSE'],
  cat: [OMIT, 'cl_B7d4PD111AAA', 'cl_I7d4PD111III', 'cl_B7d4PD333AAA', 'other'],
  kid: [KID, OMIT, 'ins_other_kid'],
};
const TIMES = new Set(['exp', 'nbf', 'iat']);

function base(): Spec {
  const pick = (variants: Record<string, Choice[]>) => Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, v[0]]));
  return { claims: pick(CLAIMS), header: pick(HEADER), uatOffset: -1 };
}

/** The valid token, and every single claim and header variant of it. */
function singleChanges(): Spec[] {
  const specs: Spec[] = [base()];
  for (const [group, variants] of [['claims', CLAIMS], ['header', HEADER]] as const) {
    for (const [name, values] of Object.entries(variants)) {
      for (const value of values.slice(1)) {
        const spec = base();
        spec[group][name] = value;
        specs.push(spec);
      }
    }
  }
  for (const uatOffset of [-3600, 0, 30]) specs.push({ ...base(), uatOffset });
  return specs;
}

// Mostly the valid value, so that a good share of the combinations are signed in.
const variant = (values: Choice[]) => fc.oneof({ weight: 15, arbitrary: fc.constant(values[0]) }, { weight: 1, arbitrary: fc.constantFrom(...values.slice(1)) });
const specArb: fc.Arbitrary<Spec> = fc.record({
  claims: fc.record(Object.fromEntries(Object.entries(CLAIMS).map(([k, v]) => [k, variant(v)]))),
  header: fc.record(Object.fromEntries(Object.entries(HEADER).map(([k, v]) => [k, variant(v)]))),
  uatOffset: fc.constantFrom(-1, -3600, 0, 30),
});

async function mint(spec: Spec, now: number): Promise<string> {
  const payload: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.claims)) {
    if (value === OMIT) continue;
    payload[name] = TIMES.has(name) && typeof value === 'number' ? now + value : value;
  }
  const header: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.header)) if (value !== OMIT) header[name] = value;
  const alg = header.alg as string;
  return new SignJWT(payload as JWTPayload).setProtectedHeader(header as { alg: string }).sign(keys[alg]!);
}

type Verdict = Identity | 'signed-out';

async function ours(mode: Mode, token: string, clientUat: number | undefined): Promise<Verdict> {
  const signed = await MODES[mode].verifier.verified(token);
  if (!signed) return 'signed-out';
  const options = { issuer: ISSUER, authorizedParties: PARTIES, nowMs: Date.now(), ...(clientUat === undefined ? {} : { clientUat }) };
  return acceptSessionClaims(signed.header, signed.payload, options) ?? 'signed-out';
}

async function clerks(mode: Mode, token: string, clientUat: number | undefined): Promise<Verdict> {
  const headers: Record<string, string> = clientUat === undefined ? { authorization: `Bearer ${token}` } : { cookie: `__session=${token}; __client_uat=${clientUat}` };
  const state = await MODES[mode].clerk.authenticateRequest(new Request(`${GATEWAY}/dashboard`, { headers }), {
    authorizedParties: PARTIES,
    issuer: ISSUER,
    acceptsToken: 'session_token',
  });
  if (state.status !== 'signed-in' || state.headers.get('location')) return 'signed-out';
  const auth = state.toAuth({ treatPendingAsSignedOut: false });
  const claims = auth && 'sessionClaims' in auth ? (auth.sessionClaims as Record<string, unknown>) : undefined;
  return (auth && 'sessionId' in auth ? identityFromAuth(auth, claims) : undefined) ?? 'signed-out';
}

let signedIn = 0;
let compared = 0;

async function agree(spec: Spec, encode: (token: string) => string = (token) => token): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const token = encode(await mint(spec, now));
  for (const mode of ['pem', 'jwks'] as const) {
    for (const clientUat of [undefined, now + spec.uatOffset]) {
      const mine = await ours(mode, token, clientUat);
      const theirs = await clerks(mode, token, clientUat);
      compared++;
      if (mine !== 'signed-out') signedIn++;
      const label = `${mode} ${clientUat === undefined ? 'bearer' : 'cookie'} ${JSON.stringify(spec, (_, v) => (v === OMIT ? '<omitted>' : v))} ${encode.name}`;
      expect(mine, label).toEqual(theirs);
    }
  }
}

describe(`session-token verification agrees with @clerk/backend (${runs} random tokens, seed ${seed})`, () => {
  // Clerk logs a warning for a cookie token without azp, once; the assertions are what count.
  it('the valid token and every single change to a claim or the header, as bearer and as cookie', async () => {
    const specs = singleChanges();
    for (const spec of specs) await agree(spec);
    expect(specs.length).toBeGreaterThan(80);
    expect(signedIn).toBeGreaterThan(20);
  });

  // The gateway decodes the segments itself (src/auth/session/compact-jws.ts): padding, leftover
  // bits and other alphabets must be read exactly as Clerk's loose base64url decoder reads them.
  it('the valid token in other encodings of its segments: padding, leftover bits, base64 alphabet', async () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const at = (i: number, change: (segment: string) => string) => (token: string) => token.split('.').map((seg, k) => (k === i ? change(seg) : seg)).join('.');
    const leftover = (seg: string) => seg.slice(0, -1) + ALPHABET[ALPHABET.indexOf(seg.at(-1)!) | 1];
    const encodings = {
      signaturePadded: at(2, (seg) => `${seg}==`),
      signaturePaddedMore: at(2, (seg) => `${seg}====`),
      signatureLeftoverBits: at(2, leftover),
      signatureBase64Alphabet: at(2, (seg) => seg.replace(/-/g, '+').replace(/_/g, '/')),
      signatureLonger: at(2, (seg) => `${seg}AA`),
      signatureWhitespace: at(2, (seg) => `${seg.slice(0, 10)} ${seg.slice(10)}`),
      headerPadded: at(0, (seg) => `${seg}=`),
      payloadPadded: at(1, (seg) => `${seg}=`),
      payloadLeftoverBits: at(1, leftover),
    };
    for (const [name, encode] of Object.entries(encodings)) {
      Object.defineProperty(encode, 'name', { value: name });
      await agree(base(), encode);
    }
  });

  it('random combinations of every variant', async () => {
    await fc.assert(fc.asyncProperty(specArb, (spec) => agree(spec)), { numRuns: runs, seed });
    // The corpus must exercise acceptance too, not only refusals.
    expect(signedIn).toBeGreaterThan(runs / 2);
    console.log(`session-claims differential: ${compared} verdicts compared, ${signedIn} signed in`);
  }, 120_000);
});
