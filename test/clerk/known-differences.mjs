// Every difference between the gateway and clerkMiddleware the differential may see, with why.
// A difference no entry explains fails `npm run test:clerk`, as does any case where the gateway
// forwards what clerkMiddleware refuses (no entry can explain that). `applies(row)` sees the case
// (scenario, state, request "METHOD /path kind", the scenario's gateway settings `env`) and both outcomes (gateway, clerk: kind, status,
// location, setCookies, identity, and the gateway's reason `code`); `why` is what the run prints
// and what README.md's comparison with clerkMiddleware says.

const refuses = (outcome, status) => outcome.kind === 'refuse' && outcome.status === status;
const method = (row) => row.request.split(' ')[0];
const kind = (row) => row.request.split(' ').at(-1);
/** Both redirects go to the same page (sign-in or tasks), whatever their redirect_url. */
const sameTarget = (a, b) => {
  const [x, y] = [new URL(a), new URL(b)];
  return x.origin === y.origin && x.pathname === y.pathname;
};

export const KNOWN_DIFFERENCES = [
  {
    id: 'api-401-not-404',
    why: "a signed-out or pending API call to a protected path: auth.protect() answers 404 (notFound() for any request that is not a page load); the gateway answers 401 with a reason code, as an API's client expects",
    applies: (row) => refuses(row.gateway, 401) && refuses(row.clerk, 404),
  },
  {
    id: 'forbidden-403-not-404',
    why: 'a signed-in user who fails a role, permission or organization check: auth.protect() answers 404 (notFound()); the gateway answers 403 with a reason code',
    applies: (row) => refuses(row.gateway, 403) && refuses(row.clerk, 404),
  },
  {
    id: 'form-post-303-to-its-page',
    why: "a signed-out or pending form submission (POST, Sec-Fetch-Mode: navigate): clerkMiddleware answers 307 to sign-in (or the task page) with the form's URL as redirect_url, so the browser re-POSTs the form to the sign-in page; the gateway answers 303 (loaded with GET) and returns to the page the form came from (same-origin Referer, else /)",
    applies: (row) =>
      !['GET', 'HEAD'].includes(method(row)) &&
      kind(row) === 'navigate' &&
      row.gateway.kind === 'redirect' &&
      row.gateway.status === 303 &&
      row.clerk.kind === 'redirect' &&
      row.clerk.status === 307 &&
      sameTarget(row.gateway.location, row.clerk.location),
  },
  {
    id: 'own-tasks-url',
    why: "a pending page load with CLERK_TASKS_URL set: clerkMiddleware has no such option and sends it to <signInUrl>/tasks (clerk-js's taskUrls then sends the browser on to the app's page: one more hop); the gateway sends it straight to CLERK_TASKS_URL, with the same redirect_url",
    applies: (row) => {
      const tasksUrl = row.env?.CLERK_TASKS_URL;
      if (!tasksUrl || row.gateway.kind !== 'redirect' || row.clerk.kind !== 'redirect') return false;
      const [g, c] = [new URL(row.gateway.location), new URL(row.clerk.location)];
      return `${g.origin}${g.pathname}` === new URL(tasksUrl, g).href && c.pathname.endsWith('/tasks') && g.searchParams.get('redirect_url') === c.searchParams.get('redirect_url');
    },
  },
  {
    id: 'azp-checked-by-default',
    why: "a token whose azp is another site: clerkMiddleware checks azp only when authorizedParties is given, the gateway by default accepts only the origin it is served on (CLERK_AUTHORIZED_PARTIES): signed out there, never forwarded as that user",
    applies: (row) => row.state === 'other-azp' && !(row.gateway.kind === 'forward' && row.gateway.identity.userId !== null),
  },
  {
    id: 'foreign-clerk-redirect-url',
    why: "development instance, __clerk_redirect_url naming another site: clerkMiddleware redirects there (with the dev-browser token: an open redirect that leaks it); the gateway answers 400 ERR_CLERK_REDIRECT_URL",
    applies: (row) => row.state === 'dev-other-redirect-url' && refuses(row.gateway, 400),
  },
];

/** The first entry that explains this row, or undefined. */
export function explain(row) {
  const found = KNOWN_DIFFERENCES.find((d) => d.applies(row));
  return found && { id: found.id, why: found.why };
}
