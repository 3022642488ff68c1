// The differential against Clerk's own `clerkMiddleware` (npm run test:clerk, test/clerk/run.mjs):
// what runs through both sides, as data. A scenario is one deployment: the gateway's routes and
// settings, and the `clerkMiddleware` options that say the same thing; every case of it is one
// request (method, URL, kind) in one session state (test/clerk/sessions.mjs). This file is read by
// the Node side and bundled into the gateway's Worker (test/clerk/gateway-worker.mjs): plain data,
// no Node or Clerk imports.
//
// To add an option (a proxy, a satellite, …): add a scenario with its `env` (the gateway's settings,
// merged over the base ones) and `clerk` (clerkMiddleware's options, merged over the base ones),
// and, if the option needs them, its own `requests` / `states`; expected differences go in
// test/clerk/known-differences.mjs with the reason.

/** The instance both sides serve: a production instance whose Frontend API is clerk.gateway.test. */
export const FRONTEND_API = 'clerk.gateway.test';
export const DEV_FRONTEND_API = 'foo-bar-12.clerk.accounts.dev';
export const GATEWAY = 'https://gateway.test';

// The demo's routes (test/fixtures/routes.config.ts), which `clerkMiddleware`'s handler mirrors rule by rule
// (test/clerk/clerk-side.mjs: `protect` → `auth.protect()`, `organizationParam` → the URL's org against the active one).
const DEMO_ROUTES = [
  { match: '/dashboard(.*)', protect: true },
  { match: '/forum(.*)', protect: true },
  { match: '/account/status(.*)', protect: { treatPendingAsSignedOut: false } },
  { match: '/orgs/:org/settings(.*)', protect: { organizationParam: 'org', role: 'org:admin' } },
];

/** Requests every scenario sends unless it has its own: [method, path, kind]. kind: `navigate` (a page load), `fetch` (an API call). */
export const REQUESTS = [
  ['GET', '/', 'navigate'],
  ['GET', '/about?x=1', 'navigate'],
  ['GET', '/about', 'fetch'],
  ['GET', '/dashboard', 'navigate'],
  ['GET', '/dashboard/reports?tab=2', 'navigate'],
  ['GET', '/dashboard/api', 'fetch'],
  ['POST', '/dashboard/form', 'navigate'],
  ['HEAD', '/dashboard', 'navigate'],
  ['GET', '/account/status', 'navigate'],
  ['GET', '/account/status', 'fetch'],
  ['GET', '/orgs/acme/settings', 'navigate'],
  ['GET', '/orgs/org_acme/settings', 'fetch'],
  ['GET', '/orgs/other/settings', 'navigate'],
];

/** Session states every scenario runs unless it has its own (names from test/clerk/sessions.mjs). */
export const STATES = [
  'signed-out',
  'client-uat-zero',
  'active',
  'active-bearer',
  'active-org-admin',
  'active-org-member',
  'pending',
  'expired',
  'expired-refresh',
  'expired-redirect-count-3',
  'uat-only',
  'uat-newer-than-token',
  'foreign-key',
  'other-azp',
  'handshake-nonce',
  'handshake-token',
  'handshake-token-foreign',
];

/** A satellite of the primary (https://gateway.test) served by the same Worker, and its Frontend API. */
export const SATELLITE = 'https://shop.satellite.test';
const SATELLITE_DOMAIN = 'satellite.test';
const PRIMARY_SIGN_IN = `${GATEWAY}/sign-in`;

/** Clerk's own requests through the Frontend API proxy (answered by test/servers.ts startFrontendApi). */
const PROXY_REQUESTS = [
  ['GET', '/__clerk/v1/environment?_clerk_js_version=5', 'fetch'],
  ['POST', '/__clerk/v1/client/sign_ins', 'fetch'],
  ['GET', '/__clerk/v1/redirect', 'navigate'],
  ['GET', '/__clerk', 'fetch'],
];

/** The satellite's states: every common one, and a page load asking for a sync (`__clerk_synced=false`) with a session. */
const SATELLITE_STATES = [...STATES, 'active-needs-sync', 'active-synced'];

/** A satellite scenario: its settings and clerkMiddleware's options beyond the common ones, the common requests on its host. */
function satelliteScenario(env, clerk) {
  return {
    routes: DEMO_ROUTES,
    origin: SATELLITE,
    issuer: `https://clerk.${SATELLITE_DOMAIN}`,
    env: { CLERK_IS_SATELLITE: 'true', CLERK_DOMAIN: SATELLITE_DOMAIN, CLERK_SIGN_IN_URL: PRIMARY_SIGN_IN, ...env },
    clerk: { isSatellite: true, domain: SATELLITE_DOMAIN, signInUrl: PRIMARY_SIGN_IN, ...clerk },
    requests: REQUESTS.map(([method, path, kind]) => [method, `${SATELLITE}${path}`, kind]),
    states: SATELLITE_STATES,
  };
}

/**
 * name → { routes, defaultPolicy?, env, clerk, requests?, states?, origin?, issuer? }. `env`: the gateway's settings over
 * the base ones (run.mjs); `clerk`: clerkMiddleware's options over the base ones (the same keys).
 * `origin` / `issuer`: the `azp` and `iss` of the states' tokens when not the gateway's and the key's
 * (a satellite's own). A request's path may be an absolute URL (another host of the Worker).
 */
export const SCENARIOS = {
  production: { routes: DEMO_ROUTES, env: {}, clerk: {} },
  'own-sign-in': {
    routes: DEMO_ROUTES,
    env: { CLERK_SIGN_IN_URL: '/sign-in' },
    clerk: { signInUrl: '/sign-in' },
    requests: [...REQUESTS, ['GET', '/sign-in', 'navigate'], ['GET', '/sign-in/tasks', 'navigate']],
  },
  'protect-by-default': {
    routes: [{ match: '/about(.*)', protect: false }, ...DEMO_ROUTES],
    defaultPolicy: 'protect',
    env: { CLERK_SIGN_IN_URL: '/sign-in' },
    clerk: { signInUrl: '/sign-in' },
    requests: [...REQUESTS, ['GET', '/sign-in', 'navigate'], ['GET', '/sign-in/tasks', 'navigate'], ['GET', '/elsewhere', 'fetch']],
  },
  // The Frontend API proxy (CLERK_FRONTEND_API_PROXY_PATH; clerkMiddleware's frontendApiProxy), both
  // against the same fake Frontend API (run.mjs): Clerk's own requests, and handshakes through the proxy URL.
  proxy: {
    routes: DEMO_ROUTES,
    env: { CLERK_FRONTEND_API_PROXY_PATH: 'true' },
    clerk: { frontendApiProxy: { enabled: true }, proxyUrl: `${GATEWAY}/__clerk` },
    requests: [...REQUESTS, ...PROXY_REQUESTS],
  },
  // The same under defaultPolicy: 'protect': the proxy's requests are still no rule's.
  'proxy-protect-by-default': {
    routes: [{ match: '/about(.*)', protect: false }, ...DEMO_ROUTES],
    defaultPolicy: 'protect',
    env: { CLERK_FRONTEND_API_PROXY_PATH: 'true', CLERK_SIGN_IN_URL: '/sign-in' },
    clerk: { frontendApiProxy: { enabled: true }, proxyUrl: `${GATEWAY}/__clerk`, signInUrl: '/sign-in' },
    requests: [...PROXY_REQUESTS, ['GET', '/dashboard', 'navigate'], ['GET', '/elsewhere', 'fetch']],
    states: ['signed-out', 'active', 'expired', 'uat-only'],
  },
  // A satellite (https://shop.satellite.test) of the primary https://gateway.test, on one Worker:
  // its tokens are its own Frontend API's (iss https://clerk.satellite.test) for its own origin (azp).
  satellite: satelliteScenario({}, {}),
  'satellite-auto-sync': satelliteScenario({ CLERK_SATELLITE_AUTO_SYNC: 'true' }, { satelliteAutoSync: true }),
  // The primary on the same Worker (the satellite settings set, its host not under CLERK_DOMAIN):
  // clerkMiddleware of a primary, which knows nothing of its satellites.
  'primary-of-satellites': {
    routes: DEMO_ROUTES,
    env: { CLERK_IS_SATELLITE: 'true', CLERK_DOMAIN: SATELLITE_DOMAIN, CLERK_SIGN_IN_URL: PRIMARY_SIGN_IN, CLERK_SATELLITE_AUTO_SYNC: 'true' },
    clerk: { signInUrl: PRIMARY_SIGN_IN },
    requests: [...REQUESTS, ['GET', '/sign-in', 'navigate']],
  },
  development: {
    routes: DEMO_ROUTES,
    instance: 'development',
    env: {},
    clerk: {},
    states: ['signed-out', 'dev-browser', 'dev-active', 'dev-pending', 'dev-expired', 'dev-other-redirect-url'],
  },
};
