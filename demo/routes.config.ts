// The demo's routes (what its page and `npm run demo -- --check` describe): /dashboard and /forum
// protected, /account/status open to pending sessions, /orgs/:org/settings for admins of the active
// organization. The project's own routes.config.ts is for `npm run dev` and deploys.
import { defineConfig } from '../src/config';

/**
 * Which paths need a signed-in session. Patterns use Clerk's `createRouteMatcher` syntax
 * (path-to-regexp v6, case-insensitive) or RegExps, and see the canonical path only. Rules are
 * tried in order, the first match wins; paths no rule matches are public (or, with
 * `defaultPolicy: 'protect'`, need a session).
 */
export default defineConfig({
  // The demo origin's top bar writes its session links with Clerk's control components
  // (<clerk-signed-in>, <clerk-signed-out>, <clerk-protect>): resolved here, in its HTML answers.
  components: true,
  routes: [
    { match: '/dashboard(.*)', protect: true },
    { match: '/forum(.*)', protect: true },
    // A page pending users may see (e.g. "finish setting up your account"): forwarded with
    // X-Auth-Session-Status: pending instead of being sent to the task page.
    { match: '/account/status(.*)', protect: { treatPendingAsSignedOut: false } },
    // An organization's settings: only an admin of the organization the path names, and only while
    // it is the active one (403 otherwise; a signed-out visitor is sent to sign-in).
    { match: '/orgs/:org/settings(.*)', protect: { organizationParam: 'org', role: 'org:admin' }, name: 'org settings' },
    // More of what a rule can say (see docs/configuration.md, "Configuration reference"):
    // { match: '/billing(.*)', protect: { permission: 'org:billing:manage' } },
    // { match: '/reports/export(.*)', protect: { feature: 'export', reverification: 'strict' } },
    // { match: '/api(.*)', methods: ['POST', 'PUT', 'PATCH', 'DELETE'], protect: true, cors: { origins: ['https://app.example.com'], methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], headers: ['content-type'] } },
    // { match: '/legacy-api/(.*)', protect: true, origin: { url: 'https://api.internal.example', stripPrefix: '/legacy-api' } },
  ],
});
