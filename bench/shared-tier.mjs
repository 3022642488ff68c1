#!/usr/bin/env node
// `node bench/shared-tier.mjs`: what one read and one write of the shared tier cost in workerd's
// own Cache API (Miniflare), as src/auth/limits/shared-cache.ts makes them (SHA-256 of the key,
// match + JSON body; put with max-age): the workerd process's CPU per call, less the same Worker
// doing nothing, the modes interleaved over rounds. bench/scale.mjs reads `--shared-hit-us` from
// here. Miniflare's Cache API is a local store, not Cloudflare's: the CPU is the isolate's side of
// the call; the latency of a real data center's cache (about a millisecond) is not measured here.
//
// With the Cache API in the loop (the part bench/scale.mjs's prediction rests on): the gateway
// (bench/workers/shared-tier.js, JWKS mode) as --isolates separate Workers of one instance in one
// Miniflare, each serving a first-seen session token and the same opaque API keys, against a local
// Backend API that counts its calls: with the Cache API, and again with Miniflare's cache off.
//   node bench/shared-tier.mjs [--requests 200] [--calls 20] [--rounds 5] [--isolates 8] [--keys 10 (at most 19)]
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

import { Miniflare } from 'miniflare';

import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { bundleSource, bundleWorker } from './lib/load-source.mjs';
import { cpuOf, ownWorkerdPids } from './lib/workerd-cpu.mjs';


const arg = (name, fallback) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const REQUESTS = arg('--requests', 200);
const CALLS = arg('--calls', 20);
const ROUNDS = arg('--rounds', 5);
const ISOLATES = arg('--isolates', 8);
// Under the Backend API budget's burst (20, less the JWKS fetch): without the tier every isolate verifies each key.
const KEYS = Math.min(arg('--keys', 10), 19);

const lib = readFileSync(await bundleSource({ 'src/auth/limits/shared-cache': ['SharedCache'] }), 'utf8');
const script = `${lib}
const shared = new SharedCache({ scope: 'https://api.clerk.com\\nsk_live_bench' });
const VERDICT = { kind: 'machine', principal: { tokenKind: 'api_key', id: 'ak_2abc', subject: 'user_2abc', scopes: ['reports.read'] }, headers: [] };
export default {
  async fetch(request) {
    const mode = new URL(request.url).pathname.slice(1);
    const now = Date.now();
    if (mode === 'put') for (let i = 0; i < ${CALLS}; i++) await shared.put('machine-verdict', 'ak_token_' + i, VERDICT, now + 10000, now);
    if (mode === 'hit') for (let i = 0; i < ${CALLS}; i++) if (!(await shared.get('machine-verdict', 'ak_token_' + i, now))) throw new Error('miss');
    if (mode === 'miss') for (let i = 0; i < ${CALLS}; i++) await shared.get('machine-verdict', 'ak_absent_' + i, now);
    return new Response('ok');
  },
};`;

const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-26', port: 0, host: '127.0.0.1' });
const url = (await mf.ready).href.replace(/\/$/, '');
const cpu = cpuOf(ownWorkerdPids());
async function run(mode) {
  const c0 = cpu();
  for (let i = 0; i < REQUESTS; i++) {
    const res = await fetch(`${url}/${mode}`);
    if (!res.ok) throw new Error(`${mode}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }
  return ((cpu() - c0) * 1e6) / (REQUESTS * CALLS);
}
const modes = ['none', 'put', 'hit', 'miss'];
const load0 = loadavg()[0];
for (const mode of modes) await run(mode);
const per = Object.fromEntries(modes.map((m) => [m, []]));
for (let round = 0; round < ROUNDS; round++) for (const mode of round % 2 ? [...modes].reverse() : modes) per[mode].push(await run(mode));
await mf.dispose();
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const result = {};
for (const mode of ['put', 'hit', 'miss']) {
  const added = per[mode].map((x, i) => x - per.none[i]);
  result[mode] = median(added);
  console.log(`${mode.padEnd(4)}: ${median(added).toFixed(1).padStart(6)} µs CPU a call (rounds ${sorted(added).map((x) => x.toFixed(0)).join(' / ')})`);
}
const busy = loadavg()[0] > cpus().length * 0.5;
console.log(`${REQUESTS} requests × ${CALLS} calls × ${ROUNDS} rounds per mode (workerd processes: Miniflare's, its cache service included); load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} on ${cpus().length} cores${busy ? ' (BUSY machine: direction only)' : ''}`);

// --- The Cache API in the loop: Backend API calls of N isolates ----------------------------------
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gatewayPath = join(root, 'bench', '.build', 'shared-tier', 'gateway.js');
await bundleWorker(join(root, 'bench/workers/shared-tier.js'), gatewayPath, { minify: true });
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const KID = 'ins_shared';
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
const calls = { jwks: 0, verify: 0 };
const bapi = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const path = new URL(req.url, 'http://x').pathname;
    res.setHeader('content-type', 'application/json');
    if (path === '/v1/jwks') {
      calls.jwks++;
      res.end(JSON.stringify({ keys: [jwk] }));
    } else if (/\/api_keys\/verify$/.test(path)) {
      calls.verify++;
      const secret = JSON.parse(body || '{}').secret ?? '';
      res.end(JSON.stringify({ object: 'api_key', type: 'api_key', id: `ak_id_${secret}`, name: 'k', subject: 'user_1', scopes: [], claims: null, revoked: false, revocation_reason: null, expired: false, expiration: null, created_at: 0, updated_at: 0, created_by: null, description: null, last_used_at: null }));
    } else {
      res.statusCode = 404;
      res.end('{"errors":[{"code":"resource_not_found"}]}');
    }
  });
});
await new Promise((r) => bapi.listen(0, '127.0.0.1', r));
const origin = createServer((req, res) => res.end('{"origin":true}'));
await new Promise((r) => origin.listen(0, '127.0.0.1', r));
const PARTY = 'http://bench.test';
const nowS = Math.floor(Date.now() / 1000);
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
let minted = 0;
function mint() {
  const i = minted++;
  const input = `${b64({ alg: 'RS256', kid: KID, typ: 'JWT' })}.${b64({ azp: PARTY, exp: nowS + 600, iat: nowS - 1, iss: 'https://clerk.bench.test', nbf: nowS - 1, sid: `sess_${i}`, sub: `user_${i}`, v: 2 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
const bindings = {
  ORIGIN_URL: `http://127.0.0.1:${origin.address().port}`,
  CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
  CLERK_SECRET_KEY: 'sk_live_bench',
  CLERK_API_URL: `http://127.0.0.1:${bapi.address().port}`,
  CLERK_AUTHORIZED_PARTIES: PARTY,
  LOG_LEVEL: 'error',
};
async function isolates(cache) {
  calls.jwks = 0;
  calls.verify = 0;
  const names = Array.from({ length: ISOLATES }, (_, i) => `gateway-${i}`);
  const fleet = new Miniflare({ workers: names.map((name) => ({ name, modules: true, scriptPath: gatewayPath, compatibilityDate: '2026-04-26', bindings, cache })) });
  await fleet.ready;
  for (const name of names) {
    const worker = await fleet.getWorker(name);
    const session = await worker.fetch(`${PARTY}/dashboard`, { headers: { authorization: `Bearer ${mint()}` } });
    if (session.status !== 200) throw new Error(`${name}: session token answered ${session.status}`);
    await session.arrayBuffer();
    for (let k = 0; k < KEYS; k++) {
      const res = await worker.fetch(`${PARTY}/api/x`, { headers: { authorization: `Bearer ak_bench_${k}` } });
      if (res.status !== 200) throw new Error(`${name}: API key ${k} answered ${res.status} ${res.headers.get("x-auth-reason")} ${await res.text()}`);
      await res.arrayBuffer();
    }
  }
  await fleet.dispose();
  return { ...calls };
}
const withTier = await isolates(true);
const without = await isolates(false);
bapi.close();
origin.close();
console.log(
  `${ISOLATES} isolates of one instance, each a first-seen session token (JWKS mode) and the same ${KEYS} API keys: ` +
    `JWKS fetches ${without.jwks} → ${withTier.jwks} with the Cache API (${(without.jwks / Math.max(withTier.jwks, 1)).toFixed(1)} × fewer), ` +
    `API key verifications ${without.verify} → ${withTier.verify} (${(without.verify / Math.max(withTier.verify, 1)).toFixed(1)} × fewer)`,
);
const record = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model}`, busy, sharedTierCpuUs: result, isolates: ISOLATES, keys: KEYS, backendApiCalls: { withoutSharedTier: without, withSharedTier: withTier } };
// bench/scale.mjs reads the read's cost from here (--shared-hit-us overrides it).
writeFileSync(join(root, 'bench/shared-tier-results.json'), `${JSON.stringify(record, null, 2)}\n`);
console.log(JSON.stringify(record));
