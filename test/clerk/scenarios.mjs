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
// test/clerk/known-differences.mjs with the reason. A request's path may be an absolute URL (another
// host: a satellite); `azp` sets the origin session tokens are minted for (default GATEWAY). A
// request neither forwarded nor redirected (a proxied Frontend API answer) is compared as
// `refuse` with its status on both sides.

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
    azp: SATELLITE,
    issuer: `https://clerk.${SATELLITE_DOMAIN}`,
    env: { CLERK_IS_SATELLITE: 'true', CLERK_DOMAIN: SATELLITE_DOMAIN, CLERK_SIGN_IN_URL: PRIMARY_SIGN_IN, ...env },
    clerk: { isSatellite: true, domain: SATELLITE_DOMAIN, signInUrl: PRIMARY_SIGN_IN, ...clerk },
    requests: REQUESTS.map(([method, path, kind]) => [method, `${SATELLITE}${path}`, kind]),
    states: SATELLITE_STATES,
  };
}

// Organization activation from the URL: Clerk's organizationSyncOptions, the same on both sides.
const ORGANIZATION_SYNC = { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)', '/o/:id/(.*)'], personalAccountPatterns: ['/me', '/me/(.*)'] };
const ORGANIZATION_REQUESTS = [
  ['GET', '/orgs/acme/settings', 'navigate'],
  ['GET', '/orgs/acme', 'navigate'],
  ['GET', '/orgs/other/settings', 'navigate'],
  ['GET', '/orgs/other/settings', 'fetch'],
  ['POST', '/orgs/other/settings', 'navigate'],
  ['HEAD', '/orgs/other', 'navigate'],
  ['GET', '/orgs/other?tab=members', 'navigate'],
  ['GET', '/o/org_acme/reports', 'navigate'],
  ['GET', '/o/org_other/reports', 'navigate'],
  ['GET', '/me', 'navigate'],
  ['GET', '/me/profile', 'fetch'],
  ['GET', '/dashboard', 'navigate'],
  ['GET', '/about', 'navigate'],
];

/**
 * name → { routes, defaultPolicy?, config?, env, clerk, clerkPublic?, instance?, azp?, issuer?, requests?, states? }. `config`:
 * more of the gateway's routes config (defineConfig's other options); `env`: the gateway's settings
 * over the base ones (run.mjs); `clerk`: clerkMiddleware's options over the base ones (the same
 * keys); `clerkPublic`: patterns the Next.js app leaves public under defaultPolicy 'protect' besides
 * its sign-in page (its own sign-up and task pages).
 * `azp` / `issuer`: the `azp` and `iss` of the states' tokens when not the gateway's and the key's
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
  'organization-sync': {
    routes: [...DEMO_ROUTES, { match: '/o/:id/(.*)', protect: true }, { match: '/me(.*)', protect: true }],
    config: { organizationSyncOptions: ORGANIZATION_SYNC },
    env: {},
    clerk: { organizationSyncOptions: ORGANIZATION_SYNC },
    requests: ORGANIZATION_REQUESTS,
    states: [
      'signed-out',
      'active',
      'active-bearer',
      'active-org-admin',
      'active-org-member',
      'active-org-admin-redirect-count-3',
      'pending',
      'pending-org-admin',
      'expired',
      'uat-newer-than-token',
      'handshake-nonce-org-other',
    ],
  },
  'organization-sync-development': {
    routes: DEMO_ROUTES,
    instance: 'development',
    config: { organizationSyncOptions: ORGANIZATION_SYNC },
    env: {},
    clerk: { organizationSyncOptions: ORGANIZATION_SYNC },
    requests: ORGANIZATION_REQUESTS,
    states: ['dev-active', 'dev-active-org-admin', 'dev-pending'],
  },
  // The app's own sign-up and task pages. clerkMiddleware has no task URL: its pending redirect goes
  // to <signInUrl>/tasks (clerk-js's taskUrls then sends the browser on); the Next.js app leaves its
  // own pages public (`clerkPublic`), as the gateway does for them under defaultPolicy 'protect'.
  'own-pages': {
    routes: [{ match: '/about(.*)', protect: false }, ...DEMO_ROUTES],
    defaultPolicy: 'protect',
    env: { CLERK_SIGN_IN_URL: '/sign-in', CLERK_SIGN_UP_URL: '/sign-up', CLERK_TASKS_URL: '/onboarding' },
    clerk: { signInUrl: '/sign-in', signUpUrl: '/sign-up' },
    clerkPublic: ['/sign-in(.*)', '/sign-up(.*)', '/onboarding(.*)'],
    requests: [
      ['GET', '/sign-in', 'navigate'],
      ['GET', '/sign-up', 'navigate'],
      ['GET', '/sign-up/verify-email-address', 'navigate'],
      ['GET', '/onboarding', 'navigate'],
      ['GET', '/onboarding/choose-organization', 'navigate'],
      ['GET', '/onboarding', 'fetch'],
      ['GET', '/dashboard?tab=1', 'navigate'],
      ['GET', '/dashboard', 'fetch'],
      ['GET', '/elsewhere', 'navigate'],
      ['GET', '/about', 'navigate'],
      ['GET', '/account/status', 'navigate'],
    ],
    states: ['signed-out', 'active', 'active-org-admin', 'pending', 'expired', 'uat-only', 'handshake-nonce'],
  },
  'own-pages-absolute': {
    routes: DEMO_ROUTES,
    env: { CLERK_SIGN_IN_URL: 'https://accounts.example.com/sign-in', CLERK_SIGN_UP_URL: 'https://accounts.example.com/sign-up', CLERK_TASKS_URL: 'https://accounts.example.com/onboarding' },
    clerk: { signInUrl: 'https://accounts.example.com/sign-in', signUpUrl: 'https://accounts.example.com/sign-up' },
    requests: [['GET', '/dashboard?tab=1', 'navigate'], ['GET', '/dashboard', 'fetch'], ['GET', '/account/status', 'navigate'], ['GET', '/about', 'navigate']],
    states: ['signed-out', 'active', 'pending', 'expired'],
  },
  development: {
    routes: DEMO_ROUTES,
    instance: 'development',
    env: {},
    clerk: {},
    states: ['signed-out', 'dev-browser', 'dev-active', 'dev-pending', 'dev-expired', 'dev-other-redirect-url'],
  },
};
