#!/usr/bin/env node
// `node bench/body-watch.mjs`: what watching the origin's body costs (src/proxy/body-watch.ts: the
// body piped through a native IdentityTransformStream or FixedLengthStream, so a failure mid-body
// is seen and logged), on a bare pass-through Worker in workerd, against the same Worker passing
// the body as it is. wrk on loopback, variants interleaved for BENCH_ROUNDS (3) rounds of
// BENCH_SECONDS (3) each, a 2-byte and a 64 KiB body. Prints requests/s and the ratio to "as is".
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startWorkerd } from './workerd.mjs';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'bench', '.build', 'body-watch');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

// The three ways, as src/proxy/forward.ts and body-watch.ts build the answer.
const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const up = await fetch(env.ORIGIN_URL + url.pathname);
    const mode = url.searchParams.get('m');
    if (mode === 'as-is') return new Response(up.body, up);
    const length = up.headers.get('content-length');
    const pipe = mode === 'fixed-length' && length ? new FixedLengthStream(Number(length)) : new IdentityTransformStream();
    up.body.pipeTo(pipe.writable).catch(() => undefined);
    return new Response(pipe.readable, up);
  },
};
`;

async function main() {
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'worker.js');
  writeFileSync(script, WORKER);
  const big = Buffer.alloc(64 * 1024, 120);
  const origin = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url.startsWith('/big') ? big : 'ok');
  });
  origin.keepAliveTimeout = 60_000;
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const w = await startWorkerd({ name: 'body-watch', scriptPath: script, bindings: { ORIGIN_URL: `http://127.0.0.1:${origin.address().port}` }, dir });
  // Asynchronous: the origin answers from this process's event loop.
  const rps = async (path) => Number(/Requests\/sec:\s+([\d.]+)/.exec((await run('wrk', ['-t1', '-c16', `-d${SECONDS}s`, `${w.url}${path}`])).stdout)[1]);
  const results = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const body of ['/small', '/big']) {
        for (const mode of ['as-is', 'identity', 'fixed-length']) (results[`${body} ${mode}`] ??= []).push(await rps(`${body}?m=${mode}`));
      }
    }
  } finally {
    await w.stop();
    origin.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [key, values] of Object.entries(results)) {
    const base = median(results[`${key.split(' ')[0]} as-is`]);
    console.log(`${key.padEnd(20)} ${values.map((v) => v.toFixed(0).padStart(6)).join(' ')}  median ${median(values).toFixed(0).padStart(6)} req/s  ×${(median(values) / base).toFixed(2)}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
