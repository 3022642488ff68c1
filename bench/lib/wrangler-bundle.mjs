// A bench Worker bundled exactly as `wrangler deploy --dry-run` builds it (bench/run.mjs,
// bench/instructions.mjs), today's or another revision's: one place for how, so every bench
// measures the same build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = join(root, 'bench', '.build');
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** Bundles the Worker of `configPath` into bench/.build/`name`; returns its path and sizes (KiB). */
export function wranglerBundle(name, configPath) {
  const outdir = join(build, name);
  // A bundle of another entry left here would be found first.
  rmSync(outdir, { recursive: true, force: true });
  const out = execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', configPath, '--outdir', outdir], {
    cwd: root,
    env: wranglerEnv,
    encoding: 'utf8',
  });
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  const script = readdirSync(outdir).find((f) => f.endsWith('.js'));
  return { scriptPath: join(outdir, script), kib: Number(size?.[1]), gzipKib: Number(size?.[2]) };
}

/**
 * The gateway as of git revision `rev`, bundled the same way with today's node_modules and the
 * bench's Worker config (the demo's routes); before demo/worker.ts, the root wrangler.toml served
 * them. Returns the short revision and the bundle.
 */
export function bundleRevision(rev) {
  const short = execFileSync('git', ['rev-parse', '--short', rev], { cwd: root, encoding: 'utf8' }).trim();
  const tree = join(build, `tree-${short}`);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(join(tree, 'bench/workers'), { recursive: true });
  execFileSync('bash', ['-c', `git archive ${short} | tar -x -C "${tree}"`], { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  const demoEntry = existsSync(join(tree, 'demo/worker.ts'));
  if (demoEntry) copyFileSync(join(root, 'bench/workers/gateway.toml'), join(tree, 'bench/workers/gateway.toml'));
  return { rev: short, bundle: wranglerBundle(`gateway-${short}`, join(tree, demoEntry ? 'bench/workers/gateway.toml' : 'wrangler.toml')) };
}
