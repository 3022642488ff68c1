// The gateway self-hosted on workerd (no Cloudflare): the bundle `wrangler deploy` would upload
// (`wrangler deploy --dry-run`), and a workerd config that serves it with every setting of
// src/env.ts read from the process environment (`fromEnvironment`). Used by `npm run build`,
// `npm run serve`, `npm run demo -- --workerd` and the forward-auth recipes in test/origins.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

import { ROOT } from './project.mjs';
import { settings } from './doc-names.mjs';
import { repository } from './ts-source.mjs';

const require = createRequire(import.meta.url);
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const QUIET = { WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
// A binding of another kind than a variable: Workers Analytics Engine has no workerd counterpart.
const NOT_VARIABLES = new Set(['GATEWAY_METRICS']);

/** The workerd binary that comes with wrangler (npm package `workerd`). */
export function workerdBinary() {
  const found = require('workerd');
  return found.default ?? found;
}

/** The settings the Worker reads (`interface Env` of src/env.ts), variables only. */
export function settingNames() {
  return settings(repository(ROOT), 'src/env.ts').map((s) => s.name).filter((name) => !NOT_VARIABLES.has(name));
}

function compatibilityDate() {
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))?.[1];
  if (!date) throw new Error('wrangler.toml has no compatibility_date = "YYYY-MM-DD" line');
  return date;
}

const text = (s) => JSON.stringify(s);

/**
 * workerd's config for the bundle `script` (a file name next to the config): one HTTP socket
 * (`http`, default `*:8080`; `workerd serve … --socket-addr http=127.0.0.1:9000` moves it), each
 * setting from the environment variable of its name (unset: unset), outbound fetches to any
 * address (the origin is often on a private network or loopback), and any `CF-Connecting-IP` a
 * client sends removed: without Cloudflare in front nobody vouches for it, so no `X-Forwarded-For`
 * is passed on unless a proxy you run sets it (see README, "Self-hosted on workerd").
 */
export function workerdConfig({ script = 'index.js', names = settingNames(), address = '*:8080' } = {}) {
  const bindings = names.map((name) => `    (name = ${text(name)}, fromEnvironment = ${text(name)}),`).join('\n');
  return `# edge-auth-gateway on workerd, without Cloudflare: written by \`npm run build\` (scripts/lib/self-hosted.mjs).
#   workerd serve dist/workerd.capnp                       # listens on *:8080
#   workerd serve dist/workerd.capnp --socket-addr http=127.0.0.1:9000
# Every setting comes from the environment variable of its name (README, "Settings").
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gateway),
    (name = "network", network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true))),
  ],
  sockets = [
    (name = "http", address = ${text(address)}, service = "gateway",
     # Behind a TLS-terminating proxy you run, add: forwardedProtoHeader = "X-Forwarded-Proto",
     http = (injectRequestHeaders = [(name = "CF-Connecting-IP", value = "")])),
  ],
);

const gateway :Workerd.Worker = (
  modules = [(name = ${text(script)}, esModule = embed ${text(script)})],
  compatibilityDate = ${text(compatibilityDate())},
  bindings = [
${bindings}
  ],
  globalOutbound = "network",
);
`;
}

/**
 * Bundles `entry` (default: wrangler.toml's `main`) as \`wrangler deploy\` would into `outdir`, and
 * writes `workerd.capnp` beside it. Returns the paths.
 */
export function buildSelfHosted({ entry, outdir = join(ROOT, 'dist') } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  execFileSync(process.execPath, [WRANGLER, 'deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', outdir], {
    cwd: ROOT,
    // As a deploy builds it: under vitest NODE_ENV is "test", which wrangler would bake in, and
    // @clerk/backend then calls `fetch` unbound (workerd: "Illegal invocation") on every Backend API call.
    env: { ...process.env, ...QUIET, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const script = readdirSync(outdir).find((f) => f.endsWith('.js'));
  if (!script) throw new Error(`wrangler deploy --dry-run wrote no .js into ${relative(ROOT, outdir)}`);
  const config = join(outdir, 'workerd.capnp');
  writeFileSync(config, workerdConfig({ script }));
  return { outdir, script: join(outdir, script), config };
}

/**
 * Starts `workerd serve config` on `address` (host:port) with `env` as its whole environment
 * (plus PATH), in a process group of its own. Resolves with the child once workerd listens.
 */
export function serveWorkerd({ config, address, env, stdio = ['ignore', 'inherit', 'inherit'] }) {
  const child = spawn(workerdBinary(), ['serve', config, '--socket-addr', `http=${address}`, '--control-fd=3'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: [...stdio, 'pipe'],
    detached: process.platform !== 'win32',
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`workerd exited with ${code} before it listened`)));
    child.stdio[3].on('data', (chunk) => {
      buffered += chunk;
      if (buffered.split('\n').some((line) => line.includes('"event":"listen"'))) resolve(child);
    });
  });
}
