import type { BrowserHeaders } from '../auth/result';
import { refuse } from '../respond/respond';
import { watchBody } from './body-watch';

/** Options for {@link forwardToOrigin}. */
export interface ForwardOptions {
  /** The full origin URL: origin base, canonical path, the client's query. */
  url: string;
  method: string;
  headers: Headers;
  body: ReadableStream | null;
  /** Milliseconds to wait for the origin's response headers; the body then streams without limit. */
  timeoutMs: number;
  /** Headers to add to the origin's response (Clerk's Set-Cookie after a handshake, the request id). */
  responseHeaders: BrowserHeaders;
  /** Injected for tests, or a Service Binding's. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The gateway's 502/504 as an HTML page (a browser asked for one). @default false */
  html?: boolean;
  /** Shown on that page. */
  requestId?: string;
  /**
   * Called when the origin's body fails after its headers were answered (a reset mid-body): the
   * client's stream errors with it; this is for the log. @default none
   */
  onBodyError?: (error: unknown) => void;
  /** The invocation's `ctx.waitUntil`: keeps the body watch alive until the body ends, so `onBodyError` runs. @default none */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * Sends the request to the origin and streams its answer back untouched: status, every
 * header (each Set-Cookie), body. Redirects are passed through, never followed. An origin
 * that cannot be reached is a 502, one that does not answer in time a 504 (its late answer is
 * dropped). The timeout races the fetch instead of aborting it through a signal: the bench
 * showed an AbortSignal on every subrequest costing more than the rest of the gateway.
 */
/** The answer, and what the origin did: its status, or why the gateway answered instead. */
export type Forwarded =
  | { response: Response; originStatus: number }
  | { response: Response; failure: 'ERR_ORIGIN_TIMEOUT' | 'ERR_ORIGIN_UNREACHABLE' };

export async function forwardToOrigin(options: ForwardOptions): Promise<Forwarded> {
  const doFetch = options.fetch ?? fetch;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let upstream: Response;
  try {
    const fetched = doFetch(options.url, { method: options.method, headers: options.headers, body: options.body, redirect: 'manual' });
    // One promise settled by whichever comes first (fewer promises than Promise.race over two).
    // After a timeout its late answer or failure settles nothing: dropped, not left unhandled.
    const first = await new Promise<Response | 'timeout'>((resolve, reject) => {
      timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
      fetched.then(resolve, reject);
    });
    if (first === 'timeout') return originFailure('ERR_ORIGIN_TIMEOUT', options);
    upstream = first;
  } catch (error) {
    // Without the query, where some apps carry tokens.
    console.error(`edge-auth-gateway: origin request ${options.method} ${options.url.split('?', 1)[0]} failed:`, error);
    return originFailure('ERR_ORIGIN_UNREACHABLE', options);
  } finally {
    clearTimeout(timer);
  }
  // Each property of a Response is a call into the runtime: read once.
  const { webSocket, status } = upstream;
  // A WebSocket (101) answer carries its socket, which the Response constructor must be handed.
  if (webSocket) {
    const socket = new Response(null, { status: 101, headers: upstream.headers, webSocket });
    return { response: withHeaders(socket, options.responseHeaders), originStatus: 101 };
  }
  // A HEAD, 204 or 304 answer has no body to watch, whatever its Content-Length says.
  const bodyless = options.method === 'HEAD' || status === 204 || status === 304;
  const onBodyError = bodyless ? undefined : options.onBodyError;
  const upstreamBody = upstream.body;
  const body = onBodyError ? watchBody(upstreamBody, upstream.headers, onBodyError, options.waitUntil) : upstreamBody;
  if (body === upstreamBody && options.responseHeaders.length === 0) return { response: upstream, originStatus: status };
  const response = new Response(body, upstream);
  return { response: withHeaders(response, options.responseHeaders), originStatus: status };
}

/** The gateway's own answer when the origin did not answer: its page (HTML when a browser asked) with the request id. */
function originFailure(failure: 'ERR_ORIGIN_TIMEOUT' | 'ERR_ORIGIN_UNREACHABLE', options: ForwardOptions): Forwarded {
  return { response: refuse(failure, { html: options.html ?? false, requestId: options.requestId }), failure };
}

function withHeaders(response: Response, extra: BrowserHeaders): Response {
  const { headers } = response;
  for (const [name, value] of extra) {
    if (name === 'set-cookie') headers.append(name, value);
    else headers.set(name, value);
  }
  return response;
}
