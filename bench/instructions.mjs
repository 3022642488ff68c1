#!/usr/bin/env node
// `npm run bench:instructions`: what each variant of `npm run bench` costs workerd, counted in
// instructions a request by valgrind's callgrind instead of timed. A count does not move with
// the machine's load, its clock or the host's other guests (a shared 2-core VM spreads timed
// rounds by 20–130 %), so two runs agree within a few percent (what differs is mostly a
// collection landing in one round's window or the next) and a 10 % change shows.
//
// Every Worker is bundled as `wrangler deploy --dry-run` builds it and runs in workerd of its own
// (bench/workerd.mjs) under `valgrind --tool=callgrind`, in front of one local origin
// (bench/lib/origin.mjs). A variant is warmed up, then its counters are zeroed, `--requests`
// requests are sent one after another on a kept-alive connection, and the counters dumped: every
// instruction of every workerd thread (HTTP, the runtime, V8's compiler and collector, the
// Worker's JavaScript), none of the origin's or the client's. Variants are interleaved over
// `--rounds` rounds, each window after a few unmeasured requests; a variant's figure is the
// median, its spread (max − min) ÷ median.
//
// What follows from the counts, for workerd's share of a request's CPU:
// - × pass-through: the pass-through's instructions ÷ the variant's, the throughput a CPU-bound
//   gateway keeps next to the pass-through. It is lower than what wrk measures (wrk and the origin
//   share the cores too and cost every variant alike), so a target met here is met there.
// - added: the variant's instructions less the pass-through's; ÷ the baseline's added for the
//   "≤ ¼ of the naive SDK" goal.
//
//   node bench/instructions.mjs [--rounds 5] [--requests 100] [--warmup 1200] [--fill <tokens>] [--only id,id]
//     [--against <git revision>[,<revision>…]] [--timed] [--calls] [--out bench/instructions-results.json]
//
// --calls adds what one call into the runtime costs (bench/workers/runtime-calls.ts): `call-<op>`
// variants, each the pass-through plus N of one operation, reported per call against `call-base`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readArgs } from '../scripts/lib/cli-args.mjs';
import { mintSessionToken, nowSeconds } from '../scripts/lib/session-token.mjs';
import { TokenPool } from './tokens.mjs';
import { ISSUER, KID, PARTY, clerkBindings } from './lib/bench-instance.mjs';
import { loadSource } from './lib/load-source.mjs';
import { startOrigin } from './lib/origin.mjs';
import { workerdCpuNs } from './lib/workerd-cpu.mjs';
import { callgrindDump, callgrindTotal } from './lib/callgrind-dump.mjs';
import { collect, get } from './lib/workerd-get.mjs';
import { bundleRevision, wranglerBundle } from './lib/wrangler-bundle.mjs';
import { startWorkerd } from './workerd.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'bench', '.build');
const USAGE = `usage: node bench/instructions.mjs [--rounds 5] [--requests 100] [--warmup 1200] [--fill <tokens>] [--only id,id]
  [--against <git revision>[,<revision>…]] [--timed] [--calls] [--out <file>]`;
const { values: args } = readArgs(
  { rounds: { type: 'string' }, requests: { type: 'string' }, warmup: { type: 'string' }, fill: { type: 'string' }, only: { type: 'string' }, against: { type: 'string' }, timed: { type: 'boolean' }, calls: { type: 'boolean' }, out: { type: 'string' } },
  USAGE,
  (message) => {
    console.error(`${message}\n${USAGE}`);
    process.exit(2);
  },
);
const ROUNDS = Number(args.rounds ?? 5);
const REQUESTS = Number(args.requests ?? 100);
// 1200: at 600 V8 was still compiling the first-seen path (Maglev and Turbofan jobs inside the windows: 78–252 k a request in a run of three gateway variants); at 1200 rounds spread 0.3 %.
const WARMUP = Number(args.warmup ?? 1200);
// Requests sent unmeasured before each window.
const SETTLE = 20;
// First-seen tokens are counted as an isolate at scale meets them: its verified-token cache full,
// every new token forgetting the oldest (3 % hits, bench/scale.mjs), not a cache still filling.
// Before its warm-up, each gateway that serves first-seen variants verifies as many tokens as the
// cache keeps (src/config/limits.ts). Filling, a full cache's eviction went unseen: it walked
// V8's table from its front, 21 k instructions a first-seen token (src/runtime/bounded-map.ts).
// `--fill 0`: a cache still filling, as runs before 2026-12-07 counted. Another revision's gateway
// (`--against`) gets as many: today's bound.
const { VERIFIED_TOKENS_KEPT } = await loadSource({ 'src/config/limits': ['VERIFIED_TOKENS_KEPT'] });
if (args.fill !== undefined && !/^\d+$/.test(args.fill)) throw new Error(`--fill: a whole number of tokens, got '${args.fill}'`);
const FILL = Number(args.fill ?? VERIFIED_TOKENS_KEPT);
const ONLY = (args.only ?? '').split(',').filter(Boolean);
const AGAINST = args.against;
// --timed: the same variants timed by workerd's CPU clock (ns, /proc) instead of counted, in
// blocks of requests taking turns (timedRounds): natively, with every CPU feature (valgrind's CPU
// has no ADX or SHA extensions, so BoringSSL's RSA and SHA-256 take longer paths there), and the
// kernel's share, at the price of the machine's noise.
const TIMED = args.timed ?? false;
// --timed: requests a block (timedRounds).
const TIMED_BLOCK = 10;
if (TIMED && REQUESTS % TIMED_BLOCK !== 0) throw new Error(`--timed: --requests must be a multiple of ${TIMED_BLOCK}, got ${REQUESTS}`);
// Each runtime call counted with --calls, and how many times a request makes it.
const CALLS = args.calls
  ? { base: 1, 'headers-get': 100, 'headers-set': 100, 'headers-foreach': 10, 'headers-copy': 100, 'url-origin': 100, 'url-pathname': 100, 'new-response': 100, timer: 100, 'random-uuid': 100, 'log-line': 10, atob: 100, 'json-parse': 100, 'headers-pairs': 100, 'headers-copy-set': 100 }
  : {};
const OUT = args.out ?? join(root, 'bench', TIMED ? 'instructions-timed-results.json' : 'instructions-results.json');

if (!TIMED && spawnSync('valgrind', ['--version']).error) throw new Error('valgrind not found: apt-get install valgrind');

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';

console.log('Bundling with wrangler deploy --dry-run…');
const bundles = {
  gateway: wranglerBundle('gateway', join(root, 'bench/workers/gateway.toml')),
  plain: wranglerBundle('gateway-plain', join(root, 'bench/workers/gateway-plain.toml')),
  passthrough: wranglerBundle('passthrough', join(root, 'bench/workers/passthrough.toml')),
  baseline: wranglerBundle('baseline', join(root, 'bench/workers/baseline.toml')),
  rules: wranglerBundle('gateway-rules', join(root, 'bench/workers/gateway-rules.toml')),
  floor: wranglerBundle('html-floor', join(root, 'bench/workers/html-floor.toml')),
  verify: wranglerBundle('verify-floor', join(root, 'bench/workers/verify-floor.toml')),
  forward: wranglerBundle('forward-floor', join(root, 'bench/workers/forward-floor.toml')),
  ...(args.calls ? { runtime: wranglerBundle('runtime-calls', join(root, 'bench/workers/runtime-calls.toml')) } : {}),
};
// Other revisions' gateways, bundled the same way with today's node_modules and routes.
const againstRevs = (AGAINST ?? '').split(',').filter(Boolean).map((rev) => {
  const { rev: short, bundle } = bundleRevision(rev);
  bundles[`at-${short}`] = bundle;
  return short;
});

const pool = await TokenPool.open({ dir: join(build, 'tokens'), issuer: ISSUER, azp: PARTY, kid: KID });
const origin = await startOrigin();
// Under valgrind a worker can sit idle for minutes between rounds: its kept-alive connections must outlive that.
origin.keepAliveTimeout = 30 * 60_000;
const originUrl = `http://127.0.0.1:${origin.address().port}`;
const now = nowSeconds();
const token = await mintSessionToken({ issuer: ISSUER, azp: PARTY, now, lifetime: 3600, kid: KID, sub: 'user_bench', sid: 'sess_bench', key: pool.privateKey });
const clerk = clerkBindings(originUrl, pool);
const bearer = { authorization: `Bearer ${token}` };
const cookie = { cookie: `__session=${token}; __client_uat=${now - 1}` };

// The Workers: each a workerd under callgrind. One isolate each, as in `npm run bench`.
const workerSpecs = {
  passthrough: { bundle: 'passthrough', bindings: { ORIGIN_URL: originUrl } },
  gateway: { bundle: 'gateway', bindings: clerk, keepsTokens: true },
  quiet: { bundle: 'gateway', bindings: { ...clerk, LOG_LEVEL: 'error' }, keepsTokens: true },
  plain: { bundle: 'plain', bindings: clerk, keepsTokens: true },
  baseline: { bundle: 'baseline', bindings: clerk },
  rules10: { bundle: 'rules', bindings: { ...clerk, BENCH_RULES: '10' }, keepsTokens: true },
  parse: { bundle: 'floor', bindings: { ORIGIN_URL: originUrl, FLOOR: 'parse' } },
  calls: { bundle: 'floor', bindings: { ORIGIN_URL: originUrl, FLOOR: 'calls' } },
  verify: { bundle: 'verify', bindings: { ORIGIN_URL: originUrl, CLERK_JWT_KEY: pool.pem } },
  forward: { bundle: 'forward', bindings: { ORIGIN_URL: originUrl, CLERK_JWT_KEY: pool.pem } },
  runtime: { bundle: 'runtime', bindings: { ORIGIN_URL: originUrl } },
  ...Object.fromEntries(againstRevs.flatMap((rev) => [[`at-${rev}`, { bundle: `at-${rev}`, bindings: clerk, keepsTokens: true }], [`at-${rev}-quiet`, { bundle: `at-${rev}`, bindings: { ...clerk, LOG_LEVEL: 'error' }, keepsTokens: true }]])),
};
// The same variants as `npm run bench` (bench/run.mjs), by id; `tokens`: a token never seen before on every request.
const allVariants = [
  { id: 'passthrough', worker: 'passthrough', path: '/dashboard', headers: bearer },
  { id: 'gateway-public', worker: 'gateway', path: '/about', headers: {} },
  { id: 'gateway-bearer', worker: 'gateway', path: '/dashboard', headers: bearer },
  { id: 'gateway-cookie', worker: 'gateway', path: '/dashboard', headers: cookie },
  { id: 'gateway-bearer-nolog', worker: 'quiet', path: '/dashboard', headers: bearer },
  // The demo's routes without the control components (new since issue 22 was written): the same work as 80937fd's gateway.
  { id: 'plain-public', worker: 'plain', path: '/about', headers: {} },
  { id: 'plain-bearer', worker: 'plain', path: '/dashboard', headers: bearer },
  { id: 'plain-cookie', worker: 'plain', path: '/dashboard', headers: cookie },
  { id: 'baseline', worker: 'baseline', path: '/dashboard', headers: bearer },
  { id: 'gateway-bearer-first', worker: 'gateway', path: '/dashboard', tokens: 'bearer' },
  { id: 'gateway-cookie-first', worker: 'gateway', path: '/dashboard', tokens: 'cookie' },
  { id: 'gateway-bearer-first-nolog', worker: 'quiet', path: '/dashboard', tokens: 'bearer' },
  { id: 'baseline-first', worker: 'baseline', path: '/dashboard', tokens: 'bearer' },
  { id: 'verify-first', worker: 'verify', path: '/dashboard', tokens: 'bearer', label: 'pass-through + crypto.subtle.verify of a first-seen bearer token (the floor)' },
  { id: 'forward-floor-first', worker: 'forward', path: '/dashboard', tokens: 'bearer', label: 'the verify floor + what any gateway forwarding identity does (claims, header pass, identity headers, deadline, request id, log line)' },
  { id: 'html-passthrough', worker: 'passthrough', path: '/page.html', headers: bearer },
  { id: 'html-parse', worker: 'parse', path: '/page.html', headers: bearer, label: 'pass-through + HTMLRewriter matching nothing (the parse alone)' },
  { id: 'html-calls', worker: 'calls', path: '/page.html', headers: bearer, label: 'pass-through + 2 no-op calls per component element (start and end tag)' },
  { id: 'html-gateway', worker: 'rules10', path: '/page.html', headers: bearer },
  { id: 'html-components', worker: 'gateway', path: '/page.html', headers: bearer },
  { id: 'html-components-none', worker: 'gateway', path: '/plain.html', headers: bearer },
  ...Object.entries(CALLS).map(([op, n]) => ({ id: `call-${op}`, worker: 'runtime', path: '/page.html', headers: { ...bearer, 'x-op': op, 'x-n': String(n) }, calls: op === 'base' ? undefined : n })),
  ...againstRevs.flatMap((rev) => [
    { id: `gateway-public@${rev}`, worker: `at-${rev}`, path: '/about', headers: {} },
    { id: `gateway-bearer@${rev}`, worker: `at-${rev}`, path: '/dashboard', headers: bearer },
    { id: `gateway-cookie@${rev}`, worker: `at-${rev}`, path: '/dashboard', headers: cookie },
    { id: `gateway-bearer-first@${rev}`, worker: `at-${rev}`, path: '/dashboard', tokens: 'bearer' },
    { id: `gateway-cookie-first@${rev}`, worker: `at-${rev}`, path: '/dashboard', tokens: 'cookie' },
    { id: `gateway-bearer-first-nolog@${rev}`, worker: `at-${rev}-quiet`, path: '/dashboard', tokens: 'bearer' },
    { id: `html-components@${rev}`, worker: `at-${rev}`, path: '/page.html', headers: bearer },
  ]),
];
const variants = allVariants.filter((v) => ONLY.length === 0 || ONLY.includes(v.id) || v.id.startsWith('call-') || ['passthrough', 'baseline', 'baseline-first', 'html-passthrough'].includes(v.id));
const usedWorkers = [...new Set(variants.map((v) => v.worker))];

// First-seen variants take a fresh token on every request, fill and warm-up included; a worker never gets one twice.
const fills = (worker) => (workerSpecs[worker].keepsTokens && variants.some((v) => v.worker === worker && v.tokens) ? FILL : 0);
await pool.ensure(Math.max(0, ...usedWorkers.map((w) => fills(w) + variants.filter((v) => v.worker === w && v.tokens).length * (WARMUP + ROUNDS * (SETTLE + 2 + REQUESTS)))));
const nextToken = Object.fromEntries(usedWorkers.map((w) => [w, 0]));
const headersFor = (variant) => {
  if (!variant.tokens) return variant.headers;
  const t = pool.tokens[nextToken[variant.worker]++];
  return variant.tokens === 'cookie' ? { cookie: `__session=${t}; __client_uat=${pool.iat}` } : { authorization: `Bearer ${t}` };
};

const outDir = join(build, 'callgrind');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
console.log(TIMED ? `Starting ${usedWorkers.length} workerd processes…` : `Starting ${usedWorkers.length} workerd processes under callgrind (about a minute)…`);
const workers = Object.fromEntries(
  await Promise.all(
    usedWorkers.map(async (name) => {
      const spec = workerSpecs[name];
      const wrap = TIMED ? undefined : ['valgrind', '--tool=callgrind', '--smc-check=all-non-file', '--dump-instr=no', `--callgrind-out-file=${join(outDir, `${name}.%p`)}`];
      // Timed, the log lines go to a file, not a pipe: a pipe wakes its reader on every line (bench/workerd.mjs).
      const w = await startWorkerd({ name, scriptPath: bundles[spec.bundle].scriptPath, bindings: spec.bindings, dir: outDir, v8Flags: ['--expose-gc'], ...(wrap ? { wrap } : { logFile: join(outDir, `${name}.log`) }) });
      return [name, w];
    }),
  ),
);

/** Dumps and zeroes the counters of `worker`; resolves to the instructions since the last call. */
async function dump(worker) {
  return callgrindTotal(outDir, await callgrindDump(worker, outDir));
}

async function send(variant, n) {
  const worker = workers[variant.worker];
  for (let i = 0; i < n; i++) {
    const res = await get(`${worker.url}${variant.path}`, headersFor(variant)).catch((error) => {
      throw new Error(`${variant.id} (${worker.name}): ${error.cause?.code ?? error.message}; workerd said: ${worker.output.filter((l) => !l.startsWith('{')).slice(-8).join('\n')}`);
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${variant.id}: ${res.status} ${worker.output.slice(-3).join('\n')}`);
  }
}

if (usedWorkers.some(fills)) console.log(`Filling each gateway's verified-token cache (${FILL} first-seen tokens)…`);
await Promise.all(usedWorkers.map((name) => send({ id: `${name} (filling its cache)`, worker: name, path: '/dashboard', tokens: 'bearer' }, fills(name))));
console.log(`Warming up (${WARMUP} requests a variant), then ${ROUNDS} interleaved rounds of ${REQUESTS} requests a variant…`);
await Promise.all(usedWorkers.map(async (name) => { for (const variant of variants.filter((v) => v.worker === name)) await send(variant, WARMUP); }));
const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
// Timed: the variants take turns in blocks of TIMED_BLOCK (10) requests, one worker at a time, each
// block's CPU the workerd's between two readings of its clock (schedstat, ns, every thread), a
// round's figure the mean of its blocks (natural collections included, as the CPU they are).
// Windows of 100–300 requests a variant with the workers side by side spread 50–100 % here (two
// workerds on two cores with the client and the origin, and the host's other guests). Taking turns
// every few requests, the variants meet the same host. Smaller blocks pay more for caches the other
// workerds filled: a pass-through cost ~190 µs a request in windows of 200, ~340 µs in blocks of
// 10 and ~500 µs a request at a time (this VM, 2026-12-06), so compare ratios, not µs.
// What a workerd does after a block while the others run (a collection finishing, a compile, the
// log write) is charged to the variant it last served, when its clock is next read.
async function timedRounds() {
  const last = {};
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = Object.fromEntries(variants.map((v) => [v.id, 0]));
    for (let i = 0; i < REQUESTS / TIMED_BLOCK; i++) {
      for (const variant of (round + i) % 2 ? [...variants].reverse() : variants) {
        const pid = workers[variant.worker].pid;
        const start = workerdCpuNs(pid);
        if (last[pid]) cpu[last[pid].id] = (cpu[last[pid].id] ?? 0) + start - last[pid].ns;
        await send(variant, TIMED_BLOCK);
        const end = workerdCpuNs(pid);
        cpu[variant.id] += end - start;
        last[pid] = { id: variant.id, ns: end };
      }
    }
    for (const v of variants) samples[v.id].push(cpu[v.id] / REQUESTS);
    process.stdout.write('.');
  }
}
if (TIMED) await timedRounds();
// Counted: workers count on their own, side by side; each worker's variants run in turn.
else for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? [...variants].reverse() : variants;
  await Promise.all(
    usedWorkers.map(async (name) => {
      for (const variant of order.filter((v) => v.worker === name)) {
        // A worker left idle while the others ran does some housekeeping on its next requests
        // (seen: +15 M instructions, a collection, in whichever variant came first): not in the window.
        // The isolate's young generation is collected on both edges of the window, so every window
        // pays for exactly its own requests' garbage: before it (not counted: no debt of earlier
        // windows or other variants falls due inside it), at its end (counted: the scavenge and the
        // C++ objects, Responses and Headers, whose JS wrappers it frees). Without them a natural
        // scavenge, about every 450 pass-through requests and ~15 M instructions, landed in one
        // window in four (347 k vs 513 k for the same requests). Not a full collection: it resizes
        // the young generation and leaves sweeping to finish inside the window (+40 k on the gateway).
        await send(variant, SETTLE);
        await collect(workers[name], 'minor-gc');
        await send(variant, 2);
        await dump(workers[name]);
        await send(variant, REQUESTS);
        await collect(workers[name], 'minor-gc');
        samples[variant.id].push((await dump(workers[name])) / REQUESTS);
      }
    }),
  );
  process.stdout.write('.');
}
console.log();
await Promise.all(Object.values(workers).map((w) => w.stop()));
origin.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spreadOf = (xs) => (xs.length > 1 ? (Math.max(...xs) - Math.min(...xs)) / median(xs) : 0);
const kilo = (n) => (n / 1000).toFixed(0);
const results = Object.fromEntries(variants.map((v) => [v.id, { instructions: median(samples[v.id]), spread: spreadOf(samples[v.id]), rounds: samples[v.id] }]));
// The reference for every variant is the pass-through serving the page (the JSON answer costs the
// same now that every window pays for its own collection; before, a scavenge landing in one window
// in four made it 347 k or 513 k).
const reference = () => results['html-passthrough'] ?? results.passthrough;
// The same ratio within each round (the variant, the pass-through and the baseline measured
// minutes apart at most): what drifts over a run (timed: the host's clock and load) moves all three.
// A round whose baseline came out no dearer than the pass-through (timed noise) has no ratio.
const ofBaselineAddedByRound = (id) => {
  const base = results[id.includes('-first') ? 'baseline-first' : 'baseline'].rounds;
  const ref = reference().rounds;
  const ratios = results[id].rounds.flatMap((x, i) => (base[i] > ref[i] ? [(x - ref[i]) / (base[i] - ref[i])] : []));
  if (ratios.length === 0) return {};
  return { ofBaselineAddedPerRound: median(ratios), ofBaselineAddedRange: [Math.min(...ratios), Math.max(...ratios)], roundsWithoutRatio: results[id].rounds.length - ratios.length };
};
const baselineAdded = (id) => (id.includes('-first') ? results['baseline-first'] : results.baseline).instructions - reference().instructions;
const rows = variants.map((v) => {
  const r = results[v.id];
  const ref = reference(v.id).instructions;
  const html = v.id.startsWith('html-') || v.id.startsWith('call-');
  return {
    id: v.id,
    ...(v.label ? { label: v.label } : {}),
    kInstructions: Math.round(r.instructions / 1000),
    spread: r.spread,
    kRounds: r.rounds.map((n) => Math.round(n / 1000)),
    ratio: ref / r.instructions,
    addedK: Math.round((r.instructions - ref) / 1000),
    ...(v.calls && results['call-base'] ? { kPerCall: (r.instructions - results['call-base'].instructions) / v.calls / 1000 } : {}),
    ...(!html && v.id !== 'passthrough' && !v.id.startsWith('baseline') ? { ofBaselineAdded: (r.instructions - ref) / baselineAdded(v.id), ...ofBaselineAddedByRound(v.id) } : {}),
  };
});
console.log(`\n| variant | ${TIMED ? 'CPU µs' : 'k instructions'} / request (spread) | × pass-through | added ${TIMED ? 'µs' : 'k'} | ÷ baseline added | the same, per round: median (range) |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const last = r.kPerCall === undefined ? (r.ofBaselineAdded === undefined ? '' : r.ofBaselineAdded.toFixed(3)) : `${r.kPerCall.toFixed(1)} k a call`;
  const perRound = r.ofBaselineAddedPerRound === undefined ? '' : `${r.ofBaselineAddedPerRound.toFixed(3)} (${r.ofBaselineAddedRange.map((x) => x.toFixed(3)).join(' … ')})`;
  console.log(`| ${r.id} | ${r.kInstructions} (${(100 * r.spread).toFixed(2)} %) | ${r.ratio.toFixed(3)} | ${r.addedK} | ${last} | ${perRound} |`);
}
// Against another revision: the difference of each round with the same round of the other
// revision's variant. The two ran side by side, so what moves a whole round (a collection, the
// JSON pass-through's two counts) moves both, and the paired median sees less of it than the two
// medians apart.
const paired = rows.flatMap((r) => {
  const at = r.id.indexOf('@');
  const current = at > 0 ? rows.find((c) => c.id === r.id.slice(0, at)) : undefined;
  if (!current) return [];
  const diffs = current.kRounds.map((k, i) => k - (r.kRounds[i] ?? k));
  return [{ id: r.id.slice(0, at), against: r.id.slice(at + 1), kMedian: median(diffs), kRange: [Math.min(...diffs), Math.max(...diffs)], ofOther: median(diffs) / r.kInstructions }];
});
if (paired.length > 0) {
  console.log(`
| variant | this src − the other revision, paired by round (median, k) | range | ÷ the other |`);
  console.log('|---|---:|---:|---:|');
  for (const p of paired) console.log(`| ${p.id} − @${p.against} | ${p.kMedian} | ${p.kRange[0]} … ${p.kRange[1]} | ${(100 * p.ofOther).toFixed(1)} % |`);
}
const worst = Math.max(...rows.map((r) => r.spread));
console.log(`\nlargest spread over rounds: ${(100 * worst).toFixed(2)} % (a difference larger than that is real)`);
console.log(`src at ${commit}${dirty ? ' (uncommitted changes)' : ''}; ${ROUNDS} rounds × ${REQUESTS} requests, ${WARMUP} warm-up${usedWorkers.some(fills) ? `, caches filled with ${FILL} first-seen tokens` : ''}; every ratio against html-passthrough (the pass-through Worker)`);
writeFileSync(OUT, `${JSON.stringify({ date: new Date().toISOString(), commit, srcUncommitted: dirty, unit: TIMED ? 'ns of workerd CPU (kInstructions: µs)' : 'instructions', settings: { rounds: ROUNDS, requests: REQUESTS, warmup: WARMUP, fill: FILL, filled: usedWorkers.filter(fills) }, rows, paired }, null, 2)}\n`);
console.log(`results: ${OUT.replace(`${root}/`, '')}`);
