#!/usr/bin/env node
// What widening unlisted methods costs (issue 17): planRoute for a PATCH, which no rule of
// bench/workers/rules.ts names and which is now matched as every method, next to the same
// PATCH matched as itself (the baseline: what the gateway did before), a GET and a POST (matched
// as every method since before), at 10 and 2,000 rules, in the same run. Times per call, Node's V8.
//   node bench/methods.mjs (CALLS=100000 node bench/methods.mjs: calls per measurement)

import { loadSource } from './lib/load-source.mjs';

const CALLS = Number(process.env.CALLS) || 100_000;
const { defineConfig, matchRoute, planRoute, methodReadings, rulesTable } = await loadSource({
  'src/config': ['defineConfig'],
  'src/routing/match': ['matchRoute'],
  'src/routing/route-plan': ['planRoute'],
  'src/request/methods': ['methodReadings'],
  'bench/workers/rules': ['rulesTable'],
});

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
