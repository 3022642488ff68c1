import type { BrowserHeaders } from '../auth/result';
import { publicReason, type ReasonCode } from './reasons';

function gatewayHeaders(extra: BrowserHeaders): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const [name, value] of extra) {
    if (name === 'set-cookie') headers.append(name, value);
    else headers.set(name, value);
  }
  return headers;
}

/**
 * A JSON refusal: `{ error, code, message, ...extra }` with the status the code maps to, and the
 * authentication reason (a public code) in `X-Auth-Reason` when there is one.
 */
export function refuse(code: ReasonCode, extra: Record<string, unknown> = {}, headers: BrowserHeaders = [], authReason?: string): Response {
  const { status, error, message } = publicReason(code);
  const out = gatewayHeaders(headers);
  if (authReason) out.set('x-auth-reason', authReason);
  out.set('content-type', 'application/json; charset=utf-8');
  if (code === 'ERR_UNAUTHENTICATED') out.set('www-authenticate', 'Bearer');
  if (code === 'ERR_SESSION_PENDING') out.set('www-authenticate', 'Bearer error="session_pending"');
  if (code === 'ERR_INSUFFICIENT_SCOPE') out.set('www-authenticate', 'Bearer error="insufficient_scope"');
  return new Response(JSON.stringify({ error, code, message, ...extra }), { status, headers: out });
}

/** A 307 (method and body kept) to `location`, carrying Clerk's cookies and `X-Auth-Reason`. */
export function redirect(location: string, authReason: string, headers: BrowserHeaders = []): Response {
  const out = gatewayHeaders(headers);
  out.set('x-auth-reason', authReason);
  out.set('location', location);
  return new Response(null, { status: 307, headers: out });
}
