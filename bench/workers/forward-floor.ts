// The floor under a gateway that forwards identity (docs/performance.md, "Counted, not timed"):
// the verify floor (bench/workers/verify-floor.ts; the same check, floor-signature.ts) plus the
// least any such gateway does with a first-seen token, each with the fewest calls into the runtime
// the platform allows:
// - read the claims (the payload's JSON) and check the token is current;
// - one pass over the request's headers, to drop client copies of the identity headers;
// - the headers copied whole, and the request id, forwarding and identity headers set;
// - the origin call bounded by a deadline (a timer raced with the fetch);
// - the request id on the answer (a new Response: fetch's headers are immutable);
// - one JSON log line.
// No routing, no policy, no cookies, no caches: what is left between this and the gateway is the
// gateway's own logic.
import { base64UrlJson } from '../../src/auth/jwt';
import { signatureHolds, type FloorEnv } from './floor-signature';

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const started = Date.now();
    const id = crypto.randomUUID();
    const names: string[] = [];
    let authorization = '';
    request.headers.forEach((value, name) => {
      names.push(name);
      if (name === 'authorization') authorization = value;
    });
    const token = authorization.slice(7);
    const valid = await signatureHolds(token, env.CLERK_JWT_KEY);
    const claims = valid ? (base64UrlJson(token.slice(token.indexOf('.') + 1, token.lastIndexOf('.'))) as { sub?: string; sid?: string; exp?: number }) : undefined;
    if (!claims || typeof claims.exp !== 'number' || claims.exp * 1000 < started) return new Response('invalid', { status: 401 });
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const name of names) if (name === 'host' || name.startsWith('x-auth-') || name.startsWith('x-forwarded-')) headers.delete(name);
    headers.set('x-request-id', id);
    headers.set('x-forwarded-host', url.host);
    headers.set('x-forwarded-proto', url.protocol === 'https:' ? 'https' : 'http');
    headers.set('x-auth-session-status', 'active');
    headers.set('x-auth-token-type', 'session_token');
    headers.set('x-auth-user-id', claims.sub ?? '');
    headers.set('x-auth-session-id', claims.sid ?? '');
    let timer: ReturnType<typeof setTimeout> | null = null;
    const upstream = await new Promise<Response>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('origin timeout')), 30_000);
      fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, { method: request.method, headers, redirect: 'manual' }).then(resolve, reject);
    }).finally(() => clearTimeout(timer));
    const response = new Response(upstream.body, upstream);
    response.headers.set('x-request-id', id);
    console.log(JSON.stringify({ msg: 'request', request_id: id, method: request.method, path: url.pathname, status: upstream.status, user_id: claims.sub, session_status: 'active', total_ms: Date.now() - started }));
    return response;
  },
};
