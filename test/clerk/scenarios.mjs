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

/**
 * name → { routes, defaultPolicy?, env, clerk, requests?, states? }. `env`: the gateway's settings over
 * the base ones (run.mjs); `clerk`: clerkMiddleware's options over the base ones (the same keys).
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
  development: {
    routes: DEMO_ROUTES,
    instance: 'development',
    env: {},
    clerk: {},
    states: ['signed-out', 'dev-browser', 'dev-active', 'dev-pending', 'dev-expired', 'dev-other-redirect-url'],
  },
};
