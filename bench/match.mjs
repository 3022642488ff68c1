#!/usr/bin/env node
// Matching cost by table size, in Node: matchRoute (indexed, src/routing/route-index.ts) next to a
// scan of every rule in file order (what firstMatch did before the index), on the tables of
// bench/workers/rules.ts. Both must pick the same rule for every path; the times are per
// matchRoute call, for proportions (Node's V8, not workerd).
//   node bench/match.mjs (CALLS=200000 node bench/match.mjs: calls per measurement)

import { loadSource } from './lib/load-source.mjs';

const CALLS = Number(process.env.CALLS) || 200_000;
const { defineConfig, matchRoute, routeIndex, rulesTable } = await loadSource({
  'src/config': ['defineConfig'],
  'src/routing/match': ['matchRoute'],
  'src/routing/route-index': ['routeIndex'],
  'bench/workers/rules': ['rulesTable'],
});

/** The scan of every rule that firstMatch was before the index. */
function scan(config, reading, method = 'GET', host = 'bench.test') {
  for (const route of config.routes) {
    if (route.methods && !route.methods.has(method)) continue;
    if (route.hosts && !route.hosts.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) && host.length > h.length - 1 : host === h))) continue;
    for (const regexp of route.regexps) if (regexp.test(reading)) return route;
  }
  return config.fallback;
}

const PATHS = ['/dashboard', '/about', '/tenant-1206/settings', '/api/v2/resource-1807/42', '/orgs/acme/project-1995/x', '/Dashboard/X'];
const target = { methods: ['GET'], host: 'bench.test' };

/** ns a call, over `calls` calls after a tenth as many to warm up. */
function time(fn, calls) {
  for (let i = 0; i < calls / 10; i++) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / calls;
}

const rows = [];
for (const count of [10, 2000]) {
  const t0 = process.hrtime.bigint();
  const config = defineConfig(rulesTable(count));
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  routeIndex(config);
  const indexMs = Number(process.hrtime.bigint() - t1) / 1e6;
  for (const path of PATHS) {
    // One reading meets one rule: the policy is that rule's own.
    if (matchRoute(config, path, target)?.rules[0] !== scan(config, path)) throw new Error(`${count} rules, ${path}: the index and the scan disagree`);
    const indexed = time(() => matchRoute(config, path, target), CALLS);
    // A scan of 2,000 rules takes a thousand times as long: fewer calls for the same precision.
    const scanned = time(() => scan(config, path), Math.ceil((CALLS * 10) / count));
    rows.push({ count, path, indexed, scanned, rule: scan(config, path)?.name ?? '(none: public)' });
  }
  console.log(`${count} rules: compiled in ${compileMs.toFixed(1)} ms, index built in ${indexMs.toFixed(2)} ms`);
}
console.log('\n| path | rule | scan 10 ns | scan 2,000 ns | scan 2,000÷10 | index 10 ns | index 2,000 ns | index 2,000÷10 |\n|---|---|---:|---:|---:|---:|---:|---:|');
for (const path of PATHS) {
  const [a, b] = [10, 2000].map((count) => rows.find((r) => r.count === count && r.path === path));
  console.log(`| ${path} | ${b.rule} | ${a.scanned.toFixed(0)} | ${b.scanned.toFixed(0)} | ${(b.scanned / a.scanned).toFixed(2)} | ${a.indexed.toFixed(0)} | ${b.indexed.toFixed(0)} | ${(b.indexed / a.indexed).toFixed(2)} |`);
}
