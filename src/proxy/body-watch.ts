/**
 * The origin's body, piped through a stream the gateway owns so that a failure mid-body (the
 * origin resets, the connection drops) is seen: `onError` is called with the cause, and the
 * answer's stream errors with it, so a caller reading it (a Service Binding, Cloudflare's edge)
 * gets an error, not a short body. workerd's own HTTP server (`wrangler dev`, `workerd serve`)
 * still ends a chunked answer with a clean terminator after such an error (cloudflare/workerd#6818):
 * nothing a Worker can change; a `Content-Length` answer there shows the reset.
 *
 * The pipe is native (IdentityTransformStream / FixedLengthStream): no JavaScript per chunk. A
 * `Content-Length` body keeps its length (FixedLengthStream), so a short one still resets the
 * client. A body with a `Content-Encoding` and a length is passed as it is: workerd decodes what a
 * Worker reads, so its length is not the decoded length, and the client sees the reset anyway.
 */
export function watchBody(
  body: ReadableStream | null,
  headers: Headers,
  onError: (error: unknown) => void,
  waitUntil?: (promise: Promise<unknown>) => void,
): ReadableStream | null {
  if (body === null) return null;
  const length = headers.get('content-length');
  const encoded = (headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
  if (length !== null && encoded) return body;
  const bytes = length === null ? Number.NaN : Number(length);
  const pipe = Number.isSafeInteger(bytes) && bytes >= 0 ? new FixedLengthStream(bytes) : new IdentityTransformStream();
  // pipeTo aborts the writable with the source's error: the readable the client reads errors too.
  // It also rejects when the client cancels its side (goes away mid-body); see writeOriginBodyFailure.
  const piped = body.pipeTo(pipe.writable).catch(onError);
  // Served over HTTP, workerd drops what is still pending when the answer ends: without
  // waitUntil the failure would reach the client but never the log.
  waitUntil?.(piped);
  return pipe.readable;
}
