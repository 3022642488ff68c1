import type { Env } from '../env';
import { parsePathOrUrl, PATH_OR_URL_EXPECTED } from '../config/url-option';

/** A page of the app's own, from a setting: `origin` undefined means a path on whichever host the gateway is served on. */
export interface OwnPage {
  origin: string | undefined;
  /** No trailing slash (except `/` itself), no query or fragment. */
  path: string;
}

/** The settings naming the app's own pages besides sign-in. */
export const OWN_PAGE_SETTINGS = {
  signUp: { name: 'CLERK_SIGN_UP_URL' },
  tasks: { name: 'CLERK_TASKS_URL' },
} as const;

/**
 * A page setting (`CLERK_SIGN_IN_URL`, `CLERK_SIGN_UP_URL`, `CLERK_TASKS_URL`): an absolute
 * http(s) URL or a path on the gateway's host; undefined when unset or invalid (then a problem).
 */
export function pageSetting(name: string, raw: string | undefined, problems: string[]): OwnPage | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const parsed = parsePathOrUrl(value);
  if (!parsed) {
    problems.push(`${name} ${PATH_OR_URL_EXPECTED}, got ${JSON.stringify(value)}`);
    return undefined;
  }
  const page: OwnPage = parsed.kind === 'path' ? { origin: undefined, path: parsed.value } : { origin: parsed.url.origin, path: parsed.url.pathname + parsed.url.search + parsed.url.hash };
  if (/[?#]/.test(page.path)) problems.push(`${name} must not carry a query or fragment`);
  page.path = page.path.replace(/\/+$/, '') || '/';
  return page;
}

/** `CLERK_SIGN_UP_URL` and `CLERK_TASKS_URL`: undefined when unset (no sign-up page of the app's own; pending sessions go to `<sign-in>/tasks`). */
export function ownPageSettings(env: Env, problems: string[]): { signUp: OwnPage | undefined; tasks: OwnPage | undefined } {
  return {
    signUp: pageSetting(OWN_PAGE_SETTINGS.signUp.name, env.CLERK_SIGN_UP_URL, problems),
    tasks: pageSetting(OWN_PAGE_SETTINGS.tasks.name, env.CLERK_TASKS_URL, problems),
  };
}
