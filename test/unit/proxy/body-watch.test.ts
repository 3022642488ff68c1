// watchBody: a failure in the origin's body reaches the client's stream and onError, and the watch
// is handed to waitUntil. Served over HTTP, workerd drops what is still pending once the answer
// ends, so without waitUntil the failure never reached the log (checked by hand against a bundled
// gateway in workerd: no origin_body_failed line without it, one with it).
import { describe, expect, it } from 'vitest';

import { watchBody } from '../../../src/proxy/body-watch';

function failingBody(): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new TextEncoder().encode('first chunk'));
      } else controller.error(new Error('origin reset'));
    },
  });
}

describe('watchBody', () => {
  it('errors the client stream, reports the cause, and keeps the watch alive through waitUntil', async () => {
    const errors: unknown[] = [];
    const kept: Promise<unknown>[] = [];
    const body = watchBody(failingBody(), new Headers(), (error) => errors.push(error), (promise) => kept.push(promise));
    expect(kept).toHaveLength(1);
    await expect(new Response(body).text()).rejects.toThrow();
    await kept[0];
    expect(errors.map(String)).toEqual(['Error: origin reset']);
  });

  it('a body that ends well reports nothing, and the watch it hands to waitUntil settles', async () => {
    const errors: unknown[] = [];
    const kept: Promise<unknown>[] = [];
    const body = watchBody(new Response('all of it').body, new Headers({ 'content-length': '9' }), (error) => errors.push(error), (promise) => kept.push(promise));
    expect(await new Response(body).text()).toBe('all of it');
    await Promise.all(kept);
    expect(errors).toEqual([]);
  });
});
