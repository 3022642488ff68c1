#!/usr/bin/env node
// `node bench/clerk-faults.mjs [tree]`: the before/after figures of issue 16 (Clerk side). Copies
// test/faults/clerk-measure.ts (and this tree's fault-capable test/servers.ts) into `tree`
// (default: this one), runs it there in workerd, prints its MEASURE lines, and removes the copy.
// Point `tree` at an export of an older commit (with node_modules linked) to measure "before".
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tree = resolve(process.argv[2] ?? here);
const target = join(tree, 'test/faults/_clerk-measure.test.ts');
execFileSync('mkdir', ['-p', join(tree, 'test/faults')]);
copyFileSync(join(here, 'test/faults/clerk-measure.ts'), target);
if (tree !== here) copyFileSync(join(here, 'test/servers.ts'), join(tree, 'test/servers.ts'));
try {
  const out = execFileSync('npx', ['vitest', 'run', 'test/faults/_clerk-measure.test.ts'], {
    cwd: tree,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of out.split('\n')) if (line.includes('MEASURE ')) console.log(line.slice(line.indexOf('MEASURE ') + 8));
} catch (error) {
  const out = String(error.stdout ?? '');
  for (const line of out.split('\n')) if (line.includes('MEASURE ')) console.log(line.slice(line.indexOf('MEASURE ') + 8));
  console.error(out.split('\n').slice(-40).join('\n'));
  process.exitCode = 1;
} finally {
  if (existsSync(target)) rmSync(target);
}
