// A bench Worker bundled exactly as `wrangler deploy --dry-run` builds it (bench/run.mjs,
// bench/instructions.mjs): one place for how, so every bench measures the same build.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
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
