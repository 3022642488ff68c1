// Fault injection, the origin side: an origin that is down (connection refused). The gateway
// answers 502 origin_unreachable by itself, at once, and forwards again as soon as the origin is
// back: no cool-down, no cached failure.
import { describe, expect, it } from 'vitest';

import { captureConsole, mintToken, send } from '../helpers';
import { envFor, faultOrigin } from './faults';

describe('fault: the origin is down', () => {
  it('502 origin_unreachable with its code, without waiting for the origin timeout; forwards again once it is back', async () => {
    const errors = captureConsole('error');
    const origin = await faultOrigin();
    // A long origin timeout: a refused connection must not wait for it.
    const env = envFor(origin.url, 60_000);
    const bearer = await mintToken();
    expect((await send('/dashboard/api', { env, bearer })).status).toBe(200);

    await origin.set('down');
    for (const options of [{ bearer }, {}]) {
      const started = Date.now();
      const res = await send('/', { env, ...options });
      // Well under the 60 s timeout: the refusal is the answer to the refused connection.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(res.status).toBe(502);
      expect(res.headers.get('x-auth-reason')).toBe('origin_unreachable');
      expect(((await res.json()) as { code: string }).code).toBe('ERR_ORIGIN_UNREACHABLE');
    }
    expect(errors.text()).toContain('"reason":"ERR_ORIGIN_UNREACHABLE"');

    await origin.set('ok');
    // Recovery: the very first request after the origin is back is forwarded.
    const back = await send('/dashboard/api', { env, bearer });
    expect(back.status).toBe(200);
    expect(await back.text()).toBe('origin ok');
  });
});
