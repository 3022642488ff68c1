#!/usr/bin/env node
// Where a first-seen token's CPU goes natively: workerd sampled by `perf record -e cpu-clock` (a
// software clock: this VM's perf has no hardware counters), each symbol's samples turned into µs a
// request, and two workers set side by side (by default the gateway against the forward floor).
// What callgrind (bench/instructions.mjs, bench/profile-functions/) counts is instructions in user
// space: it does not see the kernel, cache misses or the CPU's own extensions (ADX for RSA), which
// natively weigh differently. This showed, for example, V8 interning every first-seen token into
// its string table (`Runtime_InternalizeString` under `MapPrototypeHas`: the verified-token cache
// and the rejected-signature set are keyed on the token), about 4 µs a request sampled, which the
// counts had put under 2 k instructions (docs/performance.md).
//
// Every Worker is bundled as `wrangler deploy --dry-run` builds it (minified: JavaScript shows as
// `JS:<name> worker.js:line:col` through V8's --perf-basic-prof map) and runs in a workerd of its
// own, its log lines to a file (bench/workerd.mjs), in front of one local origin. Each is warmed
// up, then sampled alone over `--requests` requests, each with a token it never saw. Sampling
// slows workerd (about 2× here): read proportions and differences, not absolute times.
// `--callers <symbol>` prints the call chains (perf -g) into a symbol for the first worker.
//
//   node bench/profile-native.mjs [--requests 3000] [--warmup 1500] [--workers gateway,forward]
//     [--frequency 15000] [--top 30] [--callers LookupKey]   (a part of a symbol's name)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ISSUER, KID, PARTY, clerkBindings } from './lib/bench-instance.mjs';
import { startOrigin } from './lib/origin.mjs';
import { workerdCpuNs } from './lib/workerd-cpu.mjs';
import { collect, get } from './lib/workerd-get.mjs';
import { wranglerBundle } from './lib/wrangler-bundle.mjs';
import { TokenPool } from './tokens.mjs';
import { startWorkerd } from './workerd.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: a } = parseArgs({ options: { requests: { type: 'string' }, warmup: { type: 'string' }, workers: { type: 'string' }, frequency: { type: 'string' }, top: { type: 'string' }, callers: { type: 'string' } } });
const REQUESTS = Number(a.requests ?? 3000);
const WARMUP = Number(a.warmup ?? 1500);
const FREQUENCY = Number(a.frequency ?? 15000);
const TOP = Number(a.top ?? 30);
const WORKERS = (a.workers ?? 'gateway,forward').split(',');
const OUT = join(root, 'bench/.build/profile-native');

if (spawnSync('perf', ['--version']).error) throw new Error('perf not found: apt-get install linux-perf');
const TOMLS = { gateway: 'gateway.toml', forward: 'forward-floor.toml', verify: 'verify-floor.toml', passthrough: 'passthrough.toml', baseline: 'baseline.toml' };
for (const name of WORKERS) if (!TOMLS[name]) throw new Error(`--workers: ${name} is not one of ${Object.keys(TOMLS).join(', ')}`);

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const pool = await TokenPool.open({ dir: join(root, 'bench/.build/tokens'), issuer: ISSUER, azp: PARTY, kid: KID });
const origin = await startOrigin();
const originUrl = `http://127.0.0.1:${origin.address().port}`;
const bindings = { gateway: clerkBindings(originUrl, pool), baseline: clerkBindings(originUrl, pool), forward: { ORIGIN_URL: originUrl, CLERK_JWT_KEY: pool.pem }, verify: { ORIGIN_URL: originUrl, CLERK_JWT_KEY: pool.pem }, passthrough: { ORIGIN_URL: originUrl } };
await pool.ensure(WORKERS.length * (WARMUP + REQUESTS + 1));
let nextToken = 0;

const workers = {};
for (const name of WORKERS) {
  const bundle = wranglerBundle(`native-${name}`, join(root, 'bench/workers', TOMLS[name]));
  workers[name] = await startWorkerd({ name, scriptPath: bundle.scriptPath, bindings: bindings[name], dir: OUT, v8Flags: ['--expose-gc', '--perf-basic-prof'], logFile: join(OUT, `${name}.log`) });
}
async function send(name, n) {
  for (let i = 0; i < n; i++) {
    const res = await get(`${workers[name].url}/dashboard`, { authorization: `Bearer ${pool.tokens[nextToken++]}` });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${name}: ${res.status} ${workers[name].output.slice(-3).join('\n')}`);
  }
}
console.log(`Warming up (${WARMUP} requests a worker), then ${REQUESTS} sampled requests a worker, one worker at a time…`);
for (const name of WORKERS) await send(name, WARMUP);
const cpuUs = {};
for (const name of WORKERS) {
  const w = workers[name];
  await collect(w, 'minor-gc');
  const perf = spawn('perf', ['record', ...(a.callers ? ['-g'] : []), '-e', 'cpu-clock', '-F', String(FREQUENCY), '-p', w.pid, '-o', join(OUT, `${name}.data`)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let perfSaid = '';
  perf.stderr.on('data', (chunk) => (perfSaid += chunk));
  const exited = new Promise((resolve) => perf.once('exit', resolve));
  await new Promise((r) => setTimeout(r, 1000));
  if (perf.exitCode !== null) throw new Error(`perf record ended before sampling (exit ${perf.exitCode}): ${perfSaid.trim()}`);
  const before = workerdCpuNs(w.pid);
  await send(name, REQUESTS);
  cpuUs[name] = (workerdCpuNs(w.pid) - before) / REQUESTS / 1000;
  perf.kill('SIGINT');
  await exited;
}
await Promise.all(Object.values(workers).map((w) => w.stop()));
origin.close();

/** µs a request by [dso, symbol], from the CPU time perf's samples stand for (their periods, ns). */
function symbols(name) {
  const text = execFileSync('perf', ['report', '-i', join(OUT, `${name}.data`), '--no-children', '--sort', 'dso,sym', '--stdio', '-F', 'period,dso,sym', '-g', 'none'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const out = new Map();
  for (const line of text.split('\n')) {
    // The DSO may hold spaces (`[JIT] tid 1234`).
    const m = /^\s*(\d+)\s+(.+?)\s+\[[.k]\]\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    // JIT code: one symbol per function, whatever the isolate's thread id in its DSO name.
    const dso = m[2].startsWith('[JIT]') ? '[JIT]' : m[2];
    const key = `${dso}\t${m[3]}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[1]) / 1000 / REQUESTS);
  }
  return out;
}
const [first, second] = WORKERS;
const tables = Object.fromEntries(WORKERS.map((n) => [n, symbols(n)]));
console.log('\n| worker | CPU µs / request (schedstat, while sampled) | µs by DSO (sampled) |');
console.log('|---|---:|---|');
for (const name of WORKERS) {
  const byDso = new Map();
  for (const [key, us] of tables[name]) byDso.set(key.split('\t')[0], (byDso.get(key.split('\t')[0]) ?? 0) + us);
  const dsos = [...byDso].sort((x, y) => y[1] - x[1]).slice(0, 5).map(([d, us]) => `${d} ${us.toFixed(1)}`);
  console.log(`| ${name} | ${cpuUs[name].toFixed(1)} | ${dsos.join(', ')} |`);
}
if (second) {
  const keys = new Set([...tables[first].keys(), ...tables[second].keys()]);
  const rows = [...keys].map((k) => ({ k, a: tables[first].get(k) ?? 0, b: tables[second].get(k) ?? 0 })).map((r) => ({ ...r, d: r.a - r.b }));
  rows.sort((x, y) => y.d - x.d);
  console.log(`\n${first} − ${second}: the ${TOP} symbols that add most, then the ${Math.ceil(TOP / 3)} that save most (µs a request, sampled)\n`);
  console.log(`| symbol | DSO | ${first} | ${second} | difference |`);
  console.log('|---|---|---:|---:|---:|');
  for (const r of [...rows.slice(0, TOP), ...rows.slice(-Math.ceil(TOP / 3)).reverse()]) {
    const [dso, sym] = r.k.split('\t');
    console.log(`| ${sym.slice(0, 110).replaceAll('|', '\\|')} | ${dso} | ${r.a.toFixed(2)} | ${r.b.toFixed(2)} | ${r.d >= 0 ? '+' : ''}${r.d.toFixed(2)} |`);
  }
}
if (a.callers) {
  console.log(`\nCall chains into ${a.callers} (${first}):\n`);
  console.log(execFileSync('perf', ['report', '-i', join(OUT, `${first}.data`), '--no-children', '--stdio', '-g', 'graph,0,caller', '--symbol-filter', a.callers], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l.trim() && !l.startsWith('#')).slice(0, 80).join('\n'));
}
