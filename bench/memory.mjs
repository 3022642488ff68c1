#!/usr/bin/env node
// `node bench/memory.mjs`: the isolate's memory under a long run of unique session tokens, the
// bundled gateway next to a bare pass-through Worker under the same load (issue 16: workerd's RSS
// went from 82 to 566 MiB over a long run of unique tokens; which one grows, and why?).
//
// Both Workers run bundled as `wrangler deploy --dry-run` builds them, each in a workerd process
// of its own (bench/workerd.mjs: --expose-gc, --trace-gc), in front of one local origin. Every
// token goes to both, as `Authorization: Bearer`, so both see the same requests at the same time.
// Every BENCH_MEMORY_SAMPLE requests the script records each process's resident memory (VmRSS,
// RssAnon) and the V8 heap its last collection left (from --trace-gc, no collection forced); at
// the start and the end it forces full collections and records the heap they leave, which is what
// a leak would hold. Loopback only; every loop is bounded by the token count.
//
// Knobs: BENCH_MEMORY_TOKENS (200000), BENCH_MEMORY_SAMPLE (10000), BENCH_CONNECTIONS (16),
// BENCH_MEMORY_LOG_LEVEL (error; `info` writes the gateway's request line for every request, which
// workerd prints to stdout). Results: a table on stdout and bench/memory-results.json
// (bench/memory-results-<level>.json for another log level).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TokenPool } from './tokens.mjs';
import { startWorkerd } from './workerd.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'bench', '.build');
const TOKENS = Number(process.env.BENCH_MEMORY_TOKENS ?? 200_000);
const SAMPLE = Number(process.env.BENCH_MEMORY_SAMPLE ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LOG_LEVEL = process.env.BENCH_MEMORY_LOG_LEVEL ?? 'error';
const PARTY = 'http://bench.test';
const ISSUER = 'https://clerk.bench.test';
const KID = 'ins_bench';
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

function bundle(name, configPath) {
  const outdir = join(build, name);
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', configPath, '--outdir', outdir], { cwd: root, env: wranglerEnv, encoding: 'utf8' });
  return join(outdir, readdirSync(outdir).find((f) => f.endsWith('.js')));
}

function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error === undefined) return;
  console.log('wrk not found: installing it from Debian packages…');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  if (apt(['install', '-y', '-qq', 'wrk']).status !== 0) throw new Error('could not install wrk (apt-get install wrk)');
}

/** Each token of `file` once to `url` (bench/memory.lua); resolves to { sent, non200 }. */
function wrkOnce(url, file) {
  return new Promise((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${CONNECTIONS}`, '-d600s', '-s', join(root, 'bench/memory.lua'), url, '--', file], { encoding: 'utf8' }, (error, stdout) => {
      if (error) return reject(error);
      const m = /sent (\d+) non200 (\d+)/.exec(stdout);
      if (!m) return reject(new Error(`wrk: no summary in ${stdout}`));
      resolve({ sent: Number(m[1]), non200: Number(m[2]) });
    });
  });
}

function memoryMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, anon: kib('RssAnon') / 1024 };
}

/** The heap the last collection of any kind left, from --trace-gc (MB), or NaN before any. */
const lastHeap = (w) => w.gcEvents.at(-1)?.after ?? Number.NaN;
/** The heap V8 has committed (pages it holds, used or not), from the same line (MB). */
const lastCommitted = (w) => w.gcEvents.at(-1)?.committed ?? Number.NaN;

async function main() {
  ensureWrk();
  console.log(`Minting/reading ${TOKENS} unique tokens…`);
  const pool = await TokenPool.open({ dir: join(build, 'memory-tokens'), issuer: ISSUER, azp: PARTY, kid: KID });
  // In steps: TokenPool.ensure appends with push(...more), which overflows the stack past ~100,000.
  for (let have = pool.size; have < TOKENS; have = pool.size) {
    await pool.ensure(Math.min(TOKENS, have + 25_000));
    console.log(`  ${pool.size} tokens`);
  }
  const tokens = pool.tokens.slice(0, TOKENS);

  const origin = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  origin.keepAliveTimeout = 60_000;
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originUrl = `http://127.0.0.1:${origin.address().port}`;

  console.log('Bundling with wrangler deploy --dry-run…');
  const gatewayScript = bundle('gateway', join(root, 'wrangler.toml'));
  const passthroughScript = bundle('passthrough', join(root, 'bench/workers/passthrough.toml'));
  const dir = join(build, 'workerd-memory');
  const workers = {
    passthrough: await startWorkerd({ name: 'memory-passthrough', scriptPath: passthroughScript, bindings: { ORIGIN_URL: originUrl }, dir }),
    gateway: await startWorkerd({
      name: 'memory-gateway',
      scriptPath: gatewayScript,
      bindings: {
        ORIGIN_URL: originUrl,
        CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
        CLERK_SECRET_KEY: 'sk_live_bench',
        CLERK_JWT_KEY: pool.pem,
        CLERK_AUTHORIZED_PARTIES: PARTY,
        LOG_LEVEL,
      },
      dir,
    }),
  };
  const samples = [];
  const sample = (sent, note) => {
    const at = { sent, seconds: Math.round((performance.now() - t0) / 100) / 10, note };
    for (const [name, w] of Object.entries(workers)) at[name] = { ...memoryMiB(w.pid), heapMb: lastHeap(w), committedMb: lastCommitted(w) };
    samples.push(at);
    const row = (name) => `${at[name].rss.toFixed(0).padStart(5)} MiB rss, heap ${at[name].heapMb.toFixed(1).padStart(5)} of ${at[name].committedMb.toFixed(1).padStart(5)} MB`;
    console.log(`${String(sent).padStart(7)} requests ${String(at.seconds).padStart(6)} s | pass-through ${row('passthrough')} | gateway ${row('gateway')}${note ? ` | ${note}` : ''}`);
  };
  const collected = async (sent, note) => {
    const heaps = {};
    for (const [name, w] of Object.entries(workers)) {
      await w.collect();
      heaps[name] = await w.collect();
    }
    sample(sent, `${note}: after full GC, heap pass-through ${heaps.passthrough} MB, gateway ${heaps.gateway} MB`);
    samples.at(-1).heapAfterGc = heaps;
  };

  const t0 = performance.now();
  const wrong = { passthrough: 0, gateway: 0 };
  const slices = join(build, 'memory-slices');
  mkdirSync(slices, { recursive: true });
  // Warm-up: one token again and again (JIT, connection pools), then the baseline.
  const warm = join(slices, 'warm.txt');
  writeFileSync(warm, `${Array(2000).fill(tokens[0]).join('\n')}\n`);
  await Promise.all(Object.values(workers).map((w) => wrkOnce(`${w.url}/dashboard`, warm)));
  await collected(0, 'start');
  let sent = 0;
  while (sent < tokens.length) {
    const slice = tokens.slice(sent, sent + SAMPLE);
    const file = join(slices, 'slice.txt');
    writeFileSync(file, `${slice.join('\n')}\n`);
    // The same requests to both, at the same time.
    const results = await Promise.all(Object.values(workers).map((w) => wrkOnce(`${w.url}/dashboard`, file)));
    Object.keys(workers).forEach((name, i) => (wrong[name] += results[i].non200));
    sent += slice.length;
    sample(sent);
  }
  await collected(sent, 'end');
  // Idle: what workerd gives back once the load stops (V8 shrinks its heap on idle notifications).
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  sample(sent, 'after 10 s idle');

  for (const w of Object.values(workers)) await w.stop();
  origin.close();
  const first = samples[0];
  const last = samples.findLast((s) => s.heapAfterGc);
  const peak = (name) => Math.max(...samples.map((s) => s[name].rss));
  const summary = Object.fromEntries(
    Object.keys(workers).map((name) => [
      name,
      {
        rssStartMiB: first[name].rss,
        rssPeakMiB: peak(name),
        rssEndMiB: last[name].rss,
        rssIdleMiB: samples.at(-1)[name].rss,
        heapAfterGcStartMb: first.heapAfterGc[name],
        heapAfterGcEndMb: last.heapAfterGc[name],
        non200: wrong[name],
      },
    ]),
  );
  console.log('\nsummary (MiB resident; MB V8 heap after a forced full collection):');
  console.table(summary);
  writeFileSync(
    join(root, 'bench', LOG_LEVEL === 'error' ? 'memory-results.json' : `memory-results-${LOG_LEVEL}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), tokens: TOKENS, sample: SAMPLE, connections: CONNECTIONS, logLevel: LOG_LEVEL, summary, samples }, null, 2)}\n`,
  );
  console.log(`written: bench/${LOG_LEVEL === 'error' ? 'memory-results.json' : `memory-results-${LOG_LEVEL}.json`}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
