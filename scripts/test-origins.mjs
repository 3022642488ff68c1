#!/usr/bin/env node
// `npm run test:origins`: the origins conformance suite (test/origins) against every framework:
// the Node ones (also part of `npm test`) and Flask, Django, `php -S`, php-fpm behind nginx and
// behind Caddy. Installs the Debian packages those need when missing (apt-get update once, then
// apt-get install -y), skips what cannot be installed or started and says so, runs vitest on
// test/origins, and prints per-framework counts: requests sent, protected handlers run without a
// session (must be 0) and spoofed values believed (must be 0), and which apps ran the identity
// assertion's verifiers (verifiers/: Express, Flask, Django, PHP; test/origins/verifiers.test.ts),
// and the whole-app guards (Express app.use, Flask before_request, Django middleware, PHP
// auto_prepend_file, Rack/Sinatra/Rails middleware; test/origins/whole-app.test.ts), which are
// also what docs/cookbook.md's recipes configure; and forward auth (test/origins/forward-auth.test.ts,
// docs/forward-auth.md): nginx auth_request and Caddy forward_auth in front of php-fpm asking the
// gateway self-hosted on workerd, with the same corpus sent to the proxy (rows forward-auth-*).
// Traefik is not packaged in Debian: its row says so.
//
// Options: --no-install (use what is present), ORIGINS_KEEP_LOGS=1 (keep the servers' logs),
// extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const noInstall = args.includes('--no-install');
const vitestArgs = args.filter((a) => a !== '--no-install');

/** Debian packages and the origins that need them. */
const PACKAGES = [
  ['php-cli', 'php-builtin'],
  ['php-fpm', 'php-fpm-nginx, php-fpm-caddy, forward-auth-nginx, forward-auth-caddy'],
  ['nginx-light', 'php-fpm-nginx, forward-auth-nginx'],
  ['caddy', 'php-fpm-caddy, forward-auth-caddy'],
  ['python3-flask', 'flask'],
  ['python3-django', 'django'],
  // The Python identity-assertion verifier (verifiers/python, test/origins/verifiers.test.ts).
  ['python3-jwt', 'the flask and django verifier tests'],
  ['python3-cryptography', 'the flask and django verifier tests'],
  // The Ruby verifier (verifiers/ruby) in Rack, Sinatra and Rails apps on Puma (test/origins/whole-app.test.ts).
  ['ruby', 'rack-whole, sinatra-whole, rails-whole'],
  ['ruby-jwt', 'rack-whole, sinatra-whole, rails-whole'],
  ['ruby-rack', 'rack-whole'],
  ['puma', 'rack-whole, sinatra-whole, rails-whole'],
  ['ruby-sinatra', 'sinatra-whole'],
  ['ruby-railties', 'rails-whole'],
];

const say = (line) => console.log(`[test:origins] ${line}`);

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function run(command, commandArgs, options = {}) {
  const r = spawnSync(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

function installPackages() {
  const hasDpkg = run('sh', ['-c', 'command -v dpkg-query && command -v apt-get']).ok;
  if (!hasDpkg) {
    say('no dpkg/apt-get here: not installing anything; origins whose programs are missing are skipped');
    return;
  }
  const missing = PACKAGES.filter(([pkg]) => !installed(pkg));
  if (missing.length === 0) {
    say(`Debian packages present: ${PACKAGES.map(([p]) => p).join(', ')}`);
    return;
  }
  const names = missing.map(([p]) => p);
  if (noInstall) {
    say(`--no-install: not installing ${names.join(', ')}; the origins needing them are skipped if their programs are missing`);
    return;
  }
  if (process.getuid?.() !== 0) {
    say(`not root: cannot install ${names.join(', ')}`);
    for (const [pkg, origins] of missing) say(`  SKIP ${origins}: needs ${pkg} (as root: apt-get install -y ${pkg})`);
    return;
  }
  // Keep the packages' own services (nginx on :80, php-fpm, caddy) from starting at install: the
  // suite runs its own, on 127.0.0.1 only. Only when the system has no policy of its own.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    writeFileSync(policy, '#!/bin/sh\n# written by scripts/test-origins.mjs for the duration of apt-get install\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    say('apt-get update');
    const update = run('apt-get', ['update'], { env });
    if (!update.ok) say(`apt-get update failed (continuing with the package lists present):\n${update.output.trim().split('\n').slice(-5).join('\n')}`);
    say(`apt-get install -y ${names.join(' ')}`);
    const all = run('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env });
    if (!all.ok) {
      // Install what can be installed, one by one, and name what could not.
      say(`apt-get install failed as a whole; trying each package:\n${all.output.trim().split('\n').slice(-5).join('\n')}`);
      for (const [pkg, origins] of missing) {
        const one = run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env });
        if (!one.ok) say(`  SKIP ${origins}: apt-get install ${pkg} failed: ${one.output.trim().split('\n').slice(-1)[0]}`);
      }
    }
  } finally {
    if (ownPolicy) unlinkSync(policy);
  }
}

function summarize(file) {
  let summary;
  try {
    summary = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    say('no summary was written (did vitest start?)');
    return;
  }
  const rows = new Map();
  for (const r of summary.reports) {
    const row = rows.get(r.framework) ?? { sent: 0, reached: 0, protectedHits: 0, spoofed: 0, byClass: {} };
    row.sent += r.sent;
    row.reached += r.reached;
    row.protectedHits += r.protectedHits;
    row.spoofed += r.spoofed;
    row.byClass[r.cls] = r.failures;
    rows.set(r.framework, row);
  }
  // The classes as the corpus has them (test/origins/corpus.ts), from what was reported.
  const classIds = [...new Set(summary.reports.map((r) => r.cls))].sort((a, b) => a - b);
  const pad = (s, n) => String(s).padEnd(n);
  const num = (s, n) => String(s).padStart(n);
  console.log('');
  console.log('Origins conformance summary: requests sent, answered by a framework handler, protected handlers run without a session');
  console.log('(must be 0), spoofed values believed (must be 0), and failing requests per class (must be 0)');
  console.log(`${pad('framework', 21)}${num('sent', 6)}${num('reached', 11)}${num('protected hits', 16)}${num('spoofed', 9)}   ${classIds.map((c) => num(`c${c}`, 4)).join('')}   origin`);
  for (const [name, origin] of Object.entries(summary.origins)) {
    if (origin.kind === 'whole-app') continue;
    const row = rows.get(name);
    if (origin.port === undefined) {
      console.log(`${pad(name, 21)}${num('-', 6)}${num('-', 11)}${num('-', 16)}${num('-', 9)}   ${'   -'.repeat(classIds.length)}   SKIPPED: ${origin.skipped}`);
    } else if (!row) {
      console.log(`${pad(name, 21)}${num(0, 6)}${num('-', 11)}${num('-', 16)}${num('-', 9)}   ${'   -'.repeat(classIds.length)}   not run (filtered out?)`);
    } else {
      const classes = classIds.map((c) => num(row.byClass[c] ?? '-', 4)).join('');
      console.log(`${pad(name, 21)}${num(row.sent, 6)}${num(row.reached, 11)}${num(row.protectedHits, 16)}${num(row.spoofed, 9)}   ${classes}   ${origin.detail ?? origin.kind}`);
    }
  }
  // The identity-assertion verifiers (verifiers/, test/origins/verifiers.test.ts): which apps ran them.
  const verifiers = Object.entries(summary.origins).filter(([, origin]) => origin.verifier !== undefined || origin.kind === 'external');
  console.log('');
  console.log('Identity-assertion verifiers (test/origins/verifiers.test.ts; the results are in the vitest output above):');
  for (const [name, origin] of verifiers) {
    const state = origin.port === undefined ? `SKIPPED: ${origin.skipped}` : origin.verifier === 'ok' ? 'ran' : `SKIPPED: ${origin.verifier ?? 'no verifier'}`;
    console.log(`  ${pad(name, 21)}${state}`);
  }
  const whole = Object.entries(summary.origins).filter(([, origin]) => origin.kind === 'whole-app');
  console.log('');
  console.log('Whole-app guards (test/origins/whole-app.test.ts, docs/cookbook.md; the results are in the vitest output above):');
  for (const [name, origin] of whole) console.log(`  ${pad(name, 22)}${origin.port === undefined ? `SKIPPED: ${origin.skipped}` : `ran: ${origin.detail}`}`);
  if (summary.logs) console.log(`servers' logs: ${summary.logs}`);
}

installPackages();

const dir = mkdtempSync(join(tmpdir(), 'origins-summary-'));
const summaryFile = join(dir, 'summary.json');
const vitest = spawnSync(join(ROOT, 'node_modules', '.bin', 'vitest'), ['run', 'test/origins', ...vitestArgs], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    ORIGINS_EXTERNAL: '1',
    ORIGINS_SUMMARY_FILE: summaryFile,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  },
});
summarize(summaryFile);
rmSync(dir, { recursive: true, force: true });
process.exit(vitest.status ?? 1);
