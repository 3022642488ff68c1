#!/usr/bin/env node
// Where a request's CPU goes, in Node (real timers, V8's CPU profiler), for what workerd cannot
// show (its clock stands still while JavaScript runs). The gateway's request path (src/gateway.ts,
// bundled as is) answers N requests against an origin stub that returns at once: a public route,
// a token seen before, a first-seen token; then the same first-seen run under the profiler, with
// self time summed per function and per source file. Node's V8 is not workerd's, so read it for
// proportions, not for absolute microseconds.
//   node bench/profile.mjs [--requests 4000] [--profile first-seen|public|seen]
import { generateKeyPairSync, sign } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

import { bundleSource } from './lib/load-source.mjs';

const N = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 4000;
const out = await bundleSource({ 'src/gateway': ['handleRequest'], 'src/config': ['defineConfig'] }, { sourcemap: true });
const { handleRequest, defineConfig } = await import(pathToFileURL(out).href);
// workerd's identity stream (src/proxy/body-watch.ts), which Node lacks: a TransformStream that passes bytes through is the same here.
globalThis.IdentityTransformStream ??= TransformStream;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PARTY = 'https://gateway.bench';
const now = Math.floor(Date.now() / 1000);
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'ins_bench' });
function mint(i) {
  const input = `${header}.${b64({ sub: `user_${i}`, sid: `sess_${i}`, iss: 'https://clerk.bench.test', azp: PARTY, iat: now - 1, nbf: now - 1, exp: now + 3600, v: 2, sts: 'active' })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
const tokens = Array.from({ length: N * 2 + 10 }, (_, i) => mint(i));
const env = {
  ORIGIN_URL: 'http://origin.bench',
  CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
  CLERK_SECRET_KEY: 'sk_live_bench',
  CLERK_JWT_KEY: pem.replace(/\n/g, ''),
  CLERK_AUTHORIZED_PARTIES: PARTY,
  LOG_LEVEL: 'error',
};
const config = defineConfig({ routes: [{ match: '/dashboard(.*)', protect: true }] });
const origin = async () => new Response('ok', { headers: { 'content-type': 'text/plain' } });
const send = (path, token) =>
  handleRequest(new Request(`${PARTY}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}), env, { config, fetch: origin });

async function timed(label, make) {
  for (let i = 0; i < 200; i++) await make(i, true);
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const res = await make(i, false);
    if (res.status !== 200) throw new Error(`${label}: ${res.status} ${await res.text()}`);
  }
  const us = Number(process.hrtime.bigint() - start) / 1000 / N;
  console.log(`${label.padEnd(28)} ${us.toFixed(1)} µs a request`);
  return us;
}

let next = 10;
const passthrough = await timed('origin stub alone', () => origin());
const publicUs = await timed('gateway, public route', () => send('/about'));
const hitUs = await timed('gateway, token seen before', () => send('/dashboard', tokens[0]));
const firstUs = await timed('gateway, first-seen token', () => send('/dashboard', tokens[next++]));
console.log(`added: public ${(publicUs - passthrough).toFixed(1)} µs, seen before ${(hitUs - passthrough).toFixed(1)} µs, first-seen ${(firstUs - passthrough).toFixed(1)} µs`);

// One path under the profiler (first-seen by default): self time per function and per source file.
const profiled = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : 'first-seen';
const run = { 'first-seen': () => send('/dashboard', tokens[next++]), public: () => send('/about'), seen: () => send('/dashboard', tokens[0]) }[profiled];
if (!run) throw new Error('--profile takes first-seen, public or seen');
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
for (let i = 0; i < N; i++) await run();
const { profile } = await session.post('Profiler.stop');
const dt = new Map(profile.nodes.map((n) => [n.id, 0]));
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
const byFunction = new Map();
const byFile = new Map();
let total = 0;
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0;
  total += t;
  const { functionName, url, lineNumber } = node.callFrame;
  const fn = `${functionName || '(anonymous)'} ${url ? `${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
}
// Map bundle lines back to source files through esbuild's `// src/...` markers.
const { readFileSync } = await import('node:fs');
const lines = readFileSync(out, 'utf8').split('\n');
const fileAt = [];
let current = '(runtime)';
for (const line of lines) {
  const m = /^\/\/ (.+\.(?:ts|js|mjs))$/.exec(line);
  if (m) current = m[1];
  fileAt.push(current);
}
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0;
  const { url, lineNumber } = node.callFrame;
  const file = url.endsWith(out.split('/').pop()) ? fileAt[lineNumber] ?? '?' : url ? `(node) ${url.split('/').pop()}` : node.callFrame.functionName || '(native)';
  byFile.set(file, (byFile.get(file) ?? 0) + t);
}
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${((v / total) * 100).toFixed(1).padStart(5)} %  ${(v / N).toFixed(1).padStart(6)} µs  ${k}`).join('\n');
console.log(`\n${profiled} requests under the profiler (${N}), self time by source file:\n${top(byFile, 18)}`);
console.log(`\nby function:\n${top(byFunction, 18)}`);
