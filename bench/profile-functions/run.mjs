#!/usr/bin/env node
// Per-JS-function instruction profile of workerd under callgrind (docs/performance.md).
// Each worker: its own workerd under `valgrind --tool=callgrind --dump-instr=yes`, V8 flags
// --expose-gc --perf-basic-prof (V8 writes /tmp/perf-<pid>.map). Warm-up, then per variant and
// round a window as bench/instructions.mjs: SETTLE requests, minor gc, 2 requests, dump (zero),
// N requests, minor gc, dump. Per window the dump file and the perf map's byte length at its end
// are written to <out>/windows.json; analyze.py attributes the dumps.
//
//   node bench/profile-functions/run.mjs [--warmup 1500] [--requests 200] [--rounds 1] [--workers gateway,forward] [--out bench/.build/prof-run]
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { TokenPool } from '../tokens.mjs';
import { ISSUER, KID, PARTY, clerkBindings } from '../lib/bench-instance.mjs';
import { startOrigin } from '../lib/origin.mjs';
import { callgrindDump } from '../lib/callgrind-dump.mjs';
import { wranglerBundle } from '../lib/wrangler-bundle.mjs';
import { collect, get } from '../lib/workerd-get.mjs';
import { startWorkerd } from '../workerd.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: a } = parseArgs({ options: { warmup: { type: 'string' }, requests: { type: 'string' }, rounds: { type: 'string' }, workers: { type: 'string' }, out: { type: 'string' }, 'v8-flags': { type: 'string' }, 'no-bundle': { type: 'boolean' }, 'no-perf-prof': { type: 'boolean' }, 'valgrind-args': { type: 'string' } } });
const WARMUP = Number(a.warmup ?? 1500);
const REQUESTS = Number(a.requests ?? 200);
const ROUNDS = Number(a.rounds ?? 1);
const SETTLE = 20;
const WORKERS = (a.workers ?? 'gateway,forward').split(',');
const OUT = a.out ?? join(root, 'bench/.build/prof-run');
const EXTRA_FLAGS = (a['v8-flags'] ?? '').split(',').filter(Boolean);

const bundles = a['no-bundle']
  ? { gateway: { scriptPath: join(root, 'bench/.build/prof-gateway/worker.js') }, forward: { scriptPath: join(root, 'bench/.build/prof-forward/forward-floor.js') } }
  : {
      gateway: wranglerBundle('prof-gateway', join(root, 'bench/profile-functions/gateway-nomin.toml')),
      forward: wranglerBundle('prof-forward', join(root, 'bench/profile-functions/forward-floor-nomin.toml')),
    };

const pool = await TokenPool.open({ dir: join(root, 'bench/.build/tokens'), issuer: ISSUER, azp: PARTY, kid: KID });
const origin = await startOrigin();
origin.keepAliveTimeout = 30 * 60_000;
const originUrl = `http://127.0.0.1:${origin.address().port}`;
const clerk = clerkBindings(originUrl, pool);
const specs = {
  gateway: { bundle: 'gateway', bindings: clerk, variants: [{ id: 'gateway-bearer-first', path: '/dashboard', tokens: 'bearer' }, { id: 'gateway-cookie-first', path: '/dashboard', tokens: 'cookie' }] },
  'gw-bearer': { bundle: 'gateway', bindings: clerk, variants: [{ id: 'gateway-bearer-first', path: '/dashboard', tokens: 'bearer' }] },
  'gw-cookie': { bundle: 'gateway', bindings: clerk, variants: [{ id: 'gateway-cookie-first', path: '/dashboard', tokens: 'cookie' }] },
  forward: { bundle: 'forward', bindings: { ORIGIN_URL: originUrl, CLERK_JWT_KEY: pool.pem }, variants: [{ id: 'forward-floor-first', path: '/dashboard', tokens: 'bearer' }] },
};
const maxVariants = Math.max(...WORKERS.map((w) => specs[w].variants.length));
await pool.ensure(maxVariants * (WARMUP + ROUNDS * (SETTLE + 2 + REQUESTS)) + 10);
const nextToken = Object.fromEntries(WORKERS.map((w) => [w, 0]));
const headersFor = (worker, variant) => {
  const t = pool.tokens[nextToken[worker]++];
  return variant.tokens === 'cookie' ? { cookie: `__session=${t}; __client_uat=${pool.iat}` } : { authorization: `Bearer ${t}` };
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const workers = Object.fromEntries(
  await Promise.all(
    WORKERS.map(async (name) => {
      const wrap = ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', '--dump-instr=yes', '--compress-strings=no', '--compress-pos=no', `--callgrind-out-file=${join(OUT, `${name}.%p`)}`, ...(a['valgrind-args'] ?? '').split(',').filter(Boolean)];
      const w = await startWorkerd({ name, scriptPath: bundles[specs[name].bundle].scriptPath, bindings: specs[name].bindings, dir: OUT, v8Flags: ['--expose-gc', '--perf-basic-prof', ...(a['no-perf-prof'] ? [] : ['--perf-prof']), ...EXTRA_FLAGS], wrap });
      console.log(`${name}: pid ${w.pid}`);
      return [name, w];
    }),
  ),
);
const mapOf = (w) => `/tmp/perf-${w.pid}.map`;
const mapSize = (w) => { try { return statSync(mapOf(w)).size; } catch { return 0; } };

const dump = (worker) => callgrindDump(worker, OUT);

async function send(name, variant, n) {
  const worker = workers[name];
  for (let i = 0; i < n; i++) {
    const res = await get(`${worker.url}${variant.path}`, headersFor(name, variant));
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${variant.id}: ${res.status} ${worker.output.slice(-3).join('\n')}`);
  }
}

const t0 = Date.now();
await Promise.all(WORKERS.map(async (name) => { for (const v of specs[name].variants) await send(name, v, WARMUP); }));
console.log(`warm-up done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
const windows = [];
for (let round = 0; round < ROUNDS; round++) {
  await Promise.all(
    WORKERS.map(async (name) => {
      const w = workers[name];
      const vs = round % 2 ? [...specs[name].variants].reverse() : specs[name].variants;
      for (const v of vs) {
        await send(name, v, SETTLE);
        await collect(w, 'minor-gc');
        await send(name, v, 2);
        const zero = await dump(w);
        // The zero dump (warm-up or the time between windows) is not read: with --separate-callers it runs to gigabytes.
        rmSync(join(OUT, zero), { force: true });
        const mapStart = mapSize(w);
        await send(name, v, REQUESTS);
        await collect(w, 'minor-gc');
        const mapEnd = mapSize(w);
        const file = await dump(w);
        windows.push({ worker: name, variant: v.id, round, requests: REQUESTS, file, zeroFile: zero, map: `${name}.perf.map`, mapStart, mapEnd });
        console.log(`${v.id} round ${round}: ${file}, map ${mapStart} → ${mapEnd}`);
      }
    }),
  );
}
for (const name of WORKERS) copyFileSync(mapOf(workers[name]), join(OUT, `${name}.perf.map`));
await Promise.all(Object.values(workers).map((w) => w.stop()));
// --perf-prof: V8's jitdump (code with source positions) in workerd's working directory.
for (const name of WORKERS) {
  const jit = join(process.cwd(), `jit-${workers[name].pid}.dump`);
  if (existsSync(jit)) {
    copyFileSync(jit, join(OUT, `${name}.jit.dump`));
    rmSync(jit);
  }
}
writeFileSync(join(OUT, 'windows.json'), JSON.stringify({ warmup: WARMUP, requests: REQUESTS, rounds: ROUNDS, pids: Object.fromEntries(WORKERS.map((n) => [n, workers[n].pid])), windows }, null, 2));
await Promise.all(Object.values(workers).map((w) => w.stop()));
for (const name of WORKERS) rmSync(mapOf(workers[name]), { force: true });
// V8's perf flags also leave an (empty) isolate-*-<pid>-v8.log in the working directory.
for (const f of readdirSync(process.cwd())) if (WORKERS.some((n) => f.startsWith('isolate-') && f.endsWith(`-${workers[n].pid}-v8.log`))) rmSync(join(process.cwd(), f), { force: true });
origin.close();
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${OUT}`);
