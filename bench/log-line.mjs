#!/usr/bin/env node
// `node bench/log-line.mjs`: what one request log line costs the gateway's isolate in workerd, as
// a JSON string (console.log(JSON.stringify(trace))) and as a structured object (console.log(trace)),
// where the line goes two ways:
// - `tail`: a Tail Worker is attached. workerd then records every console.log call in the
//   invocation's trace, serializing its arguments as production does for Workers Logs and Tail
//   Workers (the fair reading: the isolate pays the serialization, the pipeline the rest). The
//   Tail Worker (here a no-op in the same process) adds its own CPU to both forms alike.
// - `stdout`: Miniflare's default, workerd printing each line to its stdout (what `npm run bench`
//   measures, and what production never does).
// One Worker logs a trace line like the gateway's (a forwarded bearer request, every field set)
// LINES times a request, so that the lines dominate the request's cost; its workerd process's
// CPU time per line, less the same Worker logging nothing, is the line's cost. Modes interleave
// over rounds; the median and the spread (max − min over the median) of the rounds are reported.
//   node bench/log-line.mjs [--requests 400] [--lines 50] [--rounds 5]
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';

import { Miniflare } from 'miniflare';

import { cpuOf, ownWorkerdPids } from './lib/workerd-cpu.mjs';

const arg = (name, fallback) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const REQUESTS = arg('--requests', 400);
const LINES = arg('--lines', 50);
const ROUNDS = arg('--rounds', 5);

// A forwarded bearer request's trace (src/observe/trace.ts), with every field set.
const trace = {
  msg: 'request', request_id: '8f1e2d3c4b5a69788796a5b4c3d2e1f0', method: 'GET', path: '/dashboard/projects/42', rule: '/dashboard(.*)',
  decision: 'forward', status: 200, reason: null, detail: null, public_reason: null, user_id: 'user_2abcdefghijklmnopqrstuvwxyz', session_status: 'active',
  origin_status: 200, auth_ms: 0, origin_ms: 1, dropped_cookies: 0, dropped_headers: 0, total_ms: 1,
};
const script = `
const TRACE = ${JSON.stringify(trace)};
export default {
  async fetch(request) {
    const mode = new URL(request.url).pathname.slice(1);
    for (let i = 0; i < ${LINES}; i++) {
      // A fresh object per line, as the gateway builds one per request.
      const line = { ...TRACE, total_ms: i };
      if (mode === 'string') console.log(JSON.stringify(line));
      else if (mode === 'object') console.log(line);
      else if (mode === 'tiny') console.log('request');
    }
    return new Response('ok');
  },
};`;

async function start(setup) {
  let printed = 0;
  const handleRuntimeStdio = (stdout, stderr) => {
    createInterface(stdout).on('line', () => printed++);
    createInterface(stderr).on('line', () => printed++);
  };
  const workers = [{ name: 'logger', modules: true, script, compatibilityDate: '2026-04-26', ...(setup === 'tail' ? { tails: ['tail'] } : {}) }];
  if (setup === 'tail') workers.push({ name: 'tail', modules: true, compatibilityDate: '2026-04-26', script: 'export default { tail(events) { globalThis.n = (globalThis.n ?? 0) + events.length; } };' });
  const mf = new Miniflare({ workers, handleRuntimeStdio, port: 0, host: '127.0.0.1' });
  const url = (await mf.ready).href.replace(/\/$/, '');
  return { setup, mf, url, cpu: cpuOf(ownWorkerdPids()), printed: () => printed };
}

async function run(w, mode) {
  const c0 = w.cpu();
  for (let i = 0; i < REQUESTS; i++) await (await fetch(`${w.url}/${mode}`)).arrayBuffer();
  return ((w.cpu() - c0) * 1e6) / (REQUESTS * LINES);
}

// `tiny`: a one-word line, the fixed cost of a console.log call whatever it carries.
const modes = ['none', 'tiny', 'string', 'object'];
const load0 = loadavg()[0];
const results = {};
for (const setup of ['tail', 'stdout']) {
  const w = await start(setup);
  for (const mode of modes) await run(w, mode); // warm-up
  const per = Object.fromEntries(modes.map((m) => [m, []]));
  for (let round = 0; round < ROUNDS; round++) for (const mode of round % 2 ? [...modes].reverse() : modes) per[mode].push(await run(w, mode));
  results[setup] = per;
  await w.mf.dispose();
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
for (const [setup, per] of Object.entries(results)) {
  const none = median(per.none);
  for (const mode of ['tiny', 'string', 'object']) {
    // Per round: this mode's cost less the same round's no-log cost.
    const added = per[mode].map((x, i) => x - per.none[i]);
    const m = median(added);
    console.log(`${setup.padEnd(6)} ${mode.padEnd(6)}: ${m.toFixed(1).padStart(5)} µs a line (rounds ${sorted(added).map((x) => x.toFixed(1)).join(' / ')}; the Worker without lines: ${none.toFixed(1)} µs per ${LINES}th of a request)`);
  }
}
const busy = loadavg()[0] > cpus().length * 0.5;
console.log(`${REQUESTS} requests × ${LINES} lines × ${ROUNDS} rounds per mode; load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} on ${cpus().length} cores${busy ? ' (BUSY machine: the rounds spread; read the medians as direction only)' : ''}`);
