#!/usr/bin/env node
// `npm run dev [-- wrangler dev options]`: the gateway in `wrangler dev`, with the project's
// routes.config.ts and the settings wrangler dev gives it (wrangler.toml [vars], .dev.vars).
//
// - Before starting: `check:routes --dev`. A setting the gateway cannot run without (such as
//   CLERK_SECRET_KEY) or an invalid routes.config.ts stops it here, with the fix.
// - While it runs: each save of routes.config.ts is checked the same way and its problems printed
//   (no stack trace). The Worker keeps serving through a bad edit: it answers 500
//   gateway_misconfigured, forwarding nothing, until the file is valid again (src/app.ts).
// - Quiet as `npm run demo`: no Request.cf download (offline, it printed stack traces), no
//   metrics or error-report prompt, and wrangler's own line per request is left out (the gateway
//   logs one JSON line per request itself, LOG_LEVEL).
import { spawn, spawnSync } from 'node:child_process';
import { watch } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './lib/project.mjs';

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const CHECK = join(ROOT, 'scripts', 'check-routes.mjs');
const quietEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLERK_TELEMETRY_DISABLED: process.env.CLERK_TELEMETRY_DISABLED ?? '1',
};

const first = spawnSync(process.execPath, [CHECK, '--dev'], { stdio: 'inherit', env: quietEnv });
if (first.status !== 0) {
  console.error('npm run dev: not started; fix the problems above (settings go in .dev.vars for wrangler dev).');
  process.exit(first.status ?? 1);
}

// Extra arguments go to wrangler dev as they are (`npm run dev -- --port 9000`).
const args = process.argv.slice(2);
// src/dev-worker.ts: the gateway of src/worker.ts, but with routes.config.ts loaded on the first
// request, so that a bad edit answers 500 instead of stopping wrangler.
const wrangler = spawn(process.execPath, [WRANGLER, 'dev', join('src', 'dev-worker.ts'), '--show-interactive-dev-session=false', ...args], { stdio: ['inherit', 'pipe', 'inherit'], env: quietEnv });
// wrangler's own line per request (`[wrangler:info] GET /path 200 OK (12ms)`) repeats the
// gateway's log line for the same request: left out; everything else passes through.
const WRANGLER_REQUEST_LINE = /^\[wrangler:info\] [A-Z]+ \S+ \d{3}\b/;
let pending = '';
wrangler.stdout.on('data', (chunk) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  const kept = lines.filter((line) => !WRANGLER_REQUEST_LINE.test(line.replace(/\x1b\[[0-9;]*m/g, '')));
  if (kept.length > 0) process.stdout.write(`${kept.join('\n')}\n`);
});
wrangler.stdout.on('end', () => pending && process.stdout.write(pending));

// Re-check routes.config.ts on every save (editors write in bursts: wait for the last event).
let timer;
let checking = false;
let again = false;
function recheck() {
  if (checking) {
    again = true;
    return;
  }
  checking = true;
  const child = spawn(process.execPath, [CHECK, '--dev'], { stdio: ['ignore', 'pipe', 'inherit'], env: quietEnv });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('close', (code) => {
    checking = false;
    if (code === 0) console.log('routes.config.ts changed: valid; the gateway uses it from the next request');
    else console.error('routes.config.ts changed: the gateway answers 500 (gateway_misconfigured), forwarding nothing, until these are fixed');
    if (again) {
      again = false;
      recheck();
    }
  });
}
const watcher = watch(ROOT, (_event, file) => {
  if (file !== 'routes.config.ts' && file !== '.dev.vars') return;
  clearTimeout(timer);
  timer = setTimeout(recheck, 150);
});

const stop = (signal) => {
  watcher.close();
  if (wrangler.exitCode === null) wrangler.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
wrangler.on('exit', (code, signal) => {
  watcher.close();
  clearTimeout(timer);
  process.exit(code ?? (signal ? 128 : 1));
});
