#!/usr/bin/env node
// `node bench/frontend-api-proxy.mjs`: what the gateway's Frontend API proxy costs
// (CLERK_FRONTEND_API_PROXY_PATH: @clerk/backend's clerkFrontendApiProxy under the Clerk deadline),
// next to a bare pass-through Worker forwarding the same request to the same fake Frontend API, to
// the library alone in a Worker (bench/workers/frontend-api-proxy.ts: what the gateway adds to it),
// and to that Frontend API called directly. Both Workers are bundled as `wrangler deploy --dry-run`
// builds them and run in workerd; wrk on loopback, variants interleaved for BENCH_ROUNDS (3) rounds
// of BENCH_SECONDS (3) each. Prints requests/s, mean latency and the ratio to the pass-through.
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startWorkerd } from './workerd.mjs';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'bench', '.build', 'frontend-api-proxy');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** Bundles a Worker as `wrangler deploy --dry-run` does; returns the script's path. */
function bundle(name, configPath) {
  const outdir = join(build, name);
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', configPath, '--outdir', outdir], { cwd: root, env: wranglerEnv, encoding: 'utf8' });
  return join(outdir, readdirSync(outdir).find((f) => f.endsWith('.js')));
}

// About what GET /v1/environment answers: a JSON document of a few KiB, with Clerk's headers.
const ENVIRONMENT = JSON.stringify({ object: 'environment', auth_config: { single_session_mode: true }, display_config: { application_name: 'bench', padding: 'x'.repeat(3000) } });

async function main() {
  const fapi = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'set-cookie': '__client_uat=0; Path=/' });
    res.end(ENVIRONMENT);
  });
  fapi.keepAliveTimeout = 60_000;
  await new Promise((resolve) => fapi.listen(0, '127.0.0.1', resolve));
  const fapiUrl = `http://127.0.0.1:${fapi.address().port}`;
  console.log('Bundling with wrangler deploy --dry-run…');
  const gateway = bundle('gateway', join(root, 'bench/workers/gateway.toml'));
  const passthrough = bundle('passthrough', join(root, 'bench/workers/passthrough.toml'));
  const library = bundle('library', join(root, 'bench/workers/frontend-api-proxy.toml'));
  const bindings = {
    ORIGIN_URL: 'http://127.0.0.1:9',
    CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
    CLERK_SECRET_KEY: 'sk_live_bench',
    CLERK_FRONTEND_API_PROXY_PATH: 'true',
    CLERK_FRONTEND_API_URL: fapiUrl,
    LOG_LEVEL: 'error',
  };
  const dir = join(build, 'workerd');
  const workers = {
    gateway: await startWorkerd({ name: 'fapi-gateway', scriptPath: gateway, bindings, dir }),
    passthrough: await startWorkerd({ name: 'fapi-passthrough', scriptPath: passthrough, bindings: { ORIGIN_URL: fapiUrl }, dir }),
    library: await startWorkerd({ name: 'fapi-library', scriptPath: library, bindings, dir }),
  };
  const variants = {
    direct: `${fapiUrl}/v1/environment?_clerk_js_version=5`,
    passthrough: `${workers.passthrough.url}/v1/environment?_clerk_js_version=5`,
    'library alone': `${workers.library.url}/__clerk/v1/environment?_clerk_js_version=5`,
    'gateway proxy': `${workers.gateway.url}/__clerk/v1/environment?_clerk_js_version=5`,
  };
  const results = {};
  try {
    // Warm-up, and a check that each variant answers the Frontend API's 200.
    for (const [name, url] of Object.entries(variants)) {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of Object.entries(variants)) {
        const out = (await run('wrk', ['-t1', '-c16', `-d${SECONDS}s`, '--latency', url])).stdout;
        const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
        const latency = /Latency\s+([\d.]+)(us|ms|s)/.exec(out);
        const ms = Number(latency[1]) * { us: 0.001, ms: 1, s: 1000 }[latency[2]];
        (results[name] ??= []).push({ rps, ms });
      }
    }
  } finally {
    await workers.gateway.stop();
    await workers.passthrough.stop();
    await workers.library.stop();
    fapi.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rpsOf = (name) => median(results[name].map((r) => r.rps));
  const msOf = (name) => median(results[name].map((r) => r.ms));
  for (const [name, rows] of Object.entries(results)) {
    const ratios = ['passthrough', 'library alone'].map((b) => `×${(rpsOf(name) / rpsOf(b)).toFixed(2)} of ${b}`).join(', ');
    console.log(`${name.padEnd(14)} ${rows.map((r) => r.rps.toFixed(0).padStart(6)).join(' ')}  median ${rpsOf(name).toFixed(0).padStart(6)} req/s (${ratios}), mean latency ${msOf(name).toFixed(2)} ms`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
