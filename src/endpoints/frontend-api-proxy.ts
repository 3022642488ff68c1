import { clerkFrontendApiProxy } from '@clerk/backend/proxy';

import { ClerkTimeoutError, type ClerkDeadline } from '../auth/limits/clerk-deadline';
import { refuse } from '../respond/respond';
import type { FrontendApiProxySettings } from '../settings/multi-domain';

/** What the proxy forwards with: the instance's keys, and the deadline of every call to Clerk. */
export interface FrontendApiProxyOptions {
  proxy: FrontendApiProxySettings;
  publishableKey: string;
  secretKey: string;
  deadline: ClerkDeadline;
}

// Headers a client could send to choose what @clerk/backend's proxy tells Clerk: the public
// origin (its `Clerk-Proxy-Url`, from X-Forwarded-Host/-Proto) and the client's address (it
// takes CF-Connecting-IP, which Cloudflare sets, before these).
const CLIENT_CHOSEN = ['x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip', 'x-forwarded-for', 'clerk-proxy-url', 'clerk-secret-key'];

/** The request `clerkFrontendApiProxy` sees: the client's, but the forwarding headers the gateway's own. */
function requestForProxy(request: Request, url: URL): Request {
  const headers = new Headers(request.headers);
  for (const name of CLIENT_CHOSEN) headers.delete(name);
  headers.set('x-forwarded-host', url.host);
  headers.set('x-forwarded-proto', url.protocol.slice(0, -1));
  return new Request(url, { method: request.method, headers, body: request.body, redirect: 'manual' });
}

/**
 * Clerk's Frontend API, served under the proxy path by `@clerk/backend`'s own proxy
 * (`clerkFrontendApiProxy`): every option passed explicitly, since its `process.env` fallback
 * finds nothing in workerd and it picks its upstream by key type, not from the key's host. Its
 * answer (Clerk's, or its own 502 when the Frontend API cannot be reached) goes back as it is.
 * The answer's headers are bounded by the Clerk deadline (CLERK_TIMEOUT_MS): past it, `503
 * auth_unavailable`.
 */
export async function frontendApiProxy(request: Request, options: FrontendApiProxyOptions): Promise<Response> {
  const { proxy, publishableKey, secretKey, deadline } = options;
  const url = new URL(request.url);
  try {
    return await deadline.run(() => clerkFrontendApiProxy(requestForProxy(request, url), { proxyPath: proxy.path, publishableKey, secretKey, fapiUrl: proxy.fapiUrl }));
  } catch (error) {
    if (!(error instanceof ClerkTimeoutError)) throw error;
    console.error(`edge-auth-gateway: Frontend API proxy: ${error.message}; answering auth_unavailable`);
    return refuse('ERR_CLERK_UNAVAILABLE');
  }
}
