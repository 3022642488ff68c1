#!/usr/bin/env node
// CPU per page of resolving Clerk's control components (docs/components.md), measured inside
// workerd: one Worker (bench/workers/components-cpu.ts) transforms the bench's 50 KB page `n`
// times per request, and the driver reads workerd's CPU time (/proc/<pid>/task/*/schedstat)
// around each request. Variants run interleaved, round after round (every other round in
// reverse), and the median per variant is printed next to the first variant's, so the machine's
// load touches them alike. A variant is `name:page`; names: stream (no rewriter), parse (a
// rewriter whose selector matches nothing), calls (a no-op handler on each component element),
// components (the gateway's rewriter); pages: components, plain.
//
//   node bench/components-cpu.mjs [--rounds 15] [--n 200] [--concurrency 1] [--origin]
//     [--variants stream:components,parse:components,components:plain,components:components]
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { Miniflare } from 'miniflare';

import { htmlPage } from './lib/html-page.mjs';
import { bundleWorker } from './lib/load-source.mjs';
import { workerdCpuNs } from './lib/workerd-cpu.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const ROUNDS = Number(arg('rounds', 15));
const N = Number(arg('n', 200));
// Requests in flight at once (each of n/concurrency pages): concurrency in one isolate, as a loaded gateway has.
const CONCURRENCY = Number(arg('concurrency', 1));
const VARIANTS = arg('variants', 'stream:components,parse:components,components:plain,components:components').split(',');

// --origin: the pages come from a local HTTP origin (a network stream) instead of memory.
const pages = { '/components': htmlPage(true), '/plain': htmlPage(false) };
const originServer = process.argv.includes('--origin')
  ? await new Promise((resolve) => {
      const server = createServer((req, res) => {
        const page = pages[req.url] ?? '';
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
        res.end(page);
      });
      server.keepAliveTimeout = 60_000;
      server.listen(0, '127.0.0.1', () => resolve(server));
    })
  : undefined;
const originParam = originServer ? `&origin=http://127.0.0.1:${originServer.address().port}` : '';
const script = await bundleWorker('bench/workers/components-cpu.ts', join('bench', '.build', 'components-cpu', 'worker.js'));
const mf = new Miniflare({ scriptPath: script, modules: true, compatibilityDate: '2026-04-26' });
const base = (await mf.ready).href;

// workerd is a child of this process (Miniflare spawns it).
const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
const pid = children.split('\n').map((l) => l.trim().split(/\s+/)).find(([, comm]) => comm === 'workerd')?.[0];
if (!pid) throw new Error(`no workerd child among ${children}`);
const cpuSeconds = () => workerdCpuNs(pid) / 1e9;

const run = async (variant, n) => {
  const [name, page] = variant.split(':');
  const before = cpuSeconds();
  const each = Math.ceil(n / CONCURRENCY);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const response = await fetch(`${base}?variant=${name}&page=${page}&n=${each}${originParam}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`${variant}: ${text}`);
    }),
  );
  n = each * CONCURRENCY;
  return (cpuSeconds() - before) / n;
};

for (const variant of VARIANTS) await run(variant, N); // warm-up
const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
// Odd rounds run the variants in reverse: a variant pays for the garbage of the one before it.
for (let round = 0; round < ROUNDS; round++) for (const variant of round % 2 ? [...VARIANTS].reverse() : VARIANTS) samples[variant].push(await run(variant, N));
await mf.dispose();
originServer?.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stream = median(samples[VARIANTS[0]]);
console.log(`CPU per page in workerd, median of ${ROUNDS} interleaved rounds of ${N} pages, ${CONCURRENCY} request(s) at once (${VARIANTS[0]} is the reference):`);
for (const variant of VARIANTS) {
  const m = median(samples[variant]);
  console.log(`  ${variant.padEnd(28)} ${(m * 1e6).toFixed(0).padStart(6)} µs/page   +${((m - stream) * 1e6).toFixed(0)} µs`);
}
