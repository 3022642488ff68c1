import type { RuntimeResult } from '../runtime/runtime';

/**
 * The health endpoint: whether the configuration is valid, without any value from it, and without
 * calling the origin or Clerk. `200 {"status":"ok"}` or `503 {"status":"misconfigured","problems":N}`.
 */
export function health(result: RuntimeResult): Response {
  const body = result.ok ? { status: 'ok' } : { status: 'misconfigured', problems: result.problems.length };
  return new Response(JSON.stringify(body), {
    status: result.ok ? 200 : 503,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
