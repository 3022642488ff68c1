#!/usr/bin/env node
// `npm run bench`: what the gateway costs per request, next to a bare pass-through Worker and
// to the code a user would write instead (@clerk/backend's authenticateRequest per request).
//
// Every Worker runs bundled as `wrangler deploy --dry-run` builds it, in Miniflare with no
// inspector, against one fast local origin; wrk drives load on loopback; variants are
// interleaved A/B/C/… for several rounds so drift hits them all alike. workerd CPU time per
// request is read from /proc. Results: a table on stdout and bench/results.json.
//
// Besides the steady state (one token, seen again and again: nearly all cache hits) it measures
// what a busy site pays: first-seen tokens (each request a token its isolate never saw, through
// bench/first-seen.lua), JWKS mode (no CLERK_JWT_KEY; a local JWKS server), latency at a fixed
// rate of half the pass-through's capacity (open loop, bench/open-loop.mjs) and the isolate's
// memory with every cache full, and the same requests against route tables of 10 and 2,000 rules
// (bench/workers/rules.ts). bench/scale.mjs turns the results into costs at scale.
//
// Knobs: BENCH_ROUNDS (3), BENCH_SECONDS (4), BENCH_FIRST_SECONDS (3), BENCH_CONNECTIONS (16),
// BENCH_ONLY=id,id; BENCH_LATENCY=0 | BENCH_LATENCY_SECONDS (2) | BENCH_LATENCY_LOAD (0.5);
// BENCH_MEMORY=0; BENCH_AGAINST=<git revision> (that revision's gateway in the same run;
// BENCH_AGAINST_ONLY=id,id picks which variants it runs);
// BENCH_NOISE (0.2 cores) / BENCH_RETRIES (2) / BENCH_WAIT (20 s): measurements disturbed by other
// processes are taken again; BENCH_PRINT_LOGS=1 prints the Workers' logs; BENCH_FRESH_TOKENS=1.
// BENCH_SPREAD (0.1): every ratio is the median of per-round ratios against the pass-through of
// the same round, with its spread over the rounds ((max − min) ÷ median); a variant spreading more
// is flagged noisy, and the run too when a target variant is, when the CPU clock moved more than
// 5 % or other processes were busy: then it says NOISY RUN rather than be believed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { cpus, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Miniflare } from 'miniflare';

import { mintSessionToken, nowSeconds } from '../scripts/lib/session-token.mjs';
import { Cursors, TokenPool, forgedTokens } from './tokens.mjs';
import { ISSUER, KID, PARTY, clerkBindings as instanceBindings } from './lib/bench-instance.mjs';
import { listen, startOrigin } from './lib/origin.mjs';
import { bundleRevision, wranglerBundle as bundle } from './lib/wrangler-bundle.mjs';
import { startWorkerd } from './workerd.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'bench', '.build');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
// First-seen variants use up a token a request: shorter runs keep the pool (and minting) small.
const FIRST_SECONDS = Number(process.env.BENCH_FIRST_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
// Open-loop latency: seconds per variant and round (BENCH_LATENCY=0 skips it), at this share of the pass-through's capacity.
const LATENCY_SECONDS = process.env.BENCH_LATENCY === '0' ? 0 : Number(process.env.BENCH_LATENCY_SECONDS ?? 2);
const LATENCY_LOAD = Number(process.env.BENCH_LATENCY_LOAD ?? 0.5);
const MEMORY = process.env.BENCH_MEMORY !== '0';
// BENCH_AGAINST=<git revision>: the gateway as of that revision too, in the same run (A/B).
const AGAINST = process.env.BENCH_AGAINST;

function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  console.log('wrk not found: installing it from Debian packages…');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  if (apt(['install', '-y', '-qq', 'wrk']).status !== 0) throw new Error('could not install wrk (apt-get install wrk)');
}

/** Clerk's Backend API as far as the JWKS goes: GET /v1/jwks with any bearer secret. Counts calls. */
async function startJwks(jwk) {
  const body = JSON.stringify({ keys: [jwk] });
  const calls = { jwks: 0, other: 0 };
  const server = await listen(
    createServer((req, res) => {
      req.resume();
      if (req.method === 'GET' && new URL(req.url, 'http://x').pathname === '/v1/jwks' && /^Bearer \S+/.test(req.headers.authorization ?? '')) {
        calls.jwks++;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        calls.other++;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"resource_not_found"}]}');
      }
    }),
  );
  return { server, calls, url: `http://127.0.0.1:${server.address().port}` };
}

function workerdPids() {
  const mine = String(process.pid);
  const pids = new Set();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[1] === mine && stat.includes('(workerd)')) pids.add(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Resident memory of a process, in MiB: all of it, and the anonymous part (heaps; no mapped binaries). */
function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024 };
}

/** Workers' console output: counted and dropped (BENCH_PRINT_LOGS=1 prints it, as Miniflare would). */
const logLines = {};
const recentStderr = [];

async function startWorker(name, scriptPath, bindings) {
  const before = workerdPids();
  // Miniflare would print every log line from this process, which is also the origin's: a few
  // thousand console.log calls a second on the shared cores, charged to the gateway's variants.
  const handleRuntimeStdio = process.env.BENCH_PRINT_LOGS
    ? undefined
    : (stdout, stderr) => {
        createInterface(stdout).on('line', () => (logLines[name] = (logLines[name] ?? 0) + 1));
        createInterface(stderr).on('line', (line) => {
          logLines[name] = (logLines[name] ?? 0) + 1;
          recentStderr.push(`${name}: ${line}`);
          if (recentStderr.length > 20) recentStderr.shift();
        });
      };
  const mf = new Miniflare({ name, scriptPath, modules: true, compatibilityDate: '2026-04-26', bindings, host: '127.0.0.1', port: 0, handleRuntimeStdio });
  const url = await mf.ready;
  const pid = [...workerdPids()].find((p) => !before.has(p));
  if (!pid) throw new Error(`could not find the workerd process of ${name}`);
  ownPids.add(pid);
  return { name, mf, url: url.href.replace(/\/$/, ''), pid };
}

// --- Other load on the machine ------------------------------------------------------------------
// The bench shares two cores with whatever else runs (a test suite, an editor's type checker): the
// CPU the whole machine spent during each measurement, less what this process, its finished
// children (wrk, the open-loop generator) and its live workerd processes spent, is someone else's.
const ownPids = new Set();
function systemBusySeconds() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / CLK_TCK;
}
function ownSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let total = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
  for (const pid of ownPids) {
    try {
      total += cpuSeconds(pid);
    } catch {
      // Ended (and reaped: now in our children's time).
    }
  }
  return total;
}
/** Starts a window; its end() gives the cores other processes kept busy on average meanwhile. */
function foreignLoad() {
  const t0 = performance.now();
  const busy0 = systemBusySeconds();
  const own0 = ownSeconds();
  return () => Math.max(0, systemBusySeconds() - busy0 - (ownSeconds() - own0)) / ((performance.now() - t0) / 1000);
}

// --- The machine's state during each measurement ---------------------------------------------
// A core's clock moves with heat and power (boost, throttling) and with other load; a run whose
// clock or load moved is flagged, not believed. Each measurement records the cores' current
// frequency (sysfs cpufreq, else /proc/cpuinfo; none on some VMs) and the 1-minute load average.
function cpuMHz() {
  const mhz = [];
  for (let i = 0; i < cpus().length; i++) {
    try {
      mhz.push(Number(readFileSync(`/sys/devices/system/cpu/cpu${i}/cpufreq/scaling_cur_freq`, 'utf8')) / 1000);
    } catch {
      break;
    }
  }
  if (mhz.length === 0) for (const m of readFileSync('/proc/cpuinfo', 'utf8').matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)) mhz.push(Number(m[1]));
  return mhz.length > 0 ? mhz.reduce((a, b) => a + b, 0) / mhz.length : Number.NaN;
}
/** Spread of a set of rounds: (max − min) ÷ |median|; a difference smaller than it cannot be told from noise. */
const spread = (xs) => {
  const finite = xs.filter(Number.isFinite);
  return finite.length > 1 ? (Math.max(...finite) - Math.min(...finite)) / Math.abs(median(finite)) : Number.NaN;
};
// A variant whose rounds spread more than this (throughput ratio, or CPU added) is flagged: ±5 %,
// so that a 10 % difference between two variants shows. BENCH_SPREAD overrides.
const SPREAD = Number(process.env.BENCH_SPREAD ?? 0.1);

// A measurement during which other processes kept more than NOISE cores busy is taken again
// (up to RETRIES times), each time after waiting (up to WAIT seconds) for the machine to go quiet.
const NOISE = Number(process.env.BENCH_NOISE ?? 0.2);
const RETRIES = Number(process.env.BENCH_RETRIES ?? 2);
const WAIT = Number(process.env.BENCH_WAIT ?? 20);
let waitedSeconds = 0;
async function waitForQuiet() {
  const until = performance.now() + WAIT * 1000;
  const started = performance.now();
  for (;;) {
    const end = foreignLoad();
    await new Promise((r) => setTimeout(r, 250));
    if (end() < NOISE / 2 || performance.now() >= until) break;
  }
  waitedSeconds += (performance.now() - started) / 1000;
}
async function quietly(measureOnce) {
  for (let attempt = 1; ; attempt++) {
    await waitForQuiet();
    const end = foreignLoad();
    const result = await measureOnce();
    const foreignCores = end();
    if (foreignCores <= NOISE || attempt > RETRIES) return { result, foreignCores, attempts: attempt };
    process.stdout.write('r');
  }
}

function parseWrk(out) {
  const unit = (v, u) => Number(v) * ({ us: 1e-3, ms: 1, s: 1000, m: 60000 }[u] ?? 1);
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(out);
    return m ? unit(m[1], m[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors: (.*)/.exec(out)?.[1];
  const tokensUsed = /tokens-used (\d+)/.exec(out)?.[1];
  return { requests, rps, p50: pct(50), p99: pct(99), non2xx, errors, ...(tokensUsed ? { tokensUsed: Number(tokensUsed) } : {}) };
}

// Asynchronous on purpose: the origin lives in this process and must keep answering.
function runWrk(url, headers, seconds, { allowErrors = false, script } = {}) {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', join(root, 'bench/first-seen.lua'));
  args.push(url);
  if (script) args.push('--', script.file, String(script.from), script.mode, String(script.clientUat), String(script.count));
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || allowErrors ? resolve(parseWrk(out)) : reject(new Error(`wrk failed: ${err}`))));
  });
}

/** bench/open-loop.mjs in its own process; resolves to its JSON line. */
function runOpenLoop(config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench/open-loop.mjs'), JSON.stringify(config)]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`open-loop failed: ${err}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/**
 * Which requests of an open-loop run were in flight during a GC pause ([start, end] epoch ms),
 * counted among its slowest 1 % and among all of them.
 */
function gcOverlap(pauses, run) {
  const sorted = Float64Array.from(run.samples).sort();
  const p99 = percentile(sorted, 99);
  // By chance: the same requests against the pauses moved by ±150 and ±300 ms (a slow request
  // is in flight longer, so it meets more pauses whatever caused it to be slow).
  const shifts = [-300, -150, 150, 300];
  const counts = { slow: 0, slowInGc: 0, slowInShiftedGc: 0, all: run.samples.length, allInGc: 0 };
  const during = (start, end, shift) => pauses.some(([a, b]) => a + shift < end && b + shift > start);
  run.samples.forEach((latencyMs, k) => {
    const start = run.t0Epoch + k * run.intervalMs;
    const end = start + latencyMs;
    const inGc = during(start, end, 0);
    if (inGc) counts.allInGc++;
    if (latencyMs >= p99) {
      counts.slow++;
      if (inGc) counts.slowInGc++;
      counts.slowInShiftedGc += shifts.filter((shift) => during(start, end, shift)).length / shifts.length;
    }
  });
  return counts;
}

/** Sends every header set in `list` once, `concurrency` at a time; throws unless each is answered `expect`. */
async function sendAll(url, list, expect, concurrency = 16) {
  let next = 0;
  const wrong = {};
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length) {
        const res = await fetch(url, { headers: list[next++], redirect: 'manual' });
        await res.arrayBuffer();
        if (res.status !== expect) wrong[res.status] = (wrong[res.status] ?? 0) + 1;
      }
    }),
  );
  if (Object.keys(wrong).length > 0) throw new Error(`${url}: expected ${expect} for all ${list.length}, got ${JSON.stringify(wrong)}`);
}

async function main() {
  const started = Date.now();
  ensureWrk();
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';

  console.log('Bundling with wrangler deploy --dry-run…');
  // The demo's routes (bench/workers/gateway.toml), so the bench's public and protected paths stay so.
  const gatewayBundle = bundle('gateway', join(root, 'bench/workers/gateway.toml'));
  const passthroughBundle = bundle('passthrough', join(root, 'bench/workers/passthrough.toml'));
  const baselineBundle = bundle('baseline', join(root, 'bench/workers/baseline.toml'));
  // The gateway with a generated route table (bench/workers/rules.ts); BENCH_RULES picks its size.
  const rulesBundle = bundle('gateway-rules', join(root, 'bench/workers/gateway-rules.toml'));
  // That revision's gateway, bundled the same way with today's node_modules and routes.
  const { rev: againstRev, bundle: againstBundle } = AGAINST ? bundleRevision(AGAINST) : {};

  // One bench instance key for every token of the run; the pool of distinct tokens grows as needed.
  const pool = await TokenPool.open({ dir: join(build, 'tokens'), issuer: ISSUER, azp: PARTY, kid: KID });
  const cursors = new Cursors(pool);

  const origin = await startOrigin();
  const originUrl = `http://127.0.0.1:${origin.address().port}`;
  const jwks = await startJwks(pool.jwk);
  const now = nowSeconds();
  // Session tokens of the bench instance, valid for the whole run.
  const session = { issuer: ISSUER, azp: PARTY, now, lifetime: 3600, kid: KID };
  const token = await mintSessionToken({ ...session, sub: 'user_bench', sid: 'sess_bench', key: pool.privateKey });
  const clerkBindings = instanceBindings(originUrl, pool);
  const { CLERK_JWT_KEY: _pem, ...jwksBindings } = { ...clerkBindings, CLERK_API_URL: jwks.url };

  const passthrough = await startWorker('passthrough', passthroughBundle.scriptPath, { ORIGIN_URL: originUrl });
  const gateway = await startWorker('gateway', gatewayBundle.scriptPath, clerkBindings);
  const baseline = await startWorker('baseline', baselineBundle.scriptPath, clerkBindings);
  // The same gateway with LOG_LEVEL=error: what the per-request log line costs.
  const quiet = await startWorker('gateway-quiet', gatewayBundle.scriptPath, { ...clerkBindings, LOG_LEVEL: 'error' });
  // JWKS mode: no CLERK_JWT_KEY; keys come from the local JWKS server.
  const gatewayJwks = await startWorker('gateway-jwks', gatewayBundle.scriptPath, jwksBindings);
  // With GATEWAY_SIGNING_KEY: what signing X-Auth-Assertion (ES256) on every request costs.
  const { privateKey: assertionKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const assertionJwk = { ...assertionKey.export({ format: 'jwk' }), kid: 'bench-assertion' };
  const signing = await startWorker('gateway-assertion', gatewayBundle.scriptPath, { ...clerkBindings, GATEWAY_SIGNING_KEY: JSON.stringify(assertionJwk) });
  const then = againstBundle && (await startWorker(`gateway-${againstRev}`, againstBundle.scriptPath, clerkBindings));
  // Matching cost by table size: one bundle, 10 rules or 2,000 ending in the same three.
  const rules10 = await startWorker('gateway-rules-10', rulesBundle.scriptPath, { ...clerkBindings, BENCH_RULES: '10' });
  const rules2000 = await startWorker('gateway-rules-2000', rulesBundle.scriptPath, { ...clerkBindings, BENCH_RULES: '2000' });
  // The forward-auth endpoint (docs/forward-auth.md): the decision alone, answered 200 with the identity headers.
  const forwardAuthSecret = randomBytes(32).toString('hex');
  const forwardAuth = await startWorker('gateway-forward-auth', gatewayBundle.scriptPath, { ...clerkBindings, FORWARD_AUTH_PATH: '/__gateway/forward-auth', FORWARD_AUTH_SECRET: forwardAuthSecret });
  const workers = [passthrough, gateway, baseline, quiet, gatewayJwks, signing, rules10, rules2000, forwardAuth, ...(then ? [then] : [])];

  const bearer = { authorization: `Bearer ${token}` };
  // Well-formed but signed by another key: every one costs the gateway a full verification.
  const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const forged = await mintSessionToken({ ...session, sub: 'user_evil', sid: 'sess_evil', key: other.privateKey });
  const cookie = { cookie: `__session=${token}; __client_uat=${now - 1}` };
  const allVariants = [
    { id: 'passthrough', label: 'pass-through Worker (limit)', worker: passthrough, path: '/dashboard', headers: bearer },
    { id: 'gateway-public', label: 'gateway, public route', worker: gateway, path: '/about', headers: {} },
    { id: 'gateway-bearer', label: 'gateway, protected, bearer token', worker: gateway, path: '/dashboard', headers: bearer },
    { id: 'gateway-cookie', label: 'gateway, protected, cookie session', worker: gateway, path: '/dashboard', headers: cookie },
    { id: 'gateway-bearer-nolog', label: 'gateway, protected, bearer token, LOG_LEVEL=error', worker: quiet, path: '/dashboard', headers: bearer },
    { id: 'gateway-bearer-assertion', label: 'gateway, protected, bearer token, signing X-Auth-Assertion', worker: signing, path: '/dashboard', headers: bearer },
    {
      id: 'forward-auth-bearer',
      label: 'forward-auth endpoint (Caddy style), protected, bearer token: the decision, no origin',
      worker: forwardAuth,
      path: '/__gateway/forward-auth?proxy=caddy',
      headers: { ...bearer, 'x-forward-auth-secret': forwardAuthSecret, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/dashboard', 'x-forwarded-host': new URL(PARTY).host, 'x-forwarded-proto': 'http' },
      answersItself: true,
    },
    { id: 'baseline', label: 'baseline: authenticateRequest + fetch', worker: baseline, path: '/dashboard', headers: bearer },
    // A token the isolate has never seen on every request: what most requests of a busy site
    // spread over many isolates cost (bench/scale.mjs).
    { id: 'gateway-bearer-first', label: 'gateway, bearer, first-seen token each request', worker: gateway, path: '/dashboard', headers: {}, tokens: 'bearer' },
    { id: 'gateway-cookie-first', label: 'gateway, cookie, first-seen token each request', worker: gateway, path: '/dashboard', headers: {}, tokens: 'cookie' },
    { id: 'gateway-bearer-first-nolog', label: 'gateway, bearer, first-seen token each request, LOG_LEVEL=error', worker: quiet, path: '/dashboard', headers: {}, tokens: 'bearer' },
    { id: 'baseline-first', label: 'baseline, first-seen token each request', worker: baseline, path: '/dashboard', headers: {}, tokens: 'bearer' },
    // JWKS mode: the keys from the Backend API (here a local server) instead of CLERK_JWT_KEY.
    { id: 'gateway-jwks-bearer', label: 'gateway, JWKS mode, bearer token', worker: gatewayJwks, path: '/dashboard', headers: bearer },
    { id: 'gateway-jwks-bearer-first', label: 'gateway, JWKS mode, bearer, first-seen token each request', worker: gatewayJwks, path: '/dashboard', headers: {}, tokens: 'bearer' },
    // What refusing costs: a forged token (valid shape, foreign signature) next to a request
    // refused without any crypto (an encoded "/" in the path: 400).
    { id: 'refuse-forged', label: 'gateway refusing forged tokens (401)', worker: gateway, path: '/dashboard', headers: { authorization: `Bearer ${forged}` }, expect: 401 },
    { id: 'refuse-badpath', label: 'gateway refusing a malformed path (400)', worker: gateway, path: '/dashboard%2fx', headers: {}, expect: 400 },
    // Valid requests while the same number of connections floods the gateway with forged tokens,
    // and, for comparison, with requests it refuses without crypto.
    { id: 'flood-forged', label: `gateway, bearer, while ${CONNECTIONS} connections send forged tokens`, worker: gateway, path: '/dashboard', headers: bearer, flood: { path: '/dashboard', headers: { authorization: `Bearer ${forged}` } } },
    { id: 'flood-badpath', label: `gateway, bearer, while ${CONNECTIONS} connections send malformed paths`, worker: gateway, path: '/dashboard', headers: bearer, flood: { path: '/dashboard%2fx', headers: {} } },
    // The same requests against 10 and 2,000 rules: a protected path decided by the table's last
    // rule, and a public path no rule matches (every rule, were they scanned).
    { id: 'rules10-bearer', label: 'gateway, 10 rules, protected (last rule), bearer token', worker: rules10, path: '/dashboard/x', headers: bearer },
    { id: 'rules2000-bearer', label: 'gateway, 2,000 rules, protected (last rule), bearer token', worker: rules2000, path: '/dashboard/x', headers: bearer },
    { id: 'rules10-public', label: 'gateway, 10 rules, public (no rule matches)', worker: rules10, path: '/about', headers: {} },
    { id: 'rules2000-public', label: 'gateway, 2,000 rules, public (no rule matches)', worker: rules2000, path: '/about', headers: {} },
    // A 50 KB HTML page: streamed as it is (bench/workers/rules.ts has no `components`), then with
    // `components: true` (the demo's routes) resolving its 10 control components, and a page without any.
    { id: 'html-passthrough', label: 'pass-through Worker, 50 KB HTML page', worker: passthrough, path: '/page.html', headers: bearer },
    { id: 'html-gateway', label: 'gateway, 50 KB HTML page, components off', worker: rules10, path: '/page.html', headers: bearer },
    { id: 'html-components', label: 'gateway, 50 KB HTML page, 10 components resolved', worker: gateway, path: '/page.html', headers: bearer },
    { id: 'html-components-none', label: 'gateway, 50 KB HTML page without components, components on', worker: gateway, path: '/plain.html', headers: bearer },
  ];

  if (then) {
    const at = (id) => allVariants.find((v) => v.id === id);
    // BENCH_AGAINST_ONLY=id,id: only these of them (the flood variants too: the same flood on that revision).
    const ids = process.env.BENCH_AGAINST_ONLY?.split(',') ?? ['gateway-public', 'gateway-bearer', 'gateway-cookie', 'gateway-bearer-first'];
    for (const id of ids) {
      if (!at(id)) throw new Error(`BENCH_AGAINST_ONLY: no variant ${id}`);
      allVariants.push({ ...at(id), id: `${id}@${againstRev}`, label: `${at(id).label} (at ${againstRev})`, worker: then, against: true });
    }
  }

  // BENCH_ONLY=id,id narrows a run while investigating; the pass-through and baseline always stay
  // (and the first-seen baseline when a first-seen variant is asked for).
  const only = process.env.BENCH_ONLY?.split(',');
  const keep = new Set(['passthrough', 'baseline', ...(only?.some((id) => id.includes('-first')) ? ['baseline-first'] : [])]);
  const variants = allVariants.filter((v) => !only || only.includes(v.id) || keep.has(v.id) || v.against);
  // Enough for a full run here (first-seen variants at up to ~2000 req/s, the open-loop run, the
  // memory step); a faster machine mints more as it goes, between measurements.
  await pool.ensure(variants.some((v) => v.tokens) ? 60_000 : 3 * 4096);

  /** Headers for one request of a first-seen variant (the next token its isolate has not seen). */
  const firstSeenHeaders = (mode, t) => (mode === 'cookie' ? { cookie: `__session=${t}; __client_uat=${pool.iat}` } : { authorization: `Bearer ${t}` });
  const takeToken = async (worker) => {
    const at = await cursors.reserve(worker.name, 1);
    cursors.advance(worker.name, at, 1);
    return pool.tokens[at];
  };

  // Each variant must be answered by the origin, not refused, and the forgery refused: check once.
  const forgedRes = await fetch(`${gateway.url}/dashboard`, { headers: { authorization: `Bearer ${forged}` } });
  if (forgedRes.status !== 401) throw new Error(`forged token: expected 401, got ${forgedRes.status}`);
  for (const v of variants) {
    const headers = v.tokens ? firstSeenHeaders(v.tokens, await takeToken(v.worker)) : v.headers;
    const res = await fetch(`${v.worker.url}${v.path}`, { headers, redirect: 'manual' });
    const text = await res.text();
    const expected = v.expect ?? 200;
    const verified = v.answersItself ? res.headers.get('x-auth-user-id') === 'user_bench' : text.includes('"origin"');
    if (res.status !== expected || (expected === 200 && !verified)) {
      throw new Error(`${v.id}: expected ${expected === 200 ? "the origin's 200" : expected}, got ${res.status} ${text.slice(0, 200)}`);
    }
  }

  // JWKS fetches a JWKS-mode isolate made for its first requests (bench/scale.mjs: per isolate start).
  const jwksFetchesAtStart = jwks.calls.jwks;

  /** One wrk run of a variant; first-seen variants walk the pool from their isolate's cursor. */
  async function measure(v, seconds, expectedRps) {
    let script;
    let need = 0;
    if (v.tokens) {
      // Room for 1.5 × the expected rate; a run that outgrows it fails (401s), it never reuses a token.
      need = Math.ceil(Math.max(expectedRps, 1000) * 1.5 * seconds) + 4 * CONNECTIONS;
      const from = await cursors.reserve(v.worker.name, need);
      script = { file: pool.file, from, count: need, mode: v.tokens, clientUat: pool.iat };
    }
    const r = await runWrk(`${v.worker.url}${v.path}`, v.headers, seconds, { script });
    if (script) {
      if (!(r.tokensUsed >= r.requests)) throw new Error(`${v.id}: wrk reported ${r.tokensUsed} tokens for ${r.requests} requests`);
      cursors.advance(v.worker.name, script.from, r.tokensUsed);
    }
    return r;
  }

  const warmupSeconds = () => 1;
  const secondsOf = (v) => (v.tokens ? FIRST_SECONDS : SECONDS);
  console.log(
    `Warming up, then ${ROUNDS} interleaved rounds of ${SECONDS} s per variant (${FIRST_SECONDS} s first-seen), ${CONNECTIONS} connections…`,
  );
  const lastRps = {};
  for (const v of variants) lastRps[v.id] = (await measure(v, warmupSeconds(v), 6000)).rps;

  const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const seconds = secondsOf(v);
      const { result: r, foreignCores, attempts } = await quietly(async () => {
        const cpu0 = cpuSeconds(v.worker.pid);
        const flood = v.flood ? runWrk(`${v.worker.url}${v.flood.path}`, v.flood.headers, seconds) : undefined;
        const result = await measure(v, seconds, Math.max(lastRps[v.id], ...samples[v.id].map((s) => s.rps)));
        const floodResult = await flood;
        // During a flood the process also serves the flood: CPU per valid request is not comparable.
        result.cpu = v.flood ? Number.NaN : cpuSeconds(v.worker.pid) - cpu0;
        if (floodResult) result.floodRequests = floodResult.requests;
        return result;
      });
      const { cpu, ...rest } = r;
      Object.assign(r, { foreignCores, attempts });
      if (!(r.requests > 0) || (r.non2xx > 0 && !v.expect) || (v.expect && r.non2xx !== r.requests) || r.errors) throw new Error(`${v.id}: ${r.non2xx} non-2xx responses, socket errors: ${r.errors ?? 'none'}`);
      samples[v.id].push({ ...rest, foreignCores, attempts, cpuUsPerRequest: (cpu * 1e6) / r.requests, cpuMHz: cpuMHz(), load1: loadavg()[0] });
      process.stdout.write('.');
    }
  }
  process.stdout.write('\n');

  const summary = variants.map((v) => {
    const s = samples[v.id];
    return {
      id: v.id,
      label: v.label,
      ...(v.tokens ? { firstSeen: v.tokens, tokensUsed: s.reduce((n, x) => n + x.tokensUsed, 0) } : {}),
      rps: median(s.map((x) => x.rps)),
      p50Ms: median(s.map((x) => x.p50)),
      p99Ms: median(s.map((x) => x.p99)),
      cpuUsPerRequest: median(s.map((x) => x.cpuUsPerRequest)),
      foreignCoresMax: Math.max(...s.map((x) => x.foreignCores)),
      ...(v.flood ? { floodRps: median(s.map((x) => x.floodRequests / secondsOf(v))) } : {}),
      ...(v.expect ? { expectedStatus: v.expect } : {}),
      rounds: s,
    };
  });
  const byId = (id) => summary.find((x) => x.id === id);
  const pass = byId('passthrough');
  for (const s of summary) {
    // Paired by round (the variants of a round ran minutes apart at most, interleaved): the median
    // of the per-round ratios and differences, and their spread over the rounds.
    const ratios = s.rounds.map((x, i) => x.rps / pass.rounds[i].rps);
    const added = s.rounds.map((x, i) => x.cpuUsPerRequest - pass.rounds[i].cpuUsPerRequest);
    s.throughputRatio = median(ratios);
    s.throughputRatioSpread = spread(ratios);
    s.cpuAddedUs = median(added);
    s.cpuAddedSpread = spread(added);
    s.noisy = s.id !== 'passthrough' && (s.throughputRatioSpread > SPREAD || s.cpuAddedSpread > SPREAD);
    s.p50Ratio = s.p50Ms / pass.p50Ms;
    s.p99Ratio = s.p99Ms / pass.p99Ms;
  }
  // Steady variants against the steady baseline; first-seen ones against the baseline on first-seen tokens.
  const base = byId('baseline');
  const baseFirst = byId('baseline-first') ?? base;
  const targets = ['gateway-bearer', 'gateway-cookie', 'gateway-jwks-bearer', 'gateway-bearer-first', 'gateway-cookie-first', 'gateway-jwks-bearer-first', 'gateway-bearer-first-nolog']
    .filter((id) => samples[id])
    .map((id) => {
      const s = byId(id);
      const against = id.includes('-first') ? baseFirst : base;
      return {
        id,
        throughputRatio: s.throughputRatio,
        throughputTargetMet: s.throughputRatio >= 0.85,
        against: against.id,
        cpuAddedUs: s.cpuAddedUs,
        baselineCpuAddedUs: against.cpuAddedUs,
        cpuAddedVsBaselineAdded: s.cpuAddedUs / against.cpuAddedUs,
        cpuTargetMet: s.cpuAddedUs <= 0.25 * against.cpuAddedUs,
      };
    });
  // Control components: the same page with them resolved ÷ streamed as it is (target ≥ 0.85), and a page without any.
  const htmlComponents = byId('html-components') && byId('html-gateway') && {
    throughputRatio: byId('html-components').rps / byId('html-gateway').rps,
    targetMet: byId('html-components').rps >= 0.85 * byId('html-gateway').rps,
    ...(byId('html-components-none') ? { withoutComponentsThroughputRatio: byId('html-components-none').rps / byId('html-gateway').rps } : {}),
  };
  const publicRoute = byId('gateway-public') && { cpuAddedUs: byId('gateway-public').cpuAddedUs, targetMet: byId('gateway-public').cpuAddedUs <= 20 };

  // 2,000 rules ÷ 10 rules, same bundle, same requests: what a large table costs per request.
  const ruleScaling = ['bearer', 'public']
    .filter((kind) => byId(`rules10-${kind}`) && byId(`rules2000-${kind}`))
    .map((kind) => {
      const [small, large] = [byId(`rules10-${kind}`), byId(`rules2000-${kind}`)];
      return {
        id: kind,
        throughputRatio: large.rps / small.rps,
        cpuRatio: large.cpuUsPerRequest / small.cpuUsPerRequest,
        cpuUsPerRequest: { rules10: small.cpuUsPerRequest, rules2000: large.cpuUsPerRequest },
        p99Ratio: large.p99Ms / small.p99Ms,
      };
    });

  const [forgedCost, badpathCost, underForged, underBadpath] = ['refuse-forged', 'refuse-badpath', 'flood-forged', 'flood-badpath'].map(byId);
  const flood =
    forgedCost && badpathCost && underForged && underBadpath
      ? {
          forgedRefusalCpuUs: forgedCost.cpuUsPerRequest,
          badpathRefusalCpuUs: badpathCost.cpuUsPerRequest,
          forgedVsBadpathCpu: forgedCost.cpuUsPerRequest / badpathCost.cpuUsPerRequest,
          validRpsUnderForged: underForged.rps,
          validRpsUnderBadpath: underBadpath.rps,
          validThroughputForgedVsBadpath: underForged.rps / underBadpath.rps,
          // A forged token must not cost much more than any request refused without crypto.
          boundMet: forgedCost.cpuUsPerRequest <= 2 * badpathCost.cpuUsPerRequest,
        }
      : undefined;

  // --- Latency at a fixed rate (open loop) ---------------------------------------------------
  // The same Workers as above, then (to see where the time goes) the pass-through and the gateway
  // in workerd without Miniflare, with V8's GC trace: every collection's pause during each run.
  let latency;
  if (LATENCY_SECONDS > 0) {
    const rate = Math.round(LATENCY_LOAD * pass.rps);
    const warmup = 0.5;
    const direct = {
      passthrough: await startWorkerd({ name: 'direct-passthrough', scriptPath: passthroughBundle.scriptPath, bindings: { ORIGIN_URL: originUrl }, dir: join(build, 'workerd') }),
      gateway: await startWorkerd({ name: 'direct-gateway', scriptPath: gatewayBundle.scriptPath, bindings: clerkBindings, dir: join(build, 'workerd') }),
      quiet: await startWorkerd({ name: 'direct-gateway-quiet', scriptPath: gatewayBundle.scriptPath, bindings: { ...clerkBindings, LOG_LEVEL: 'error' }, dir: join(build, 'workerd') }),
    };
    for (const w of Object.values(direct)) ownPids.add(w.pid);
    const directVariants = [
      { id: 'direct:passthrough', of: 'passthrough', worker: direct.passthrough },
      { id: 'direct:gateway-bearer', of: 'gateway-bearer', worker: direct.gateway },
      { id: 'direct:gateway-bearer-nolog', of: 'gateway-bearer-nolog', worker: direct.quiet },
      { id: 'direct:gateway-bearer-first', of: 'gateway-bearer-first', worker: direct.gateway },
    ]
      .filter((d) => samples[d.of])
      .map((d) => {
        const v = variants.find((x) => x.id === d.of);
        return { ...v, id: d.id, label: `${v.label} (workerd without Miniflare)`, worker: d.worker, direct: true };
      });
    const olVariants = [
      ...['passthrough', 'gateway-bearer', 'gateway-bearer-nolog', 'gateway-bearer-first'].filter((id) => samples[id]).map((id) => variants.find((v) => v.id === id)),
      ...directVariants,
    ];
    console.log(
      `Open-loop latency at ${rate} req/s (${LATENCY_LOAD} × the pass-through's ${fmt(pass.rps, 0)} req/s), ${ROUNDS} rounds × ${LATENCY_SECONDS} s per variant, ${CONNECTIONS} connections…`,
    );
    const runs = Object.fromEntries(olVariants.map((v) => [v.id, []]));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const v of round % 2 === 0 ? olVariants : [...olVariants].reverse()) {
          const config = { url: `${v.worker.url}${v.path}`, rate, seconds: LATENCY_SECONDS, headers: v.headers, warmup, connections: CONNECTIONS, raw: true };
          if (v.tokens) {
            const from = await cursors.reserve(v.worker.name, Math.max(CONNECTIONS, Math.round(rate * warmup)) + Math.round(rate * LATENCY_SECONDS) + CONNECTIONS);
            config.tokens = { file: pool.file, from, mode: v.tokens, clientUat: pool.iat };
          }
          const { result: r, foreignCores, attempts } = await quietly(async () => {
            const gc0 = v.direct ? v.worker.gcEvents.length : 0;
            const cpu0 = cpuSeconds(v.worker.pid);
            // This process is the origin (and reads the Workers' logs): how late its event loop ran.
            const loop = monitorEventLoopDelay({ resolution: 1 });
            loop.enable();
            const result = await runOpenLoop(config);
            loop.disable();
            result.originLoopDelayMs = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
            result.cpu = cpuSeconds(v.worker.pid) - cpu0;
            // GC pauses during the run (warm-up included: it is a fraction of the run).
            if (v.direct) result.gcs = v.worker.gcEvents.slice(gc0);
            // A retry starts where the last attempt's tokens ended.
            if (v.tokens) {
              cursors.advance(v.worker.name, config.tokens.from, result.tokensUsed);
              config.tokens.from = await cursors.reserve(v.worker.name, Math.max(CONNECTIONS, Math.round(rate * warmup)) + Math.round(rate * LATENCY_SECONDS) + CONNECTIONS);
            }
            return result;
          });
          const cpu = r.cpu;
          const ok = r.statuses[v.expect ?? 200] ?? 0;
          if (ok !== r.requests || r.errors > 0) throw new Error(`open loop ${v.id}: ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
          const { gcs, ...kept } = r;
          const overlap = gcs && gcOverlap(v.worker.pauses(gcs), r);
          runs[v.id].push({
            ...kept,
            foreignCores,
            attempts,
            cpuUsPerRequest: (cpu * 1e6) / r.sentTotal,
            ...(gcs && {
              gc: {
                count: gcs.length,
                markCompacts: gcs.filter((e) => e.kind === 'mark-compact').length,
                pauseMsTotal: gcs.reduce((n, e) => n + e.pauseMs, 0),
                pauseMsMax: Math.max(0, ...gcs.map((e) => e.pauseMs)),
                heapMbMax: Math.max(0, ...gcs.map((e) => e.before)),
                ...overlap,
              },
            }),
          });
          process.stdout.write('.');
        }
      }
    } finally {
      await Promise.all(Object.values(direct).map((w) => w.stop()));
    }
    process.stdout.write('\n');
    const rows = olVariants.map((v) => {
      const rs = runs[v.id];
      const all = Float64Array.from(rs.flatMap((r) => r.samples)).sort();
      const sum = (f) => rs.reduce((n, r) => n + f(r), 0);
      return {
        id: v.id,
        label: v.label,
        p50Ms: percentile(all, 50),
        p90Ms: percentile(all, 90),
        p99Ms: percentile(all, 99),
        p999Ms: percentile(all, 99.9),
        maxMs: all[all.length - 1],
        p99PerRoundMs: rs.map((r) => r.latencyMs.p99),
        serviceP99Ms: median(rs.map((r) => r.serviceMs.p99)),
        sendLagP99Ms: median(rs.map((r) => r.sendLagMs.p99)),
        achievedRate: median(rs.map((r) => r.achievedRate)),
        generatorCpuUsPerRequest: median(rs.map((r) => r.generatorCpuUsPerRequest)),
        cpuUsPerRequest: median(rs.map((r) => r.cpuUsPerRequest)),
        originLoopDelayMs: { p99: median(rs.map((r) => r.originLoopDelayMs.p99)), max: Math.max(...rs.map((r) => r.originLoopDelayMs.max)) },
        foreignCoresMax: Math.max(...rs.map((r) => r.foreignCores)),
        attempts: rs.map((r) => r.attempts),
        ...(v.direct && {
          gc: {
            perSecond: sum((r) => r.gc.count) / (rs.length * (LATENCY_SECONDS + warmup)),
            markCompacts: sum((r) => r.gc.markCompacts),
            pauseMsPerSecond: sum((r) => r.gc.pauseMsTotal) / (rs.length * (LATENCY_SECONDS + warmup)),
            pauseMsMax: Math.max(...rs.map((r) => r.gc.pauseMsMax)),
            heapMbMax: Math.max(...rs.map((r) => r.gc.heapMbMax)),
            // Requests in flight while the isolate was paused for GC: among the slowest 1 % and among all.
            slowestInGcShare: sum((r) => r.gc.slowInGc) / sum((r) => r.gc.slow),
            slowestInGcByChanceShare: sum((r) => r.gc.slowInShiftedGc) / sum((r) => r.gc.slow),
            allInGcShare: sum((r) => r.gc.allInGc) / sum((r) => r.gc.all),
          },
        }),
      };
    });
    for (const r of rows) {
      const ref = rows.find((x) => x.id === (r.id.startsWith('direct:') ? 'direct:passthrough' : 'passthrough'));
      r.p50Ratio = r.p50Ms / ref.p50Ms;
      r.p99Ratio = r.p99Ms / ref.p99Ms;
      r.targetMet = r.p99Ratio <= 1.5;
    }
    latency = { rate, load: LATENCY_LOAD, secondsPerRound: LATENCY_SECONDS, rounds: ROUNDS, connections: CONNECTIONS, samplesPerVariant: ROUNDS * Math.round(rate * LATENCY_SECONDS), rows };
  }

  // --- Memory with every cache full -----------------------------------------------------------
  let memory;
  if (MEMORY) {
    console.log('Memory: filling the caches of fresh gateways…');
    memory = await measureMemory({ gatewayBundle, clerkBindings, pool, cursors, bearer });
  }

  // --- Report ---------------------------------------------------------------------------------
  const lines = [
    '| variant | req/s | × pass-through (spread) | p50 ms | p99 ms | p99 × | workerd CPU µs/req | CPU added µs/req (spread) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.map(
      (s) =>
        `| ${s.label}${s.noisy ? ' ⚠ noisy' : ''} | ${fmt(s.rps, 0)} | ${s.id === 'passthrough' ? '1.00' : `${fmt(s.throughputRatio)} (${fmt(100 * s.throughputRatioSpread, 0)} %)`} | ${fmt(s.p50Ms)} | ${fmt(s.p99Ms)} | ${fmt(s.p99Ratio)} | ${fmt(s.cpuUsPerRequest, 0)} | ${s.id === 'passthrough' ? '—' : `${fmt(s.cpuAddedUs, 0)} (${fmt(100 * s.cpuAddedSpread, 0)} %)`} |`,
    ),
  ];
  const latencyLines = latency && [
    `| open loop at ${latency.rate} req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | p99 × | p99 per round ms | workerd CPU µs/req | GC pauses ms/s (max ms) | origin loop delay p99 (max) ms |`,
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
    ...latency.rows.map(
      (r) =>
        `| ${r.label} | ${fmt(r.p50Ms)} | ${fmt(r.p90Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.p999Ms)} | ${fmt(r.p99Ratio)} | ${r.p99PerRoundMs.map((x) => fmt(x, 1)).join(' / ')} | ${fmt(r.cpuUsPerRequest, 0)} | ${r.gc ? `${fmt(r.gc.pauseMsPerSecond, 1)} (${fmt(r.gc.pauseMsMax, 1)})` : '—'} | ${fmt(r.originLoopDelayMs.p99, 1)} (${fmt(r.originLoopDelayMs.max, 1)}) |`,
    ),
  ];
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`\n${lines.join('\n')}\n`);
  for (const t of targets) {
    console.log(
      `${t.id}: throughput ${fmt(t.throughputRatio)} of pass-through (target ≥ 0.85: ${t.throughputTargetMet ? 'met' : 'NOT met'}); ` +
        `CPU added ${fmt(t.cpuAddedUs, 0)} µs = ${fmt(t.cpuAddedVsBaselineAdded)} of ${t.against}'s ${fmt(t.baselineCpuAddedUs, 0)} µs (target ≤ 0.25: ${t.cpuTargetMet ? 'met' : 'NOT met'})`,
    );
  }
  const foreign = [...summary.map((x) => x.foreignCoresMax), ...(latency?.rows.map((x) => x.foreignCoresMax) ?? [])];
  const foreignMax = Math.max(...foreign);
  const retries = [...Object.values(samples).flat(), ...(latency ? latency.rows.flatMap((x) => x.attempts) : [])].reduce((n, x) => n + ((x.attempts ?? x) - 1), 0);
  const noise = `(${retries} measurements taken again, ${fmt(waitedSeconds, 0)} s spent waiting for a quiet machine)`;
  console.log(
    foreignMax > NOISE
      ? `WARNING: other processes kept up to ${fmt(foreignMax)} cores busy during some measurements even after retries ${noise}: see foreignCores in results.json`
      : `other processes kept at most ${fmt(foreignMax)} cores busy during any measurement ${noise}`,
  );
  // The machine's state over the run, and whether to believe it.
  const states = Object.values(samples).flat();
  const mhz = states.map((x) => x.cpuMHz).filter(Number.isFinite);
  const loads = states.map((x) => x.load1);
  const machineState = {
    cpuMHz: mhz.length ? { min: Math.min(...mhz), median: median(mhz), max: Math.max(...mhz) } : null,
    load1: { min: Math.min(...loads), max: Math.max(...loads) },
    spreadThreshold: SPREAD,
    noisyVariants: summary.filter((x) => x.noisy).map((x) => x.id),
  };
  const frequencyMoved = machineState.cpuMHz && (machineState.cpuMHz.max - machineState.cpuMHz.min) / machineState.cpuMHz.median > 0.05;
  const targetNoisy = machineState.noisyVariants.filter((id) => targets.some((t) => t.id === id) || id === 'baseline' || id === 'baseline-first');
  machineState.believable = !frequencyMoved && targetNoisy.length === 0 && foreignMax <= NOISE;
  console.log(
    `machine during the run: CPU clock ${machineState.cpuMHz ? `${fmt(machineState.cpuMHz.min, 0)}–${fmt(machineState.cpuMHz.max, 0)} MHz` : 'not readable'}, load average ${fmt(machineState.load1.min)}–${fmt(machineState.load1.max)} on ${cpus().length} cores; ` +
      (machineState.believable
        ? `every target variant's rounds within ${fmt(100 * SPREAD, 0)} % (a 10 % difference shows)`
        : `NOISY RUN, do not believe its ratios: ${[
            frequencyMoved ? 'the CPU clock moved more than 5 %' : '',
            targetNoisy.length ? `rounds spread more than ${fmt(100 * SPREAD, 0)} % for ${targetNoisy.join(', ')}` : '',
            foreignMax > NOISE ? 'other processes were busy' : '',
          ]
            .filter(Boolean)
            .join('; ')}`),
  );
  if (htmlComponents) console.log(`html-components: throughput ${fmt(htmlComponents.throughputRatio)} of html-gateway (target ≥ 0.85: ${htmlComponents.targetMet ? 'met' : 'NOT met'})${htmlComponents.withoutComponentsThroughputRatio === undefined ? '' : `; a page without components ${fmt(htmlComponents.withoutComponentsThroughputRatio)}`}`);
  if (publicRoute) console.log(`gateway-public: CPU added ${fmt(publicRoute.cpuAddedUs, 0)} µs (target ≤ 20 µs: ${publicRoute.targetMet ? 'met' : 'NOT met'})`);

  // "No worse than today": the steady variants against the previous results.json, as ratios.
  // The last committed run (or, outside git, the file this run replaces).
  const previousPath = join(root, 'bench/results.json');
  const committed = spawnSync('git', ['show', 'HEAD:bench/results.json'], { cwd: root, encoding: 'utf8' });
  const previous = committed.status === 0 ? JSON.parse(committed.stdout) : existsSync(previousPath) ? JSON.parse(readFileSync(previousPath, 'utf8')) : undefined;
  const versusPrevious = [];
  for (const id of ['gateway-public', 'gateway-bearer', 'gateway-cookie', 'gateway-bearer-nolog']) {
    const was = previous?.summary?.find((s) => s.id === id);
    const is = byId(id);
    if (!was || !is) continue;
    versusPrevious.push({ id, before: { throughputRatio: was.throughputRatio, cpuAddedUs: was.cpuAddedUs }, now: { throughputRatio: is.throughputRatio, cpuAddedUs: is.cpuAddedUs } });
  }
  if (versusPrevious.length > 0) {
    console.log(
      `steady state vs the committed results.json (${previous.date}${previous.commit ? `, ${previous.commit}` : ''}): ` +
        versusPrevious.map((c) => `${c.id} ${fmt(c.before.throughputRatio)}× → ${fmt(c.now.throughputRatio)}×, +${fmt(c.before.cpuAddedUs, 0)} → +${fmt(c.now.cpuAddedUs, 0)} µs`).join('; '),
    );
  }
  if (then) {
    console.log(
      `same run, gateway at ${againstRev}: ` +
        ['gateway-public', 'gateway-bearer', 'gateway-cookie', 'gateway-bearer-first']
          .filter((id) => byId(id) && byId(`${id}@${againstRev}`))
          .map((id) => `${id} ${fmt(byId(`${id}@${againstRev}`).throughputRatio)}× → ${fmt(byId(id).throughputRatio)}×, +${fmt(byId(`${id}@${againstRev}`).cpuAddedUs, 0)} → +${fmt(byId(id).cpuAddedUs, 0)} µs`)
          .join('; '),
    );
  }
  if (flood) {
    console.log(
      `refusing a forged token costs ${fmt(flood.forgedRefusalCpuUs, 0)} µs CPU, a malformed path ${fmt(flood.badpathRefusalCpuUs, 0)} µs ` +
        `(× ${fmt(flood.forgedVsBadpathCpu)}; bound ≤ 2: ${flood.boundMet ? 'met' : 'NOT met'}); under an unthrottled flood on this 2-core machine valid requests get ` +
        `${fmt(flood.validRpsUnderForged, 0)} req/s (forged tokens) vs ${fmt(flood.validRpsUnderBadpath, 0)} req/s (malformed paths)`,
    );
  }
  for (const r of ruleScaling) {
    console.log(
      `2,000 rules ÷ 10 rules, ${r.id}: throughput ${fmt(r.throughputRatio)}, workerd CPU ${fmt(r.cpuRatio)} (${fmt(r.cpuUsPerRequest.rules10, 0)} → ${fmt(r.cpuUsPerRequest.rules2000, 0)} µs/req), p99 ${fmt(r.p99Ratio)}`,
    );
  }
  console.log(`JWKS server: ${jwks.calls.jwks} JWKS fetches during the run (one JWKS-mode gateway isolate), ${jwks.calls.other} other calls`);
  if (latency) {
    console.log(`\n${latencyLines.join('\n')}\n`);
    // Through Miniflare every request also runs its entry Worker, and the pass-through's own p99
    // moves a lot between rounds; workerd alone is the comparison to judge by.
    const range = (id) => {
      const r = latency.rows.find((x) => x.id === id);
      return r ? `${fmt(Math.min(...r.p99PerRoundMs), 1)}–${fmt(Math.max(...r.p99PerRoundMs), 1)} ms` : 'n/a';
    };
    for (const r of latency.rows.filter((x) => !x.id.endsWith('passthrough')).sort((a, b) => Number(b.id.startsWith('direct:')) - Number(a.id.startsWith('direct:')))) {
      const direct = r.id.startsWith('direct:');
      console.log(
        `${r.id}: open-loop p99 ${fmt(r.p99Ratio)} × the pass-through's (target ≤ 1.5: ${r.targetMet ? 'met' : 'NOT met'})` +
          (direct ? ' [workerd alone]' : ` [through Miniflare, whose pass-through p99 ranged ${range('passthrough')} between rounds (workerd alone: ${range('direct:passthrough')})]`),
      );
    }
    for (const r of latency.rows.filter((x) => x.gc)) {
      console.log(
        `${r.id}: GC paused the isolate ${fmt(r.gc.pauseMsPerSecond, 1)} ms a second (longest ${fmt(r.gc.pauseMsMax, 1)} ms, ${r.gc.markCompacts} full collections); ` +
          `${fmt(100 * r.gc.slowestInGcShare, 0)} % of its slowest 1 % of requests were in flight during a pause (by chance: ${fmt(100 * r.gc.slowestInGcByChanceShare, 0)} %; of all requests: ${fmt(100 * r.gc.allInGcShare, 0)} %)`,
      );
    }
    const lag = Math.max(...latency.rows.map((r) => r.sendLagP99Ms));
    const gen = median(latency.rows.map((r) => r.generatorCpuUsPerRequest));
    console.log(
      `(latency counts from each request's scheduled time; 99 % went out within ${fmt(lag)} ms of it, waiting for a free connection included; the generator used ${fmt(gen, 0)} µs CPU a request)`,
    );
  }
  if (memory) {
    console.log(
      `\nMemory (V8 heap after a full GC, workerd without Miniflare; tokens ${memory.tokenLength} characters): ` +
        `${fmt(memory.baseHeapMb, 1)} MB with empty caches, ${fmt(memory.fullHeapMb, 1)} MB with ${memory.entries} verified + ${memory.entries} rejected bearer tokens, ` +
        `${fmt(memory.fullCookieHeapMb, 1)} MB with ${memory.entries} cookie sessions (2 KiB of other cookies each)`,
    );
    for (const r of memory.rows) console.log(`  ${r.what}: +${fmt(r.mb, 1)} MB${r.bytesPerEntry ? ` (${fmt(r.bytesPerEntry, 0)} bytes an entry)` : ''}`);
  }
  console.log(`\ngateway bundle: ${gatewayBundle.kib} KiB, gzip ${gatewayBundle.gzipKib} KiB (target ≤ 90 KiB gzip: ${gatewayBundle.gzipKib <= 90 ? 'met' : 'NOT met'})`);
  const took = (Date.now() - started) / 1000;
  console.log(
    `machine: ${machine}; ${ROUNDS} rounds × ${SECONDS} s (${FIRST_SECONDS} s first-seen), ${CONNECTIONS} connections, wrk -t1; ` +
      `src at ${commit}${dirty ? ' + uncommitted changes' : ''}; ${pool.size} tokens in the pool (${pool.minted} minted in ${fmt(pool.mintSeconds, 1)} s); took ${took.toFixed(0)} s`,
  );

  writeFileSync(
    previousPath,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        commit,
        srcUncommitted: dirty,
        machine,
        tookSeconds: Math.round(took),
        settings: { rounds: ROUNDS, seconds: SECONDS, firstSeenSeconds: FIRST_SECONDS, connections: CONNECTIONS, loadGenerator: 'wrk -t1' },
        bundles: { gateway: gatewayBundle, passthrough: passthroughBundle, baseline: baselineBundle, gatewayRules: rulesBundle, ...(againstBundle ? { [`gateway@${againstRev}`]: againstBundle } : {}) },
        summary,
        targets,
        publicRoute,
        htmlComponents,
        ruleScaling,
        versusPrevious,
        flood,
        jwksFetches: jwks.calls.jwks,
        jwksFetchesAtStart,
        foreignCoresMax: foreignMax,
        noise: { thresholdCores: NOISE, retries, waitedSeconds },
        machineState,
        workerLogLines: logLines,
        latency: latency && { ...latency, table: latencyLines.join('\n') },
        memory,
        table: lines.join('\n'),
      },
      null,
      2,
    )}\n`,
  );

  await Promise.all(workers.map((w) => w.mf.dispose()));
  origin.close();
  jwks.server.close();
}

/**
 * The isolate's memory with its caches full, on fresh gateways in workerd without Miniflare
 * (LOG_LEVEL=error) so that V8 can be asked for a full collection (--expose-gc) and say what it
 * left (--trace-gc): the V8 heap after GC is what the 128 MB isolate limit counts, and, unlike
 * the process's resident memory, it does not move with garbage not yet collected. Every gateway
 * first serves 2000 requests with one token (JIT, pools); a control gateway then serves as many
 * requests again, all with that token, to show what is not the caches.
 */
async function measureMemory({ gatewayBundle, clerkBindings, pool, cursors, bearer }) {
  const N = 4096;
  const bindings = { ...clerkBindings, LOG_LEVEL: 'error' };
  const steps = [];
  const started = [];
  const snap = async (w, step) => {
    await w.collect();
    // A second collection: the first may leave what only becomes garbage after it (weak maps, finalizers).
    const heap = await w.collect();
    steps.push({ worker: w.name, step, heapMb: heap, ...memoryMiB(w.pid) });
  };
  const fresh = async (name) => {
    const w = await startWorkerd({ name, scriptPath: gatewayBundle.scriptPath, bindings, dir: join(build, 'workerd') });
    started.push(w);
    ownPids.add(w.pid);
    await sendAll(`${w.url}/dashboard`, Array(2000).fill(bearer), 200);
    await snap(w, 'base');
    return w;
  };
  const distinct = async (w, count) => {
    const at = await cursors.reserve(w.name, count);
    cursors.advance(w.name, at, count);
    return pool.tokens.slice(at, at + count);
  };
  // Other cookies of a real site (analytics, consent, preferences): 2 KiB, different on every request.
  const siteCookies = () => `_ga=GA1.1.${randomBytes(700).toString('hex')}; consent=${randomBytes(300).toString('hex')}`;
  try {
    const control = await fresh('mem-control');
    const valid = await fresh('mem-bearer');
    const cookies = await fresh('mem-cookie');
    for (const round of [1, 2]) {
      const tokens = await distinct(valid, N);
      await sendAll(`${valid.url}/dashboard`, tokens.map((t) => ({ authorization: `Bearer ${t}` })), 200);
      await snap(valid, `valid ${round * N}`);
    }
    const forgeries = forgedTokens(pool.tokens.slice(0, 2 * N));
    for (const round of [1, 2]) {
      await sendAll(`${valid.url}/dashboard`, forgeries.slice((round - 1) * N, round * N).map((t) => ({ authorization: `Bearer ${t}` })), 401);
      await snap(valid, `valid ${2 * N} + forged ${round * N}`);
    }
    for (const round of [1, 2]) {
      const tokens = await distinct(cookies, N);
      await sendAll(`${cookies.url}/dashboard`, tokens.map((t) => ({ cookie: `${siteCookies()}; __session=${t}; __client_uat=${pool.iat}` })), 200);
      await snap(cookies, `cookie ${round * N}`);
    }
    await sendAll(`${control.url}/dashboard`, Array(4 * N).fill(bearer), 200);
    await snap(control, `same token ${4 * N}`);
  } finally {
    await Promise.all(started.map((w) => w.stop()));
  }
  const at = (worker, step) => steps.find((x) => x.worker === worker && x.step === step);
  const delta = (worker, step) => at(worker, step).heapMb - at(worker, 'base').heapMb;
  const heap = (worker, step) => at(worker, step).heapMb;
  const perEntry = (mb) => (mb * 2 ** 20) / N;
  const rows = [
    { what: `verified-token cache full: ${N} bearer tokens`, mb: delta('mem-bearer', `valid ${N}`), bytesPerEntry: perEntry(delta('mem-bearer', `valid ${N}`)) },
    { what: `… after ${2 * N} (LRU churned)`, mb: delta('mem-bearer', `valid ${2 * N}`) },
    {
      what: `… and rejected-token cache full: ${N} forged tokens`,
      mb: delta('mem-bearer', `valid ${2 * N} + forged ${N}`),
      bytesPerEntry: perEntry(heap('mem-bearer', `valid ${2 * N} + forged ${N}`) - heap('mem-bearer', `valid ${2 * N}`)),
    },
    { what: `… after ${2 * N} forged (churned)`, mb: delta('mem-bearer', `valid ${2 * N} + forged ${2 * N}`) },
    { what: `verified-token cache full: ${N} cookie sessions, 2 KiB of other cookies each`, mb: delta('mem-cookie', `cookie ${N}`), bytesPerEntry: perEntry(delta('mem-cookie', `cookie ${N}`)) },
    { what: `… after ${2 * N} (LRU churned)`, mb: delta('mem-cookie', `cookie ${2 * N}`) },
    { what: `control: ${4 * N} more requests, one token`, mb: delta('mem-control', `same token ${4 * N}`) },
  ];
  return {
    entries: N,
    tokenLength: pool.tokens[0].length,
    baseHeapMb: at('mem-bearer', 'base').heapMb,
    fullHeapMb: at('mem-bearer', `valid ${2 * N} + forged ${2 * N}`).heapMb,
    fullCookieHeapMb: at('mem-cookie', `cookie ${2 * N}`).heapMb,
    rows,
    steps,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
