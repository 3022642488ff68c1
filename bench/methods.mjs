#!/usr/bin/env node
// What widening unlisted methods costs (issue 17): planRoute for a PATCH, which no rule of
// bench/workers/rules.ts names and which is now matched as every method, next to the same
// PATCH matched as itself (the baseline: what the gateway did before), a GET and a POST (matched
// as every method since before), at 10 and 2,000 rules, in the same run. Times per call, Node's V8.
//   node bench/methods.mjs (CALLS=100000 node bench/methods.mjs: calls per measurement)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const CALLS = Number(process.env.CALLS) || 100_000;
const dir = mkdtempSync(join(tmpdir(), 'gateway-methods-'));
const entry = join(dir, 'entry.ts');
const root = process.cwd();
writeFileSync(
  entry,
  [
    `export { defineConfig } from '${root}/src/config';`,
    `export { matchRoute } from '${root}/src/routing/match';`,
    `export { planRoute } from '${root}/src/routing/route-plan';`,
    `export { methodReadings } from '${root}/src/request/methods';`,
    `export { rulesTable } from '${root}/bench/workers/rules';`,
  ].join('\n'),
);
const out = join(dir, 'methods.mjs');
await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], conditions: ['worker', 'browser'], outfile: out, logLevel: 'error' });
const { defineConfig, matchRoute, planRoute, methodReadings, rulesTable } = await import(pathToFileURL(out).href);

function time(fn, calls) {
  for (let i = 0; i < calls / 10; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / calls;
}

const PATHS = ['/dashboard', '/api/v2/resource-1805/42', '/reports/7/x'];
const headers = new Headers();
const search = new URLSearchParams();
console.log('rules  path                        PATCH before  PATCH now  ratio   GET now   POST now');
for (const count of [10, 2000]) {
  const config = defineConfig(rulesTable(count));
  for (const path of PATHS) {
    // The facts readRequest reads, as matching takes them.
    const input = (method) => ({ facts: { method, headers, readings: [path], methods: methodReadings(method, headers, search), preflight: false }, host: 'bench.test' });
    const before = time(() => matchRoute(config, [path], { method: 'PATCH', methods: ['PATCH'], host: 'bench.test' }), CALLS);
    const patch = time(() => planRoute(config, input('PATCH')), CALLS);
    const get = time(() => planRoute(config, input('GET')), CALLS);
    const post = time(() => planRoute(config, input('POST')), CALLS);
    console.log(
      `${String(count).padEnd(6)} ${path.padEnd(27)} ${`${(before / 1000).toFixed(2)} µs`.padStart(12)} ${`${(patch / 1000).toFixed(2)} µs`.padStart(10)} ${`${(patch / before).toFixed(1)}×`.padStart(6)} ${`${(get / 1000).toFixed(2)} µs`.padStart(9)} ${`${(post / 1000).toFixed(2)} µs`.padStart(10)}`,
    );
  }
}
