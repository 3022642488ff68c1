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
 * name → { routes, defaultPolicy?, config?, env, clerk, clerkPublic?, instance?, azp?, requests?, states? }. `config`:
 * more of the gateway's routes config (defineConfig's other options); `env`: the gateway's settings
 * over the base ones (run.mjs); `clerk`: clerkMiddleware's options over the base ones (the same
 * keys); `clerkPublic`: patterns the Next.js app leaves public under defaultPolicy 'protect' besides
 * its sign-in page (its own sign-up and task pages).
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
