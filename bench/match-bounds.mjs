#!/usr/bin/env node
// Bounded matching cost (issue 17): what the gateway spends deciding on a path before any auth,
// canonicalizePath → pathReadings → matchRoute, at 10 and 2,000 rules that start with a parameter,
// for a normal path, the worst path of look-alike letters or escapes the gateway still matches
// (MAX_PATH_LENGTH), an ASCII path of the same length and shape, and a longer path (refused, 414).
// Times are Node's V8 (workerd runs the same engine), per request; every row is also given as a
// ratio against the baseline measured in the same run: the normal path at 10 rules.
//   node bench/match-bounds.mjs   (CALLS=2000 node bench/match-bounds.mjs: calls per long-path measurement)

import { loadSource } from './lib/load-source.mjs';

const CALLS = Number(process.env.CALLS) || 400;
const { defineConfig, matchRoute, pathReadings, canonicalizePath, MAX_PATH_LENGTH } = await loadSource({
  'src/config': ['defineConfig'],
  'src/routing/match': ['matchRoute'],
  'src/request/readings': ['pathReadings'],
  'src/request/canonicalize': ['canonicalizePath'],
  'src/config/limits': ['MAX_PATH_LENGTH'],
});

/** `count` rules, every one starting with a parameter: per-tenant areas, APIs, docs, projects, reports; one in a hundred with the parameter inside its segment (not indexable by segment). */
function paramTable(count) {
  const routes = [];
  for (let i = 0; i < count - 1; i++) {
    if (i % 100 === 99) {
      routes.push({ match: `/:slug-${i}(.*)`, protect: true });
      continue;
    }
    switch (i % 5) {
      case 0: routes.push({ match: `/:tenant/area-${i}/(.*)`, protect: true }); break;
      case 1: routes.push({ match: `/:tenant/api/v${(i % 3) + 1}/resource-${i}/:id`, protect: true, accept: ['session_token', 'api_key'] }); break;
      case 2: routes.push({ match: `/:lang/docs-${i}(.*)`, protect: false }); break;
      case 3: routes.push({ match: `/:org/project-${i}/(.*)`, protect: true }); break;
      default: routes.push({ match: `/:tenant/reports/${i}(.*)`, protect: true, methods: ['GET'] });
    }
  }
  routes.push({ match: '/:tenant/dashboard(.*)', protect: true });
  return defineConfig({ routes });
}

const target = { methods: ['GET'], host: 'bench.test' };

/** The gateway's matching work for one request path (as URL.pathname gives it). */
function decideOn(config, rawPath) {
  const canonical = canonicalizePath(rawPath);
  if (!canonical.ok) return canonical.code;
  return matchRoute(config, pathReadings(canonical.path), target);
}

/** µs per call: the least of 9 rounds of `calls` calls, after a warm-up round (other load on the machine only adds). */
function time(fn, calls) {
  const rounds = [];
  for (let r = 0; r < 10; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn();
    if (r > 0) rounds.push(Number(process.hrtime.bigint() - start) / calls / 1000);
  }
  return Math.min(...rounds);
}

// Paths of exactly `length` characters as received, in a few shapes: one long segment, a tenant
// then one long segment (reaches the parameter branch), and many short segments.
const pathname = (path) => new URL(`http://bench.test${path}`).pathname;
function fill(unit, length, prefix = '/') {
  let text = prefix;
  while (text.length + unit.length <= length) text += unit;
  return text;
}
const SHAPES = {
  'one segment': (unit, length) => fill(unit, length),
  'tenant + one segment': (unit, length) => fill(unit, length, '/acme/dashboard/'),
  'many segments': (unit, length) => fill(`${unit}${unit}/`, length),
};
// Fullwidth `ａ` (NFKC: `a`; 9 characters encoded), Kelvin `K` (folds to `k`), `ſ` (folds to `S`), and reserved escapes.
const LOOK_ALIKES = { fullwidth: pathname('/\uff41').slice(1), kelvin: pathname('/\u212a').slice(1), 'long s': pathname('/\u017f').slice(1), '%3F escapes': '%3F' };

const results = [];
let baseline;
for (const count of [10, 2000]) {
  const config = paramTable(count);
  const normal = time(() => decideOn(config, '/acme/dashboard/settings'), CALLS * 20);
  baseline ??= normal;
  results.push({ count, path: 'normal: /acme/dashboard/settings', us: normal });
  // Each look-alike path against the ASCII path of the same length and the same segments.
  let worst = { us: 0 };
  let worstRatio = { ratio: 0 };
  for (const [shape, make] of Object.entries(SHAPES)) {
    for (const [name, unit] of Object.entries(LOOK_ALIKES)) {
      const path = make(unit, MAX_PATH_LENGTH);
      const asciiPath = make('a'.repeat(unit.length), MAX_PATH_LENGTH);
      if (typeof decideOn(config, path) === 'string') throw new Error(`${name}, ${shape}: refused, but it is meant to be matched`);
      const us = time(() => decideOn(config, path), CALLS);
      const asciiUs = time(() => decideOn(config, asciiPath), CALLS);
      const row = { us, asciiUs, ratio: us / asciiUs, label: `${name}, ${shape}, ${path.length} chars, ${pathReadings(canonicalizePath(path).path).length} readings` };
      if (us > worst.us) worst = row;
      if (row.ratio > worstRatio.ratio) worstRatio = row;
    }
  }
  results.push({ count, path: `slowest: ${worst.label}`, us: worst.us });
  results.push({ count, path: `  its ASCII path of the same length and segments`, us: worst.asciiUs, lookAlikeRatio: worst.ratio });
  if (worstRatio !== worst) {
    results.push({ count, path: `highest ratio: ${worstRatio.label}`, us: worstRatio.us });
    results.push({ count, path: `  its ASCII path of the same length and segments`, us: worstRatio.asciiUs, lookAlikeRatio: worstRatio.ratio });
  }
  const tooLong = pathname(`/${'\uff41'.repeat(834)}`);
  results.push({ count, path: `refused: ${tooLong.length} chars of look-alikes (414 ${decideOn(config, tooLong)})`, us: time(() => decideOn(config, tooLong), CALLS * 20) });
}

console.log(`matching CPU per request (canonicalize + readings + match), Node ${process.version}; baseline = normal path at 10 rules = ${baseline.toFixed(1)} µs\n`);
console.log('| rules | path | µs | × baseline | look-alike ÷ ASCII |\n|---:|---|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.count} | ${r.path} | ${r.us.toFixed(1)} | ${(r.us / baseline).toFixed(1)} | ${r.lookAlikeRatio ? r.lookAlikeRatio.toFixed(2) : ''} |`);
}
const over = results.filter((r) => r.us > 1000);
console.log(over.length ? `\nOVER 1 ms: ${over.map((r) => `${r.count} rules, ${r.path}`).join('; ')}` : '\nevery request ≤ 1 ms of matching CPU');
