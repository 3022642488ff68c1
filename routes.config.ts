import { defineConfig } from './src/config';

/**
 * Which paths need a signed-in session. Patterns use Clerk's `createRouteMatcher` syntax
 * (path-to-regexp v6, case-insensitive) or RegExps, and see the canonical path only. Rules are
 * tried in order, the first match wins; paths no rule matches are public.
 */
export default defineConfig({
  routes: [
    { match: '/dashboard(.*)', protect: true },
    { match: '/forum(.*)', protect: true },
    // A page pending users may see (e.g. "finish setting up your account"): forwarded with
    // X-Auth-Session-Status: pending instead of being sent to the task page.
    { match: '/account/status(.*)', protect: { treatPendingAsSignedOut: false } },
  ],
});
