// Fault injection, the origin side: an origin slower than ORIGIN_TIMEOUT_MS (it takes the request
// and never answers). The gateway answers 504 origin_timeout by itself after the timeout, not
// later, and forwards again as soon as the origin answers. The timeout is a setting injected
// small (300 ms), so the test waits on no machine's speed: the origin never answers at all.
import { describe, expect, it } from 'vitest';

import { captureConsole, mintToken, send } from '../helpers';
import { envFor, faultOrigin } from './faults';

const TIMEOUT_MS = 300;

describe('fault: the origin is slower than ORIGIN_TIMEOUT_MS', () => {
  it('504 origin_timeout with its code, bounded by the timeout; forwards again once the origin answers', async () => {
    const errors = captureConsole('error');
    const origin = await faultOrigin();
    const env = envFor(origin.url, TIMEOUT_MS);
    const bearer = await mintToken();

    await origin.set('hang');
    // A signed-in request to a protected path, and a signed-out one to a public path: both wait for the origin.
    for (const [path, options] of [['/dashboard/api', { bearer }], ['/', {}]] as const) {
      const started = Date.now();
      const res = await send(path, { env, ...options });
      const took = Date.now() - started;
      expect(res.status).toBe(504);
      expect(res.headers.get('x-auth-reason')).toBe('origin_timeout');
      expect(((await res.json()) as { code: string }).code).toBe('ERR_ORIGIN_TIMEOUT');
      // Not before the timeout, and not long after it (the margin is for a loaded machine).
      expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(took).toBeLessThan(TIMEOUT_MS + 10_000);
    }
    expect(errors.text()).toContain('"reason":"ERR_ORIGIN_TIMEOUT"');

    await origin.set('ok');
    const back = await send('/dashboard/api', { env, bearer });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe('origin ok');
  });

  it('a browser gets the 504 as a page, with the code', async () => {
    captureConsole('error');
    const origin = await faultOrigin();
    await origin.set('hang');
    const res = await send('/', { env: envFor(origin.url, TIMEOUT_MS), navigate: true });
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('data-code="ERR_ORIGIN_TIMEOUT"');
  });
});
