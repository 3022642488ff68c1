#!/usr/bin/env node
// `node bench/shared-tier.mjs`: what one read and one write of the shared tier cost in workerd's
// own Cache API (Miniflare), as src/auth/limits/shared-cache.ts makes them (SHA-256 of the key,
// match + JSON body; put with max-age): the workerd process's CPU per call, less the same Worker
// doing nothing, the modes interleaved over rounds. bench/scale.mjs reads `--shared-hit-us` from
// here. Miniflare's Cache API is a local store, not Cloudflare's: the CPU is the isolate's side of
// the call; the latency of a real data center's cache (about a millisecond) is not measured here.
//   node bench/shared-tier.mjs [--requests 200] [--calls 20] [--rounds 5]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

import { Miniflare } from 'miniflare';

import { cpuOf, ownWorkerdPids } from './lib/workerd-cpu.mjs';

import { bundleSource } from './lib/load-source.mjs';

const arg = (name, fallback) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const REQUESTS = arg('--requests', 200);
const CALLS = arg('--calls', 20);
const ROUNDS = arg('--rounds', 5);

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
console.log(JSON.stringify({ sharedTierCpuUs: result }));
