// Node-side benches measure the gateway's own code: bundled from src/ (and bench/) as a Worker
// bundles it (workerd's conditions), then imported. One place for how, so every bench measures the same build.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { build } from 'esbuild';

/**
 * Bundles `exports` ({ 'src/routing/match': ['matchRoute'], … }: paths from the repository's root,
 * without extension) into one file and returns its path. `sourcemap`: inline source maps, for
 * profiles that name source files. @default false
 */
export async function bundleSource(exports, { sourcemap = false } = {}) {
  const root = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, Object.entries(exports).map(([file, names]) => `export { ${names.join(', ')} } from '${root}/${file}';`).join('\n'));
  const out = join(dir, 'bundle.mjs');
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser'],
    outfile: out,
    logLevel: 'error',
    ...(sourcemap ? { sourcemap: 'inline' } : {}),
  });
  return out;
}

/** {@link bundleSource}, imported. */
export async function loadSource(exports, options) {
  return import(pathToFileURL(await bundleSource(exports, options)).href);
}

/**
 * Bundles a Worker entry with wrangler's esbuild options (es2024, workerd's conditions, its
 * defines and externals) into `outfile`, for benches that run a Worker in workerd without
 * `wrangler deploy --dry-run` (bench/run.mjs uses that). `minify`, `keepNames` @default false;
 * `sourcemap`: esbuild's option. @default none
 */
export async function bundleWorker(entry, outfile, { minify = false, keepNames = false, sourcemap } = {}) {
  await build({
    entryPoints: [entry],
    absWorkingDir: process.cwd(),
    bundle: true,
    format: 'esm',
    target: 'es2024',
    conditions: ['workerd', 'worker', 'browser'],
    keepNames,
    minify,
    define: { 'process.env.NODE_ENV': '"production"', 'global.process.env.NODE_ENV': '"production"', 'globalThis.process.env.NODE_ENV': '"production"', 'navigator.userAgent': '"Cloudflare-Workers"' },
    external: ['__STATIC_CONTENT_MANIFEST', 'cloudflare:*', 'node:*'],
    ...(sourcemap ? { sourcemap } : {}),
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
