import type { BrowserHeaders } from '../auth/state';
import { publicReason, type ReasonCode } from './reasons';

function gatewayHeaders(extra: BrowserHeaders): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const [name, value] of extra) {
    if (name === 'set-cookie') headers.append(name, value);
    else headers.set(name, value);
  }
  return headers;
}

/** A JSON refusal: `{ error, code, message, ...extra }` with the status the reason maps to. */
export function refuse(code: ReasonCode, extra: Record<string, unknown> = {}, headers: BrowserHeaders = []): Response {
  const { status, error, message } = publicReason(code);
  const out = gatewayHeaders(headers);
  out.set('content-type', 'application/json; charset=utf-8');
  if (code === 'ERR_UNAUTHENTICATED' || code === 'ERR_SESSION_PENDING') {
    out.set('www-authenticate', code === 'ERR_SESSION_PENDING' ? 'Bearer error="session_pending"' : 'Bearer');
  }
  return new Response(JSON.stringify({ error, code, message, ...extra }), { status, headers: out });
}

/** A 307 (method and body kept) to `location`, carrying Clerk's cookies. */
export function redirect(location: string, headers: BrowserHeaders = []): Response {
  const out = gatewayHeaders(headers);
  out.set('location', location);
  return new Response(null, { status: 307, headers: out });
}
