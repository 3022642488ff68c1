// Before/after figures for issue 16 (Clerk side): time to answer, time to recover and Backend API
// calls under each fault of the fake Backend API (test/servers.ts, POST <scope>/__fault), through
// the gateway's request path with default settings. Not part of `npm test` (it waits out real
// faults, minutes on the code before the fix): `node bench/clerk-faults.mjs` copies it into
// test/faults/, runs it in workerd, and prints one JSON line per case. It uses only helpers that
// exist before the fix, so the same file measures both.
import { it } from 'vitest';

import { defineConfig } from '../../src/config';
import { mintToken, scopedBackendApi, send, testEnv } from '../helpers';

const CAP_MS = 20_000;
const RECOVERY_CAP_MS = 45_000;
const config = defineConfig({
  routes: [
    { match: '/api/keys(.*)', protect: true, accept: ['api_key'] },
    { match: '/dashboard(.*)', protect: true },
  ],
});
type Options = Parameters<typeof send>[1];

async function capped(path: string, options: Options): Promise<{ ms: number; status: number | 'no answer'; reason: string | null }> {
  const started = Date.now();
  const res = await Promise.race([send(path, options), new Promise<undefined>((r) => setTimeout(() => r(undefined), CAP_MS))]);
  const ms = Date.now() - started;
  if (!res) return { ms, status: 'no answer', reason: null };
  await res.body?.cancel();
  return { ms, status: res.status, reason: res.headers.get('x-auth-reason') };
}

async function recovery(path: string, options: Options): Promise<number | string> {
  const started = Date.now();
  while (Date.now() - started < RECOVERY_CAP_MS) {
    const r = await capped(path, options);
    if (r.status === 200) return Date.now() - started;
    await new Promise((s) => setTimeout(s, 250));
  }
  return `> ${RECOVERY_CAP_MS}`;
}

function api(label: string, jwks: boolean) {
  const scoped = scopedBackendApi(label, { jwks });
  const url = scoped.env.CLERK_API_URL!;
  const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { ...scoped, fault: (mode: string, ms = 0) => post('/__fault', { mode, ms }), jwksSet: (keys: unknown[]) => post('/__jwks', { keys }) };
}

const report = (row: Record<string, unknown>) => console.log(`MEASURE ${JSON.stringify(row)}`);
const FAULTS: [string, number][] = [['down', 0], ['500', 0], ['garbage', 0], ['slow', 10_000], ['hang', 0]];

it('JWKS mode: a session token while the JWKS is faulted, then recovery', { timeout: 600_000 }, async () => {
  for (const [mode, ms] of FAULTS) {
    const { env, fault, calls } = api(`mj${mode}`, true);
    const token = await mintToken();
    await fault(mode, ms);
    const answer = await capped('/dashboard/api', { env, config, bearer: token });
    const publicPage = await capped('/public', { env, config, bearer: token });
    await fault('ok');
    const recovered = await recovery('/dashboard/api', { env, config, bearer: token });
    report({ case: 'jwks', mode, answer, publicPage, recovered_ms: recovered, calls: await calls() });
  }
});

it('machine tokens: a valid API key while the Backend API is faulted, then recovery', { timeout: 600_000 }, async () => {
  for (const [mode, ms] of FAULTS) {
    const { env, fault, calls } = api(`mm${mode}`, false);
    await fault(mode, ms);
    const answer = await capped('/api/keys', { env, config, bearer: 'ak_valid_measure' });
    await fault('ok');
    const recovered = await recovery('/api/keys', { env, config, bearer: 'ak_valid_measure' });
    report({ case: 'machine', mode, answer, recovered_ms: recovered, calls: await calls() });
  }
});

it('single-flight: 20 concurrent requests with one unverified API key (Backend API answering in 300 ms)', { timeout: 120_000 }, async () => {
  const { env, fault, calls } = api('msingle', false);
  await fault('slow', 300);
  const results = await Promise.all(Array.from({ length: 20 }, () => capped('/api/keys', { env, config, bearer: 'ak_valid_single' })));
  report({ case: 'single-flight', statuses: results.map((r) => r.status).join(','), calls: await calls() });
});

it('key rotation under traffic: a new kid right after a JWKS fetch', { timeout: 120_000 }, async () => {
  const { env, jwksSet } = api('mrotate', true);
  await capped('/dashboard/api', { env, config, bearer: await mintToken() });
  const publicJwk = JSON.parse(testEnv.TEST_INSTANCE_PUBLIC_JWK) as Record<string, unknown>;
  await jwksSet([{ ...publicJwk, kid: 'ins_test_key', use: 'sig', alg: 'RS256' }, { ...publicJwk, kid: 'ins_rotated', use: 'sig', alg: 'RS256' }]);
  const fresh = await mintToken({ header: { kid: 'ins_rotated' } });
  report({ case: 'rotation', accepted_after_ms: await recovery('/dashboard/api', { env, config, bearer: fresh }) });
});
