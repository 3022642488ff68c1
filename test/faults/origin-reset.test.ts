// Fault injection, the origin side: an origin that resets the connection, before answering
// (502 origin_unreachable, the gateway's own answer) or in the middle of its body, after the
// headers went out with its 200. A body cut mid-stream must never look complete: the client's
// read fails, and a second log line says so (`ERR_ORIGIN_BODY`), chunked or with a Content-Length.
import { describe, expect, it } from 'vitest';

import { captureConsole, mintToken, send } from '../helpers';
import { envFor, faultOrigin } from './faults';

describe('fault: the origin resets the connection', () => {
  it('before answering: 502 origin_unreachable with its code, at once; forwards again once it answers', async () => {
    const errors = captureConsole('error');
    const origin = await faultOrigin();
    const env = envFor(origin.url, 60_000);
    const bearer = await mintToken();
    await origin.set('reset-before');
    const started = Date.now();
    const res = await send('/dashboard/api', { env, bearer });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect([res.status, res.headers.get('x-auth-reason')]).toEqual([502, 'origin_unreachable']);
    expect(((await res.json()) as { code: string }).code).toBe('ERR_ORIGIN_UNREACHABLE');
    expect(errors.text()).toContain('"reason":"ERR_ORIGIN_UNREACHABLE"');

    await origin.set('ok');
    expect(await (await send('/dashboard/api', { env, bearer })).text()).toBe('origin ok');
  });

  it.each(['reset-chunked', 'reset-length'] as const)('mid-body (%s), LOG_ORIGIN_BODY_FAILURES=true: the client read fails and the log says ERR_ORIGIN_BODY', async (mode) => {
    const errors = captureConsole('error');
    const origin = await faultOrigin();
    const env = { ...envFor(origin.url, 60_000), LOG_ORIGIN_BODY_FAILURES: 'true' };
    const bearer = await mintToken();
    await origin.set(mode);
    const started = Date.now();
    const res = await send('/dashboard/api', { env, bearer });
    // The origin's status and headers had gone out before the reset.
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
    // The second line, written when the body failed: the request's id and path, the code, the cause.
    await expect.poll(() => errors.calls().find((line) => line.includes('"msg":"origin_body_failed"'))).toBeDefined();
    const line = JSON.parse(errors.calls().find((l) => l.includes('"msg":"origin_body_failed"'))!) as Record<string, unknown>;
    expect(line).toMatchObject({ reason: 'ERR_ORIGIN_BODY', path: '/dashboard/api', status: 200, origin_status: 200, user_id: 'user_1' });
    expect(line.request_id).toBe(res.headers.get('x-request-id'));
    expect(String(line.detail)).toMatch(/\S/);

    await origin.set('ok');
    expect(await (await send('/dashboard/api', { env, bearer })).text()).toBe('origin ok');
  });

  it.each(['reset-chunked', 'reset-length'] as const)('mid-body (%s), by default: the client read still fails, without the watch or its log line', async (mode) => {
    const errors = captureConsole('error');
    const origin = await faultOrigin();
    const env = envFor(origin.url, 60_000);
    const bearer = await mintToken();
    await origin.set(mode);
    const res = await send('/dashboard/api', { env, bearer });
    expect(res.status).toBe(200);
    // The origin's body is handed on as it is: its failure reaches the reader natively.
    await expect(res.text()).rejects.toThrow();
    await origin.set('ok');
    expect(await (await send('/dashboard/api', { env, bearer })).text()).toBe('origin ok');
    expect(errors.calls().some((line) => line.includes('"msg":"origin_body_failed"'))).toBe(false);
  });
});
