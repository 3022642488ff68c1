// Issue 19: `routes explain` must say what the gateway does. Random requests go through the Worker
// and through `explain` (src/explain/explain.ts), and the Worker's answer, read back as explain's
// `Outcome`, must be the outcome of explain's row for that request.
//
// Four worlds, each with the same compiled routes and settings on both sides:
// - "worker": the real Worker (src/worker.ts's default export, its fetch called with the test
//   bindings) and the test routes (test/fixtures/routes.config.ts, the demo's), explain with
//   `parseSettings(testEnv)`;
// - "rich": the gateway's request path (handleRequest, through helpers' `send`) with RICH below,
//   a config that uses what the fixture does not (CORS, methods, hosts, forwarded preflights,
//   defaultPolicy 'protect', plans, features, reverification, unauthorizedUrl, 'status', a
//   machine-only rule, an origin with stripPrefix);
// - "own sign-in": RICH with CLERK_SIGN_IN_URL=/sign-in (the sign-in pages public on the gateway);
// - "development instance": RICH on a pk_test_ instance, browsers holding a dev-browser token.
// Each world has two properties: any request, and CORS preflights only (rare among any requests,
// and where explain drifted before).
//
// Not generated, because explain has no input for them: htmx requests, `Referer`, expired or
// foreign tokens and handshakes, Clerk query parameters other than `__clerk_redirect_url` (which
// explain checks on development instances), request bodies.
//
// Which explain row a request is (explainRow, checked against no code in src/):
// - OPTIONS with `Origin` and `Access-Control-Request-Method`: the `preflight` row, with explain's
//   `preflight: { origin, asks, headers }` set from those headers;
// - GET or HEAD with `Sec-Fetch-Dest: document` (or no Sec-Fetch-Dest and an `Accept` starting
//   `text/html`): `page`;
// - any other method (not OPTIONS) with `Sec-Fetch-Mode: navigate`: `form` (no `Referer`, so both
//   sides return to the site's root after sign-in);
// - everything else: `api`. (htmx and navigations that are neither are not generated: explain has
//   no row for them.)
// explain's url is the request's full URL (so host rules and the site's sign-in URL are the same),
// its state and session flags are the generated ones; the Worker gets a real session token with
// exactly the claims `sessionClaims(flags, state)` says (plus iss/azp/iat/nbf/exp), signed with the
// test instance key, as `__session` cookie (with `__client_uat` 30 s back: no handshake) or bearer.
//
// Reading the Worker's answer as an Outcome (observe):
// - the origin's JSON echo (or, for HEAD, which has no body, the origin's probe count): `forward`,
//   with the `X-Auth-Session-Status` the origin received (unknown for HEAD: only the kind is compared);
// - 204 with `Access-Control-Allow-Origin` and no `X-Auth-Reason`: `answer`;
// - 303/307 with `Location`: `redirect` (status, location, `X-Auth-Reason`; the code is not sent);
// - anything else with `X-Auth-Reason`: `deny` (status, the body's `code`, `X-Auth-Reason`).
// explain's `stop` (answered before any rule) is a deny with its status and code, or for a gateway
// endpoint, "not forwarded". explain's `clerk` (Clerk answers first on a development instance: a
// satellite sync, a dev-browser sync) is, for a GET page load, a 307 handshake;
// for anything else, anything but a signed-in forward.
// explain gets the request's method-override header and the browser's other cookies (`headers`)
// and how the session is carried (`credential`): what it reads of a request, as the Worker does.
//
// Clock: tokens are minted from the real clock, valid 60 s from a second ago; the Worker reads them
// at once, so no machine speed can make them expire. Runs and seed as the other property tests:
// FUZZ_RUNS (200 in CI) with the fixed FUZZ_SEED; `npm run test:fuzz` 20 000 with a random seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { parseSettings, type GatewaySettings } from '../../src/settings/settings';
import type { CompiledConfig } from '../../src/config/types';
import type { Env } from '../../src/env';
import { explain } from '../../src/explain/explain';
import type { Outcome, Row, SessionFlags, SessionState } from '../../src/explain/report';
import { sessionClaims } from '../../src/explain/session-claims';
import { JWKS_PATH } from '../../src/proxy/assertion';
import routes from '../fixtures/routes.config';
import { callHandler, clientUat, GATEWAY, mintToken, newProbe, originCount, refusalCode, send, testEnv, type CallOptions } from '../helpers';

// ---------------------------------------------------------------------------------------------
// Runs and seed

const FUZZ_RUNS = Math.max(1, Number.parseInt(testEnv.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(testEnv.FUZZ_SEED ?? '20261126', 10);

function fuzz(): { numRuns: number; seed: number } {
  return { numRuns: FUZZ_RUNS, seed: FUZZ_SEED };
}

/** Each run is a few milliseconds (a token signed, a request through the Worker, maybe the origin); 25 ms allowed, for a loaded machine. */
const TIMEOUT_MS = 60_000 + FUZZ_RUNS * 25;

// ---------------------------------------------------------------------------------------------
// The worlds

const FRONT = 'https://app.example';
const ADMIN_HOST = 'https://admin.gateway.test';

const RICH = defineConfig({
  defaultPolicy: 'protect',
  cors: { origins: [FRONT], methods: ['GET', 'POST', 'PUT', 'DELETE'], headers: ['content-type'] },
  routes: [
    { match: '/', protect: false, name: 'home' },
    { match: '/pricing(.*)', protect: false },
    { match: '/denied', protect: false },
    { match: '/api/public(.*)', protect: false, cors: false },
    { match: '/api(.*)', methods: ['POST', 'PUT', 'PATCH', 'DELETE'], protect: { permission: 'org:invoices:manage' }, onUnauthenticated: 'status', name: 'api writes' },
    { match: '/api(.*)', protect: true, onUnauthenticated: 'status', name: 'api reads' },
    { match: '/hooks(.*)', protect: true, forwardPreflightsUnauthenticated: true, cors: false },
    { match: '/admin(.*)', hosts: ['admin.gateway.test'], protect: { role: 'org:admin' }, unauthorizedUrl: '/denied' },
    { match: '/billing(.*)', protect: { plan: 'pro' } },
    { match: '/export(.*)', protect: { feature: 'export', reverification: 'strict' } },
    { match: '/account/status(.*)', protect: { treatPendingAsSignedOut: false } },
    { match: '/orgs/:org/settings(.*)', protect: { organizationParam: 'org', role: 'org:admin' }, name: 'org settings' },
    // Machine tokens only: a session is signed out here.
    { match: '/machine(.*)', protect: true, accept: ['m2m_token'], onUnauthenticated: 'status' },
    // Its origin routes /legacy/billing as /billing: the /billing rule must let it through too.
    { match: '/legacy(.*)', protect: false, origin: { url: testEnv.ORIGIN_URL!, stripPrefix: '/legacy' } },
  ],
});

function testSettings(env: Env = testEnv): GatewaySettings {
  const parsed = parseSettings(env);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.settings;
}

interface World {
  name: string;
  config: CompiledConfig;
  settings: GatewaySettings;
  /** Paths the rules name (mutated by the generator). */
  paths: readonly string[];
  /** Scheme and host the requests are served on. */
  hosts: readonly string[];
  call: (path: string, options: CallOptions) => Promise<Response>;
  /** Claims the instance's tokens carry besides explain's (a development instance's `iss`). */
  tokenClaims?: Record<string, unknown>;
  /** Cookies every browser of this instance holds (a development instance's dev-browser token). */
  browserCookies?: string;
}

const settings = testSettings();
/** The sign-in page on the gateway's own host: under defaultPolicy 'protect' it and its task pages are public. */
const OWN_SIGN_IN_ENV: Env = { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in' };
/** A development instance (pk_test_…); its browsers hold a dev-browser token. */
const DEV_FAPI = 'foo-bar-12.clerk.accounts.dev';
const DEV_ENV: Env = { ...testEnv, CLERK_PUBLISHABLE_KEY: `pk_test_${btoa(`${DEV_FAPI}$`)}`, CLERK_SECRET_KEY: 'sk_test_testsecret' };
const ENDPOINTS = [settings.healthPath, settings.signOutPath, JWKS_PATH];

/** The rule's host, and spellings of it: another scheme, a port, a trailing dot. */
const RICH_HOSTS = [GATEWAY, ADMIN_HOST, 'http://admin.gateway.test', 'https://admin.gateway.test:8443', 'https://admin.gateway.test.'];

const RICH_PATHS = [
  '/', '/pricing', '/denied', '/api/public/x', '/api/invoices/1', '/api', '/hooks/github', '/admin/users', '/billing', '/export/csv', '/account/status',
  '/orgs/acme/settings', '/orgs/org_acme/settings', '/orgs/other/settings', '/machine/jobs', '/legacy/billing', '/legacy/pricing', '/unknown/page', ...ENDPOINTS,
];

const WORLDS: World[] = [
  {
    name: 'worker',
    config: routes,
    settings,
    paths: ['/', '/pricing', '/dashboard', '/dashboard/reports/1', '/forum', '/forum/t/1', '/account/status', '/account/statusx', '/account', '/orgs/acme/settings', '/orgs/acme/settings/members', '/orgs/org_acme/settings', '/orgs/other/settings', '/orgs/acme', '/api/x', ...ENDPOINTS],
    hosts: [GATEWAY],
    call: callHandler,
  },
  {
    name: 'rich',
    config: RICH,
    settings,
    paths: RICH_PATHS,
    hosts: RICH_HOSTS,
    call: (path, options) => send(path, { ...options, config: RICH }),
  },
  {
    name: 'own sign-in',
    config: RICH,
    settings: testSettings(OWN_SIGN_IN_ENV),
    paths: [...RICH_PATHS, '/sign-in', '/sign-in/tasks', '/sign-in/factor-one', '/sign-inx'],
    hosts: RICH_HOSTS,
    call: (path, options) => send(path, { ...options, config: RICH, env: OWN_SIGN_IN_ENV }),
  },
  {
    name: 'development instance',
    config: RICH,
    settings: testSettings(DEV_ENV),
    paths: RICH_PATHS,
    hosts: RICH_HOSTS,
    call: (path, options) => send(path, { ...options, config: RICH, env: DEV_ENV }),
    tokenClaims: { iss: `https://${DEV_FAPI}` },
    browserCookies: '__clerk_db_jwt=dvb_test',
  },
];

// ---------------------------------------------------------------------------------------------
// Generators

/** How the request presents itself (see explainRow). */
type Profile = 'navigate' | 'iframe' | 'html' | 'form' | 'json' | 'any' | 'bare' | 'preflight';

interface Sample {
  world: string;
  method: string;
  path: string;
  /** '' or '?…' */
  query: string;
  host: string;
  profile: Profile;
  /** For the preflight profile. */
  preflight?: { origin?: string; asks?: string; headers?: string };
  /** A method-override header (`X-HTTP-Method-Override` or a sibling) and its value. */
  override?: { header: string; value: string };
  state: SessionState;
  flags: SessionFlags;
  credential: 'cookie' | 'bearer';
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'patch'] as const;

/** One change to a path: each is a spelling some client or attacker sends. */
const MUTATIONS: Record<string, (path: string, at: number) => string> = {
  upper: (p) => p.toUpperCase(),
  mixedCase: (p, at) => [...p].map((c, k) => ((k + at) % 2 ? c.toUpperCase() : c)).join(''),
  trailingSlash: (p) => (p.endsWith('/') ? p : `${p}/`),
  doubleSlash: (p, at) => atSlash(p, at, '//'),
  encodedSlash: (p, at) => atSlash(p, at, at % 2 ? '/%2f' : '/%2F'),
  backslash: (p, at) => atSlash(p, at, '\\'),
  matrix: (p, at) => {
    // `;v=1` at the end of a segment (never before the first slash: that would be the host's).
    const ends = [...[...p].map((c, k) => (c === '/' && k > 0 ? k : -1)).filter((k) => k > 0), p.length];
    const k = ends[at % ends.length] as number;
    return `${p.slice(0, k)};v=1${p.slice(k)}`;
  },
  dotDot: (p) => `/x/..${p}`,
  encodedDotDot: (p, at) => (at % 2 ? `/x/%2e%2e${p}` : `${p}/%2e%2e/`),
  encodedChar: (p, at) => {
    const letters = [...p].map((c, k) => [c, k] as const).filter(([c]) => /[a-z]/i.test(c));
    const pick = letters[at % Math.max(1, letters.length)];
    if (!pick) return p;
    return `${p.slice(0, pick[1])}%${pick[0].charCodeAt(0).toString(16).toUpperCase()}${p.slice(pick[1] + 1)}`;
  },
  malformed: (p) => `${p}%zz`,
  nul: (p) => `${p}%00`,
  unicode: (p) => `${p}/%C3%A9`,
  tooLong: (p) => `${p}/${'a'.repeat(2100)}`,
};

/** `path` with its `at`-th slash (modulo their number) replaced by `by`. */
function atSlash(path: string, at: number, by: string): string {
  const slashes = [...path].map((c, k) => (c === '/' ? k : -1)).filter((k) => k >= 0);
  const k = slashes[at % slashes.length] ?? 0;
  return `${path.slice(0, k)}${by}${path.slice(k + 1)}`;
}

const flagsArb: fc.Arbitrary<SessionFlags> = fc
  .record(
    {
      role: fc.constantFrom('org:admin', 'org:member', 'admin'),
      permissions: fc.subarray(['org:invoices:manage', 'org:invoices:read']),
      features: fc.subarray(['export', 'o:export', 'u:beta']),
      plans: fc.subarray(['pro', 'o:pro', 'u:free']),
      orgSlug: fc.constantFrom('acme', 'other'),
      orgId: fc.constantFrom('org_acme'),
      fva: fc.constantFrom([0, 0] as const, [5, -1] as const, [-1, -1] as const, [120, 120] as const),
    },
    { requiredKeys: [] },
  )
  .map((flags) => flags as SessionFlags);

/** Random requests to `world`; with `preflights`, CORS preflights only (OPTIONS with Origin and the asked method, mostly). */
function sampleArb(world: World, preflights = false): fc.Arbitrary<Sample> {
  const mutated = fc
    .tuple(fc.constantFrom(...world.paths), fc.array(fc.tuple(fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(20)), { maxLength: 2 }))
    .map(([path, changes]) => changes.reduce((p, [name, at]) => (MUTATIONS[name] as (p: string, at: number) => string)(p, at), path));
  return fc
    .record({
      // OPTIONS more often: its preflight rows are where explain drifted.
      method: preflights ? fc.constant('OPTIONS') : fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...METHODS) }, { weight: 3, arbitrary: fc.constant('OPTIONS') }),
      path: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...world.paths) }, { weight: 2, arbitrary: mutated }),
      query: fc.constantFrom(
        '',
        '',
        '?x=1',
        '?_method=DELETE',
        '?_method=put',
        '?q=%2Fdashboard',
        '?redirect_url=https%3A%2F%2Fevil.example',
        // Refused on development instances unless on the gateway's own origin (clerkRedirectUrlAllowed).
        '?__clerk_redirect_url=https%3A%2F%2Fevil.example%2Fx',
        `?__clerk_redirect_url=${encodeURIComponent(`${GATEWAY}/x`)}`,
      ),
      host: fc.constantFrom(...world.hosts),
      profile: preflights ? fc.constant<Profile>('preflight') : fc.constantFrom<Profile>('navigate', 'iframe', 'html', 'form', 'json', 'any', 'bare', 'preflight', 'preflight', 'preflight'),
      // Mostly both Origin and Access-Control-Request-Method (a preflight); sometimes one only (an
      // OPTIONS that is not one).
      preflight: fc
        .record({
          origin: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(FRONT, FRONT, 'https://evil.example', GATEWAY) }, { weight: 1, arbitrary: fc.constant(undefined) }),
          asks: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'put', 'PROPFIND') }, { weight: 1, arbitrary: fc.constant(undefined) }),
          headers: fc.constantFrom(undefined, 'content-type', 'x-custom', 'content-type, authorization'),
        })
        .map(({ origin, asks, headers }) => ({ ...(origin ? { origin } : {}), ...(asks ? { asks } : {}), ...(headers ? { headers } : {}) })),
      // One request in five.
      override: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record({ header: fc.constantFrom('x-http-method-override', 'x-http-method', 'x-method-override'), value: fc.constantFrom('DELETE', 'PATCH', 'GET', 'put') }),
        },
      ),
      state: fc.constantFrom<SessionState>('signed-out', 'pending', 'active'),
      flags: flagsArb,
      credential: fc.constantFrom('cookie', 'bearer' as const),
    })
    .map(({ preflight, override, ...rest }) => {
      // Navigations as OPTIONS do not exist (and explain has no row for them).
      const profile = rest.method === 'OPTIONS' && (rest.profile === 'navigate' || rest.profile === 'form' || rest.profile === 'iframe') ? 'bare' : rest.profile;
      return {
        world: world.name,
        ...rest,
        profile,
        ...(profile === 'preflight' ? { preflight } : {}),
        ...(override ? { override } : {}),
      } satisfies Sample;
    });
}

// ---------------------------------------------------------------------------------------------
// The request, its explain row, and the Worker's answer as an Outcome

function headersOf(sample: Sample): Record<string, string> {
  const headers: Record<string, string> = {};
  switch (sample.profile) {
    case 'navigate':
    case 'form':
      headers['sec-fetch-mode'] = 'navigate';
      headers['sec-fetch-dest'] = 'document';
      headers.accept = 'text/html,application/xhtml+xml';
      break;
    case 'iframe':
      headers['sec-fetch-mode'] = 'navigate';
      headers['sec-fetch-dest'] = 'iframe';
      headers.accept = 'text/html';
      break;
    case 'any':
      headers.accept = '*/*';
      break;
    case 'html':
      headers.accept = 'text/html';
      break;
    case 'json':
      headers.accept = 'application/json';
      headers['sec-fetch-mode'] = 'cors';
      headers['sec-fetch-dest'] = 'empty';
      break;
    case 'preflight':
      if (sample.preflight) {
        if (sample.preflight.origin) headers.origin = sample.preflight.origin;
        if (sample.preflight.asks) headers['access-control-request-method'] = sample.preflight.asks;
        if (sample.preflight.headers) headers['access-control-request-headers'] = sample.preflight.headers;
      }
      break;
    case 'bare':
      break;
  }
  if (sample.override) headers[sample.override.header] = sample.override.value;
  return headers;
}

/** The explain row this request is (see the file's header). */
function explainRow(sample: Sample): Row['client'] {
  const headers = headersOf(sample);
  const method = sample.method.toUpperCase();
  if (method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined) return 'preflight';
  const dest = headers['sec-fetch-dest'];
  const navigation = dest !== undefined ? dest === 'document' || dest === 'iframe' : (headers.accept ?? '').startsWith('text/html');
  if ((method === 'GET' || method === 'HEAD') && navigation) return 'page';
  if (headers['sec-fetch-mode'] === 'navigate') return 'form';
  return 'api';
}

/** What explain says, in the shape `observe` reads the Worker's answer in. */
type Expected = Outcome | { kind: 'endpoint' };

function explained(world: World, sample: Sample): Expected {
  const row = explainRow(sample);
  // What explain reads of the request besides its session: a method override, the browser's
  // cookies that are not the session (a development browser's dev-browser token).
  const headers: Record<string, string> = {};
  if (sample.override) headers[sample.override.header] = sample.override.value;
  if (world.browserCookies) headers.cookie = world.browserCookies;
  const report = explain(world.config, world.settings, {
    headers,
    credential: sample.credential,
    method: sample.method,
    url: `${sample.host}${sample.path}${sample.query}`,
    states: [sample.state],
    session: sample.flags,
    ...(row === 'preflight' ? { preflight: sample.preflight } : {}),
  });
  if (report.stop) {
    if (report.stop.code === 'endpoint') return { kind: 'endpoint' };
    return { kind: 'deny', status: report.stop.status ?? 0, code: report.stop.code, reason: '' };
  }
  const found = report.decisions[0]?.rows.find((r) => r.client === row);
  if (!found) throw new Error(`explain has no ${row} row for ${sample.method}: a bug in explainRow`);
  return found.outcome;
}

/** The Worker's answer, read as an Outcome (status of a HEAD forward unknown: undefined). */
type Observed =
  | { kind: 'forward'; status: string | undefined }
  | { kind: 'answer'; status: number; allowOrigin: string }
  | { kind: 'redirect'; status: number; location: string; reason: string }
  | { kind: 'deny'; status: number; code: string | undefined; reason: string }
  | { kind: 'other'; status: number };

async function credentials(world: World, sample: Sample): Promise<Pick<CallOptions, 'cookie' | 'bearer'>> {
  const browser = world.browserCookies ? [world.browserCookies] : [];
  const cookie = (pairs: string[]) => (pairs.length > 0 ? { cookie: pairs.join('; ') } : {});
  if (sample.state === 'signed-out') return cookie(browser);
  const token = await mintToken({ claims: { ...sessionClaims(sample.flags, sample.state), azp: sample.host, ...world.tokenClaims } });
  return sample.credential === 'cookie' ? cookie([`__session=${token}`, `__client_uat=${clientUat()}`, ...browser]) : { bearer: token, ...cookie(browser) };
}

async function observe(world: World, sample: Sample): Promise<Observed> {
  const probe = newProbe('vs-explain');
  const res = await world.call(`${sample.path}${sample.query}`, {
    method: sample.method,
    origin: sample.host,
    headers: headersOf(sample),
    probe,
    ...(await credentials(world, sample)),
  });
  const reason = res.headers.get('x-auth-reason');
  const location = res.headers.get('location');
  if (reason !== null) {
    if ((res.status === 303 || res.status === 307) && location !== null) return { kind: 'redirect', status: res.status, location, reason };
    return { kind: 'deny', status: res.status, code: await refusalCode(res), reason };
  }
  const allowOrigin = res.headers.get('access-control-allow-origin');
  if (res.status === 204 && allowOrigin !== null) return { kind: 'answer', status: 204, allowOrigin };
  if (sample.method === 'HEAD') {
    await res.body?.cancel();
    return (await originCount(probe)) > 0 ? { kind: 'forward', status: undefined } : { kind: 'other', status: res.status };
  }
  const text = await res.text();
  try {
    const echo = JSON.parse(text) as { method?: unknown; headers?: Record<string, unknown> };
    if (res.status === 200 && typeof echo.method === 'string' && echo.headers && echo.headers['x-test-probe'] === probe) {
      const status = echo.headers['x-auth-session-status'];
      return { kind: 'forward', status: typeof status === 'string' ? status : 'none' };
    }
  } catch {
    // Not the origin's echo.
  }
  return { kind: 'other', status: res.status };
}

/** Undefined when the Worker did what explain says; else what differs. */
function disagreement(expected: Expected, observed: Observed, method: string, row: Row['client']): string | undefined {
  const say = () => `explain ${JSON.stringify(expected)}, Worker ${JSON.stringify(observed)}`;
  switch (expected.kind) {
    case 'endpoint':
      return observed.kind === 'forward' ? say() : undefined;
    case 'forward':
      if (observed.kind !== 'forward') return say();
      return observed.status === undefined || observed.status === expected.status ? undefined : say();
    case 'answer':
      return observed.kind === 'answer' && observed.allowOrigin === expected.allowOrigin ? undefined : say();
    case 'redirect':
      return observed.kind === 'redirect' && observed.status === expected.status && observed.location === expected.location && observed.reason === expected.reason
        ? undefined
        : say();
    case 'deny':
      if (observed.kind !== 'deny' || observed.status !== expected.status) return say();
      // A HEAD answer has no body, so no code to read.
      const codeUnread = method === 'HEAD' && observed.code === undefined;
      if (!codeUnread && observed.code !== expected.code) return say();
      // A stop (refused before any rule) has no decision reason to compare.
      return expected.reason === '' || observed.reason === expected.reason ? undefined : say();
    case 'clerk':
      // Clerk answers before any session is read: a GET page load through its handshake (Clerk's
      // isRequestEligibleForHandshake takes GET only), anything else as signed out; never a
      // signed-in forward.
      if (row === 'page' && method === 'GET') return observed.kind === 'redirect' && observed.reason === 'handshake' ? undefined : say();
      return observed.kind === 'forward' && observed.status !== 'signed-out' && observed.status !== undefined ? say() : undefined;
  }
}

/** Undefined when they agree; else the disagreement. */
async function compare(world: World, sample: Sample): Promise<string | undefined> {
  const problem = disagreement(explained(world, sample), await observe(world, sample), sample.method, explainRow(sample));
  return problem && `${problem}\n  headers ${JSON.stringify(headersOf(sample))}, explain row ${explainRow(sample)}`;
}

// ---------------------------------------------------------------------------------------------

describe(`the Worker does what routes explain says (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => {
  for (const world of WORLDS) {
    it(`${world.name}: every random request gets explain's outcome for its row`, async () => {
      await fc.assert(
        fc.asyncProperty(sampleArb(world), async (sample) => {
          const problem = await compare(world, sample);
          expect(problem, JSON.stringify(sample)).toBeUndefined();
        }),
        fuzz(),
      );
    }, TIMEOUT_MS);

    // Preflights are where explain drifted (it reported 401 for preflights the gateway forwarded):
    // as many again, every one an OPTIONS that is, or nearly is, a CORS preflight.
    it(`${world.name}: every random CORS preflight gets explain's preflight row`, async () => {
      await fc.assert(
        fc.asyncProperty(sampleArb(world, true), async (sample) => {
          const problem = await compare(world, sample);
          expect(problem, JSON.stringify(sample)).toBeUndefined();
        }),
        fuzz(),
      );
    }, TIMEOUT_MS);
  }
});
