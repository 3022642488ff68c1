import { reverificationError } from '@clerk/shared/authorization-errors';

import type { BrowserHeaders } from '../auth/result';
import type { ReverificationConfig } from '../config/types';
import { CLERK_RETRY_AFTER_S } from '../config/limits';
import { htmlPage, type HtmlPage } from './html';
import { publicReason, type ReasonCode } from './reasons';

function gatewayHeaders(extra: BrowserHeaders): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const [name, value] of extra) {
    if (name === 'set-cookie') headers.append(name, value);
    else headers.set(name, value);
  }
  return headers;
}

/** Options for {@link refuse}. */
export interface RefuseOptions {
  /** More fields of the JSON body (`tasks_url`, `missing_scopes`). */
  details?: Record<string, unknown>;
  /** Clerk's headers for the browser (`Set-Cookie`). */
  headers?: BrowserHeaders;
  /** The public reason sent as `X-Auth-Reason` (why not signed in, which condition failed). @default the answer's `error` */
  authReason?: string;
  /** Answer with a small HTML page instead of JSON (a browser asked for a page; see `wantsHtml`). @default false */
  html?: boolean;
  /** Shown on the HTML page. */
  requestId?: string;
  /** Offered on the HTML page: sign in, finish the task. */
  link?: HtmlPage['link'];
  /** For htmx: where the page should go (`HX-Redirect`). */
  hxRedirect?: string;
  /** A reverification refusal: the body takes Clerk's shape, so `useReverification` prompts and retries. */
  reverification?: ReverificationConfig;
}

/**
 * The gateway's own refusal, with the status the code maps to: JSON `{ error, code, message,
 * ...details }` for API clients, a small HTML page for browsers. Neither shows internals.
 */
export function refuse(code: ReasonCode, options: RefuseOptions = {}): Response {
  const { status, title, error, message } = publicReason(code);
  const out = gatewayHeaders(options.headers ?? []);
  // Every refusal the gateway answers itself says why, a 400 path refusal or a 502 included.
  out.set('x-auth-reason', options.authReason || error);
  if (options.hxRedirect) out.set('hx-redirect', options.hxRedirect);
  if (code === 'ERR_UNAUTHENTICATED') out.set('www-authenticate', 'Bearer');
  if (code === 'ERR_SESSION_PENDING') out.set('www-authenticate', 'Bearer error="session_pending"');
  if (code === 'ERR_INSUFFICIENT_SCOPE') out.set('www-authenticate', 'Bearer error="insufficient_scope"');
  if (code === 'ERR_CLERK_UNAVAILABLE') out.set('retry-after', String(CLERK_RETRY_AFTER_S));
  if (options.html) {
    out.set('content-type', 'text/html; charset=utf-8');
    out.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    out.set('x-content-type-options', 'nosniff');
    const page = { status, title, message, error, code, ...(options.requestId ? { requestId: options.requestId } : {}), ...(options.link ? { link: options.link } : {}) };
    return new Response(htmlPage(page), { status, headers: out });
  }
  out.set('content-type', 'application/json; charset=utf-8');
  const clerk = options.reverification ? reverificationError(options.reverification) : {};
  return new Response(JSON.stringify({ ...clerk, error, code, message, ...options.details }), { status, headers: out });
}

/**
 * A redirect to `location` carrying Clerk's cookies and `X-Auth-Reason`: 307 (method and body
 * kept) for page loads and handshakes, 303 (the target loaded with GET) after a form submission.
 */
export function redirect(location: string, authReason: string, headers: BrowserHeaders = [], status: 303 | 307 = 307): Response {
  const out = gatewayHeaders(headers);
  out.set('x-auth-reason', authReason);
  out.set('location', location);
  return new Response(null, { status, headers: out });
}
