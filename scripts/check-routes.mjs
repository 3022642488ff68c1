#!/usr/bin/env node
// `npm run check:routes`: load routes.config.ts the way the Worker does at start and report every
// problem, so `npm run deploy` refuses an invalid config before anything is uploaded.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'routes-check-'));
try {
  const out = await build({ entryPoints: ['routes.config.ts'], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error' });
  const file = join(dir, 'routes.mjs');
  writeFileSync(file, out.outputFiles[0].text);
  const { default: config } = await import(pathToFileURL(file).href);
  console.log(`routes.config.ts: ${config.routes.length} route(s), valid`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
