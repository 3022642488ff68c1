#!/usr/bin/env node
// `npm run bench`: what the gateway costs per request, next to a bare pass-through Worker and
// to the code a user would write instead (@clerk/backend's authenticateRequest per request).
//
// Every Worker runs bundled as `wrangler deploy --dry-run` builds it, in Miniflare with no
// inspector, against one fast local origin; wrk drives load on loopback; variants are
// interleaved A/B/C/… for several rounds so drift hits them all alike. workerd CPU time per
// request is read from /proc. Results: a table on stdout and bench/results.json.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Miniflare } from 'miniflare';

import { mintSessionToken, nowSeconds } from '../scripts/lib/session-token.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'bench', '.build');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PARTY = 'http://bench.test';
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  console.log('wrk not found: installing it from Debian packages…');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  if (apt(['install', '-y', '-qq', 'wrk']).status !== 0) throw new Error('could not install wrk (apt-get install wrk)');
}

/** Bundles a Worker exactly as `wrangler deploy --dry-run` does; returns its path and sizes. */
function bundle(name, configPath) {
  const outdir = join(build, name);
  const out = execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', configPath, '--outdir', outdir], {
    cwd: root,
    env: wranglerEnv,
    encoding: 'utf8',
  });
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  const script = readdirSync(outdir).find((f) => f.endsWith('.js'));
  return { scriptPath: join(outdir, script), kib: Number(size?.[1]), gzipKib: Number(size?.[2]) };
}

function startOrigin() {
  const body = JSON.stringify({ ok: true, page: 'origin' });
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
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

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

async function startWorker(name, scriptPath, bindings) {
  const before = workerdPids();
  const mf = new Miniflare({ name, scriptPath, modules: true, compatibilityDate: '2026-04-26', bindings, host: '127.0.0.1', port: 0 });
  const url = await mf.ready;
  const pid = [...workerdPids()].find((p) => !before.has(p));
  if (!pid) throw new Error(`could not find the workerd process of ${name}`);
  return { mf, url: url.href.replace(/\/$/, ''), pid };
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
  return { requests, rps, p50: pct(50), p99: pct(99), non2xx, errors };
}

// Asynchronous on purpose: the origin lives in this process and must keep answering.
function runWrk(url, headers, seconds, { allowErrors = false } = {}) {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [...args, url]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 || allowErrors ? resolve(parseWrk(out)) : reject(new Error(`wrk failed: ${err}`))));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const started = Date.now();
  ensureWrk();

  console.log('Bundling with wrangler deploy --dry-run…');
  const gatewayBundle = bundle('gateway', join(root, 'wrangler.toml'));
  const passthroughBundle = bundle('passthrough', join(root, 'bench/workers/passthrough.toml'));
  const baselineBundle = bundle('baseline', join(root, 'bench/workers/baseline.toml'));

  const origin = await startOrigin();
  const originUrl = `http://127.0.0.1:${origin.address().port}`;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString().replace(/\n/g, '');
  const now = nowSeconds();
  // Session tokens of the bench instance, valid for the whole run.
  const session = { issuer: 'https://clerk.bench.test', azp: PARTY, now, lifetime: 3600, kid: 'ins_bench' };
  const token = await mintSessionToken({ ...session, sub: 'user_bench', sid: 'sess_bench', key: privateKey });
  const clerkBindings = {
    ORIGIN_URL: originUrl,
    CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
    CLERK_SECRET_KEY: 'sk_live_bench',
    CLERK_JWT_KEY: pem,
    CLERK_AUTHORIZED_PARTIES: PARTY,
  };

  const passthrough = await startWorker('passthrough', passthroughBundle.scriptPath, { ORIGIN_URL: originUrl });
  const gateway = await startWorker('gateway', gatewayBundle.scriptPath, clerkBindings);
  const baseline = await startWorker('baseline', baselineBundle.scriptPath, clerkBindings);
  // The same gateway with LOG_LEVEL=error: what the per-request log line costs.
  const quiet = await startWorker('gateway-quiet', gatewayBundle.scriptPath, { ...clerkBindings, LOG_LEVEL: 'error' });

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
    { id: 'baseline', label: 'baseline: authenticateRequest + fetch', worker: baseline, path: '/dashboard', headers: bearer },
    // What refusing costs: a forged token (valid shape, foreign signature) next to a request
    // refused without any crypto (an encoded "/" in the path: 400).
    { id: 'refuse-forged', label: 'gateway refusing forged tokens (401)', worker: gateway, path: '/dashboard', headers: { authorization: `Bearer ${forged}` }, expect: 401 },
    { id: 'refuse-badpath', label: 'gateway refusing a malformed path (400)', worker: gateway, path: '/dashboard%2fx', headers: {}, expect: 400 },
    // Valid requests while the same number of connections floods the gateway with forged tokens,
    // and, for comparison, with requests it refuses without crypto.
    { id: 'flood-forged', label: `gateway, bearer, while ${CONNECTIONS} connections send forged tokens`, worker: gateway, path: '/dashboard', headers: bearer, flood: { path: '/dashboard', headers: { authorization: `Bearer ${forged}` } } },
    { id: 'flood-badpath', label: `gateway, bearer, while ${CONNECTIONS} connections send malformed paths`, worker: gateway, path: '/dashboard', headers: bearer, flood: { path: '/dashboard%2fx', headers: {} } },
  ];

  // BENCH_ONLY=id,id narrows a run while investigating; the pass-through and baseline always stay.
  const only = process.env.BENCH_ONLY?.split(',');
  const variants = allVariants.filter((v) => !only || only.includes(v.id) || v.id === 'passthrough' || v.id === 'baseline');
  // A refusal variant's ratios to the pass-through say nothing: keep them out of those columns.

  // Each variant must be answered by the origin, not refused, and the forgery refused: check once.
  const forgedRes = await fetch(`${gateway.url}/dashboard`, { headers: { authorization: `Bearer ${forged}` } });
  if (forgedRes.status !== 401) throw new Error(`forged token: expected 401, got ${forgedRes.status}`);
  for (const v of variants) {
    const res = await fetch(`${v.worker.url}${v.path}`, { headers: v.headers, redirect: 'manual' });
    const text = await res.text();
    const expected = v.expect ?? 200;
    if (res.status !== expected || (expected === 200 && !text.includes('"origin"'))) {
      throw new Error(`${v.id}: expected ${expected === 200 ? "the origin's 200" : expected}, got ${res.status} ${text.slice(0, 200)}`);
    }
  }

  console.log(`Warming up, then ${ROUNDS} interleaved rounds of ${SECONDS} s per variant, ${CONNECTIONS} connections…`);
  for (const v of variants) await runWrk(`${v.worker.url}${v.path}`, v.headers, 2);

  const samples = Object.fromEntries(variants.map((v) => [v.id, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const cpu0 = cpuSeconds(v.worker.pid);
      const flood = v.flood ? runWrk(`${v.worker.url}${v.flood.path}`, v.flood.headers, SECONDS) : undefined;
      const r = await runWrk(`${v.worker.url}${v.path}`, v.headers, SECONDS);
      const floodResult = await flood;
      // During a flood the process also serves the flood: CPU per valid request is not comparable.
      const cpu = v.flood ? Number.NaN : cpuSeconds(v.worker.pid) - cpu0;
      if (floodResult) r.floodRequests = floodResult.requests;
      if (!(r.requests > 0) || (r.non2xx > 0 && !v.expect) || (v.expect && r.non2xx !== r.requests) || r.errors) throw new Error(`${v.id}: ${r.non2xx} non-2xx responses, socket errors: ${r.errors ?? 'none'}`);
      samples[v.id].push({ ...r, cpuUsPerRequest: (cpu * 1e6) / r.requests });
      process.stdout.write('.');
    }
  }
  process.stdout.write('\n');

  const summary = variants.map((v) => {
    const s = samples[v.id];
    return {
      id: v.id,
      label: v.label,
      rps: median(s.map((x) => x.rps)),
      p50Ms: median(s.map((x) => x.p50)),
      p99Ms: median(s.map((x) => x.p99)),
      cpuUsPerRequest: median(s.map((x) => x.cpuUsPerRequest)),
      ...(v.flood ? { floodRps: median(s.map((x) => x.floodRequests / SECONDS)) } : {}),
      ...(v.expect ? { expectedStatus: v.expect } : {}),
      rounds: s,
    };
  });
  const pass = summary.find((s) => s.id === 'passthrough');
  const base = summary.find((s) => s.id === 'baseline');
  for (const s of summary) {
    s.throughputRatio = s.rps / pass.rps;
    s.p50Ratio = s.p50Ms / pass.p50Ms;
    s.p99Ratio = s.p99Ms / pass.p99Ms;
    s.cpuAddedUs = s.cpuUsPerRequest - pass.cpuUsPerRequest;
  }
  const baselineAdded = base.cpuAddedUs;
  const targets = ['gateway-bearer', 'gateway-cookie'].filter((id) => samples[id]).map((id) => {
    const s = summary.find((x) => x.id === id);
    return {
      id,
      throughputRatio: s.throughputRatio,
      throughputTargetMet: s.throughputRatio >= 0.85,
      cpuAddedVsBaselineAdded: s.cpuAddedUs / baselineAdded,
      cpuTargetMet: s.cpuAddedUs <= 0.25 * baselineAdded,
    };
  });

  const byId = (id) => summary.find((x) => x.id === id);
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
  const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const lines = [
    '| variant | req/s | × pass-through | p50 ms | p99 ms | p99 × | workerd CPU µs/req | CPU added µs/req |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.map(
      (s) =>
        `| ${s.label} | ${fmt(s.rps, 0)} | ${fmt(s.throughputRatio)} | ${fmt(s.p50Ms)} | ${fmt(s.p99Ms)} | ${fmt(s.p99Ratio)} | ${fmt(s.cpuUsPerRequest, 0)} | ${s.id === 'passthrough' ? '—' : fmt(s.cpuAddedUs, 0)} |`,
    ),
  ];
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`\n${lines.join('\n')}\n`);
  for (const t of targets) {
    console.log(
      `${t.id}: throughput ${fmt(t.throughputRatio)} of pass-through (target ≥ 0.85: ${t.throughputTargetMet ? 'met' : 'NOT met'}); ` +
        `CPU added ${fmt(t.cpuAddedVsBaselineAdded)} of the baseline's (target ≤ 0.25: ${t.cpuTargetMet ? 'met' : 'NOT met'})`,
    );
  }
  if (flood) {
    console.log(
      `refusing a forged token costs ${fmt(flood.forgedRefusalCpuUs, 0)} µs CPU, a malformed path ${fmt(flood.badpathRefusalCpuUs, 0)} µs ` +
        `(× ${fmt(flood.forgedVsBadpathCpu)}; bound ≤ 2: ${flood.boundMet ? 'met' : 'NOT met'}); under an unthrottled flood on this 2-core machine valid requests get ` +
        `${fmt(flood.validRpsUnderForged, 0)} req/s (forged tokens) vs ${fmt(flood.validRpsUnderBadpath, 0)} req/s (malformed paths)`,
    );
  }
  console.log(`gateway bundle: ${gatewayBundle.kib} KiB, gzip ${gatewayBundle.gzipKib} KiB (target ≤ 90 KiB gzip: ${gatewayBundle.gzipKib <= 90 ? 'met' : 'NOT met'})`);
  console.log(`machine: ${machine}; ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, wrk -t1; took ${((Date.now() - started) / 1000).toFixed(0)} s`);

  writeFileSync(
    join(root, 'bench/results.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, loadGenerator: 'wrk -t1' },
        bundles: { gateway: gatewayBundle, passthrough: passthroughBundle, baseline: baselineBundle },
        summary,
        targets,
        flood,
        table: lines.join('\n'),
      },
      null,
      2,
    )}\n`,
  );

  await Promise.all([passthrough.mf.dispose(), gateway.mf.dispose(), baseline.mf.dispose(), quiet.mf.dispose()]);
  origin.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
