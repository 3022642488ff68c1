#!/usr/bin/env node
// Where a request's CPU goes inside workerd itself: V8's CPU profiler in the gateway's isolate,
// driven over workerd's inspector (Chrome DevTools Protocol), for what bench/profile.mjs (Node,
// whose fetch/Request/Headers are JavaScript) cannot show in the right proportions.
//
// The gateway is bundled as `wrangler deploy` bundles it (demo/worker.ts: the bench's routes, as
// bench/workers/gateway.toml, whatever routes.config.ts says; esbuild, conditions
// workerd/worker/browser, es2024, no keepNames (`keep_names = false`, as wrangler.toml); unminified unless --minify, so V8 sees the real
// function names) with a source map, and runs in Miniflare with an inspector port, against an
// origin on 127.0.0.1 that answers at once. After a warm-up, N requests run under the profiler
// (first-seen: each a fresh valid token; seen: one token again and again; public: /about).
//
// Reported: self time per source file and per function; and the most useful table, time by stage
// from the call tree: "inclusive" is every sample with the stage's function anywhere on its stack,
// "innermost" splits the samples among stages (the stage nearest the leaf takes the sample; the
// rows add up to the profiled total). Async functions resume from the microtask queue, so the
// part of a caller after an `await` is on the stack of its own, not under its caller's caller:
// inclusive times of outer stages (handleRequest, authenticate) miss their callees' continuations,
// which the "group" rows (any frame of a set of files/functions) catch.
//
// The inspector is attached while it runs: absolute numbers are inflated; read proportions.
//
//   node bench/profile-workerd.mjs [--requests 3000] [--profile first-seen|seen|public]
//     [--log error|info] [--interval 25 (µs)] [--concurrency 4] [--warmup 500] [--minify] [--keep-names]
//     [--top 25] [--save profile.cpuprofile]
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { SourceMap } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Miniflare } from 'miniflare';
import WebSocket from 'ws';

import { sessionClaims } from '../scripts/lib/session-token.mjs';

import { bundleWorker } from './lib/load-source.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const N = Number(arg('requests', 3000));
const PROFILE = arg('profile', 'first-seen');
const LOG_LEVEL = arg('log', 'error');
const INTERVAL = Number(arg('interval', 25));
// wrangler.toml and bench/workers/gateway.toml set `keep_names = false`: the `__name` wrappers are not what production runs.
const KEEP_NAMES = process.argv.includes('--keep-names');
const CONCURRENCY = Number(arg('concurrency', 4));
const WARMUP = Number(arg('warmup', 500));
const TOP = Number(arg('top', 25));
const MINIFY = process.argv.includes('--minify');
const SAVE = arg('save', undefined);
if (!['first-seen', 'seen', 'public'].includes(PROFILE)) throw new Error('--profile takes first-seen, seen or public');
if (!['error', 'info', 'warn', 'debug'].includes(LOG_LEVEL)) throw new Error('--log takes error or info');

// --- Bundle: wrangler's esbuild options (bench/run.mjs bundles with `wrangler deploy --dry-run`) ---
const outdir = join(root, 'bench', '.build', 'profile-workerd');
mkdirSync(outdir, { recursive: true });
const bundlePath = join(outdir, 'gateway.js');
await bundleWorker(join(root, 'demo/worker.ts'), bundlePath, { keepNames: KEEP_NAMES, minify: MINIFY, sourcemap: 'external' });
const mapJson = JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8'));
const sourceMap = new SourceMap(mapJson);
const sourceLines = new Map(mapJson.sources.map((s, i) => [s, (mapJson.sourcesContent?.[i] ?? '').split('\n')]));
/** A name for an anonymous function from its original line: `const sessionToken: T = async (…) =>`, `name(…) {`, `name: (…) =>`. */
function inferName(source, line) {
  const text = sourceLines.get(source)?.[line] ?? '';
  const m = /(?:const|let|var)\s+([\w$]+)\s*(?::[^=]+)?=/.exec(text) ?? /([\w$#]+)\s*[:=]\s*(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*(?::[^=]+)?=>/.exec(text) ?? /^\s*(?:async\s+)?(?:get\s+|set\s+|static\s+)?([\w$#]+)\s*\(/.exec(text);
  return m ? `${m[1]}~` : undefined;
}
// esbuild's `// src/x.ts` markers (unminified bundles): the fallback when the map has no entry.
const markerAt = [];
{
  let current = '(bundle)';
  for (const line of readFileSync(bundlePath, 'utf8').split('\n')) {
    const m = /^\/\/ (.+\.(?:ts|js|mjs|cjs))$/.exec(line);
    if (m) current = m[1];
    markerAt.push(current);
  }
}

// --- Tokens: a fresh key, claims as scripts/lib/session-token.mjs (bench/tokens.mjs) makes them ---
const PARTY = 'http://bench.test';
const ISSUER = 'https://clerk.bench.test';
const KID = 'ins_bench';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const b64url = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const header = b64url({ alg: 'RS256', typ: 'JWT', kid: KID });
const now = Math.floor(Date.now() / 1000);
function mint(i) {
  const input = `${header}.${b64url(sessionClaims({ sub: `user_prof${now}_${i}`, sid: `sess_prof${now}_${i}`, issuer: ISSUER, azp: PARTY, now, lifetime: 3600 }))}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
const needed = PROFILE === 'first-seen' ? WARMUP + N + 1 : 1;
const tokens = Array.from({ length: needed }, (_, i) => mint(i));

// --- Origin, free port, workerd ---
const originBody = JSON.stringify({ ok: true, page: 'origin' });
const origin = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(originBody) });
  res.end(originBody);
});
origin.keepAliveTimeout = 60_000;
await new Promise((r) => origin.listen(0, '127.0.0.1', r));
const originUrl = `http://127.0.0.1:${origin.address().port}`;

const freePort = () =>
  new Promise((r) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => r(port));
    });
  });
const inspectorPort = await freePort();
let logLines = 0;
const bindings = {
  ORIGIN_URL: originUrl,
  CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
  CLERK_SECRET_KEY: 'sk_live_bench',
  CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString().replace(/\n/g, ''),
  CLERK_AUTHORIZED_PARTIES: PARTY,
  LOG_LEVEL,
};
const mf = new Miniflare({
  name: 'gateway',
  scriptPath: bundlePath,
  modules: true,
  compatibilityDate: '2026-04-26',
  bindings,
  host: '127.0.0.1',
  port: 0,
  inspectorPort,
  // The Worker's log lines are counted and dropped (Miniflare would print each one).
  handleRuntimeStdio: (stdout, stderr) => {
    createInterface(stdout).on('line', () => logLines++);
    createInterface(stderr).on('line', () => logLines++);
  },
});
const base = (await mf.ready).href.replace(/\/$/, '');

// --- Inspector: the gateway's isolate ---
const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
const target = targets.find((t) => /(^|:)gateway$/.test(t.id ?? '') || /(^|:)gateway$/.test(t.title ?? '')) ?? targets.find((t) => (t.id ?? '').includes('gateway'));
if (!target) throw new Error(`no inspector target for the gateway among ${JSON.stringify(targets.map((t) => t.id ?? t.title))}`);
const wsUrl = target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${inspectorPort}/${target.id}`;
const ws = new WebSocket(wsUrl);
await new Promise((r, j) => {
  ws.once('open', r);
  ws.once('error', j);
});
let nextId = 1;
const pending = new Map();
ws.on('message', (data) => {
  const message = JSON.parse(data.toString());
  if (message.id && pending.has(message.id)) {
    const { resolve: ok, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) reject(new Error(`${JSON.stringify(message.error)}`));
    else ok(message.result);
  }
});
const cdp = (method, params = {}) =>
  new Promise((ok, reject) => {
    const id = nextId++;
    pending.set(id, { resolve: ok, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });

// --- Load ---
let tokenIndex = 0;
const path = PROFILE === 'public' ? '/about' : '/dashboard';
function headersFor() {
  if (PROFILE === 'public') return {};
  return { authorization: `Bearer ${PROFILE === 'seen' ? tokens[0] : tokens[tokenIndex++]}` };
}
async function drive(count) {
  let left = count;
  const statuses = {};
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left > 0) {
        left--;
        const res = await fetch(`${base}${path}`, { headers: headersFor() });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  if (Object.keys(statuses).some((s) => s !== '200')) throw new Error(`expected 200 for every request, got ${JSON.stringify(statuses)}`);
}

await drive(WARMUP);
await cdp('Profiler.enable');
await cdp('Profiler.setSamplingInterval', { interval: INTERVAL });
await cdp('Profiler.start');
const started = performance.now();
await drive(N);
const wallMs = performance.now() - started;
const { profile } = await cdp('Profiler.stop');
ws.close();
await mf.dispose();
origin.close();
if (SAVE) writeFileSync(SAVE, JSON.stringify(profile));

// --- Analysis ---
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** A node's frame: function name, original source file (relative to the repository) and line. */
const frameCache = new Map();
function frame(node) {
  let f = frameCache.get(node.id);
  if (f) return f;
  const { functionName, url, lineNumber, columnNumber } = node.callFrame;
  let name = functionName || '(anonymous)';
  let file;
  let line = lineNumber + 1;
  if (url && url.endsWith('gateway.js')) {
    const entry = sourceMap.findEntry(lineNumber, columnNumber);
    if (entry?.originalSource) {
      file = relative(root, resolve(dirname(bundlePath), entry.originalSource.replace(/^file:\/\//, '')));
      line = entry.originalLine + 1;
      if (MINIFY && entry.name) name = `${entry.name}?`;
      else if (name === '(anonymous)') name = inferName(entry.originalSource, entry.originalLine) ?? name;
    } else file = markerAt[lineNumber] ?? '(bundle)';
    file = file.replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, 'node_modules/');
  } else if (url) file = `(workerd) ${url}`;
  else if (/^\((program|idle|garbage collector|root)\)$/.test(functionName)) file = functionName;
  else file = '(native)';
  f = { name, file, line };
  frameCache.set(node.id, f);
  return f;
}

// workerd's sampler records a sample only while the isolate is entered, and ticks more slowly
// than asked (about the interval + 70 µs): gaps between samples are mostly time outside the
// isolate. So every sample weighs the same, the sampler's actual period (the median gap between
// consecutive samples, read from the short gaps); proportions are sample counts.
const samples = profile.samples;
const deltas = profile.timeDeltas;
const sorted = deltas.slice(1).sort((a, b) => a - b);
const p10 = sorted[Math.floor(sorted.length * 0.1)] ?? INTERVAL;
const regular = sorted.filter((d) => d <= 2 * p10);
const period = regular[Math.floor(regular.length / 2)] ?? INTERVAL;
const weight = samples.map(() => period);
const rawSpan = deltas.reduce((a, b) => a + b, 0);

const selfTime = new Map();
for (let i = 0; i < samples.length; i++) selfTime.set(samples[i], (selfTime.get(samples[i]) ?? 0) + weight[i]);
let total = 0;
let idle = 0;
for (const [id, t] of selfTime) {
  total += t;
  if (frame(nodes.get(id)).file === '(idle)') idle += t;
}
const busy = total - idle;

const byFile = new Map();
const byFunction = new Map();
for (const [id, t] of selfTime) {
  const f = frame(nodes.get(id));
  const fileKey = f.file === '(native)' ? `(native) ${f.name}` : f.file;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + t);
  const fnKey = f.file.startsWith('(') ? (f.file === '(native)' ? `${f.name} (native)` : f.name) : `${f.name}  ${f.file}:${f.line}`;
  byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + t);
}

// Stages: predicates on a frame. Order matters only for the "innermost" split's tie (one frame, one stage: the first that matches).
const is = (name, file) => (f) => f.name.replace(/~$/, '') === name && (file === undefined || f.file === file || f.file.startsWith(file));
const inFile = (prefix) => (f) => f.file.startsWith(prefix);
const native = (...names) => (f) => f.file === '(native)' && names.includes(f.name);
const STAGES = [
  ['handleRequest (src/gateway.ts)', is('handleRequest', 'src/gateway.ts')],
  ['  pipeline', is('pipeline', 'src/gateway.ts')],
  ['    getRuntime', is('getRuntime')],
  ['    canonicalizePath', is('canonicalizePath')],
  ['    pathReadings', is('pathReadings')],
  ['    matchRoute', is('matchRoute')],
  ['    authenticate', is('authenticate', 'src/auth/authenticate.ts')],
  ['      readCredentials', is('readCredentials')],
  ['      sessionToken (authenticator)', is('sessionToken', 'src/auth/authenticators/session-token.ts')],
  ['      TokenCache get/set', inFile('src/auth/session/token-cache.ts')],
  ['      SignatureVerifier verified/check', inFile('src/auth/session/signature.ts')],
  ['        compactVerify (jose)', (f) => f.file.startsWith('node_modules/jose/') && ['compactVerify', 'flattenedVerify'].includes(f.name)],
  ['          jose lib (other)', inFile('node_modules/jose/')],
  ['          crypto.subtle.verify (native)', native('verify')],
  ['      acceptSessionClaims', is('acceptSessionClaims')],
  ['    decide', is('decide', 'src/decision/')],
  ['    src/request/** (wantsHtml, clientKind, returnUrl…)', inFile('src/request/')],
  ['    originRequestHeaders', is('originRequestHeaders')],
  ['    forwardToOrigin', is('forwardToOrigin')],
  ['      fetch (native)', native('fetch')],
  ['      setTimeout/clearTimeout (native, timeout race)', native('setTimeout', 'clearTimeout')],
  ['  writeTrace', is('writeTrace')],
  ['    JSON.stringify (native)', native('stringify')],
  ['    console.log/error (native)', native('log', 'error')],
  ['  __name (esbuild keepNames, per-request closures)', is('__name')],
  ['  newTrace / requestId', (f) => ['newTrace', 'requestId'].includes(f.name)],
];
// Groups: any frame of the set on the stack (catches async continuations that run as roots).
const GROUPS = [
  ['auth: src/auth/** + jose + @clerk + crypto.subtle', (f) => f.file.startsWith('src/auth/') || f.file.startsWith('node_modules/jose/') || f.file.startsWith('node_modules/@clerk/') || (f.file === '(native)' && ['verify', 'importKey', 'digest'].includes(f.name))],
  ['  signature: signature.ts + jose + subtle.verify', (f) => f.file.startsWith('src/auth/session/signature.ts') || f.file.startsWith('node_modules/jose/') || (f.file === '(native)' && f.name === 'verify')],
  ['routing: src/routing/**', inFile('src/routing/')],
  ['proxy: src/proxy/** + native fetch', (f) => f.file.startsWith('src/proxy/') || (f.file === '(native)' && f.name === 'fetch')],
  ['observe: src/observe/** (trace, log line)', inFile('src/observe/')],
  ['request/respond/decision/runtime/config', (f) => /^src\/(request|respond|decision|runtime|config)\//.test(f.file)],
  ['any gateway JS (src/**)', inFile('src/')],
  ['any bundle JS (src/** + node_modules/**)', (f) => f.file.startsWith('src/') || f.file.startsWith('node_modules/')],
];

const stackCache = new Map();
function stackOf(id) {
  let s = stackCache.get(id);
  if (s) return s;
  s = [];
  for (let n = id; n !== undefined; n = parent.get(n)) s.push(frame(nodes.get(n)));
  stackCache.set(id, s); // leaf first
  return s;
}
const inclusive = new Array(STAGES.length).fill(0);
const innermost = new Array(STAGES.length).fill(0);
const groups = new Array(GROUPS.length).fill(0);
const unstaged = new Map();
for (let i = 0; i < samples.length; i++) {
  const stack = stackOf(samples[i]);
  const w = weight[i];
  const hit = new Set();
  let inner = -1;
  for (const f of stack) {
    const k = STAGES.findIndex(([, p]) => p(f));
    if (k !== -1) {
      hit.add(k);
      if (inner === -1) inner = k;
    }
  }
  for (const k of hit) inclusive[k] += w;
  if (inner !== -1) innermost[inner] += w;
  else {
    const leaf = stack[0];
    const key = leaf.file.startsWith('(') && leaf.file !== '(native)' ? leaf.file : leaf.file === '(native)' ? '(native outside stages)' : leaf.file.startsWith('(workerd)') ? '(workerd JS outside stages)' : '(bundle JS outside stages)';
    unstaged.set(key, (unstaged.get(key) ?? 0) + w);
  }
  GROUPS.forEach(([, p], g) => {
    if (stack.some(p)) groups[g] += w;
  });
}

// --- Report ---
const us = (t) => (t / N).toFixed(1).padStart(7);
const pct = (t, of = busy) => `${((t / of) * 100).toFixed(1).padStart(5)} %`;
const rows = (entries, n) =>
  [...entries]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${pct(v)}  ${us(v)} µs  ${k}`)
    .join('\n');
console.log(`\n*** V8 inspector attached to workerd (CPU profiler sampling every ${INTERVAL} µs): absolute µs are inflated; read proportions. ***`);
console.log(`profile: ${PROFILE}, ${N} requests (after ${WARMUP} warm-up), concurrency ${CONCURRENCY}, LOG_LEVEL=${LOG_LEVEL}, bundle ${MINIFY ? "minified" : "unminified"}${KEEP_NAMES ? " (keepNames)" : " (no keepNames, as wrangler.toml)"}, ${logLines} log lines`);
console.log(`samples: ${samples.length} (${(samples.length / N).toFixed(2)} a request), one every ${period} µs of isolate time (asked ${INTERVAL}); profile span ${(rawSpan / 1000).toFixed(0)} ms of ${wallMs.toFixed(0)} ms wall, isolate entered ≈ ${(total / 1000).toFixed(0)} ms`);
console.log(`profiled CPU a request (all but (idle)): ${us(busy)} µs; (idle) ${us(idle).trim()} µs a request. % below are of the non-idle total.`);
console.log(`\nself time by source file:\n${rows(byFile, TOP)}`);
console.log(`\nself time by function:\n${rows(byFunction, TOP)}`);
const stageRows = STAGES.map(([label], k) => `  ${label.padEnd(52)} ${us(inclusive[k])} µs ${pct(inclusive[k])}   ${us(innermost[k])} µs ${pct(innermost[k])}`);
console.log(`\nby stage (call tree)                                  inclusive            innermost (partition)\n${stageRows.join('\n')}`);
console.log(
  [...unstaged]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `  ${k.padEnd(52)} ${''.padStart(18)} ${us(v)} µs ${pct(v)}`)
    .join('\n'),
);
const staged = innermost.reduce((a, b) => a + b, 0) + [...unstaged.values()].reduce((a, b) => a + b, 0);
console.log(`  ${'total'.padEnd(52)} ${''.padStart(18)} ${us(staged)} µs (incl. idle)`);
console.log(`\ngroups (any frame of the set on the stack: catches async continuations)\n${GROUPS.map(([label], g) => `  ${label.padEnd(52)} ${us(groups[g])} µs ${pct(groups[g])}`).join('\n')}`);
process.exit(0);
