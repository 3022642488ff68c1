#!/usr/bin/env node
// `node bench/signature.mjs`: what checking a first-seen session token's signature costs inside
// workerd, next to its floor, in one run: the isolate verifies TOKENS fresh tokens a request in
// one of these modes, interleaved over rounds, and the workerd process's CPU per token, less the
// same request doing no check, is the mode's cost:
// - `floor`: crypto.subtle.verify alone, on bytes decoded in a request before (the RSA-2048 check);
// - `verifier`: the gateway's SignatureVerifier (src/auth/session/signature.ts): reading the JWS,
//   the check, parsing the payload;
// - `verifier@<rev>`: the SignatureVerifier of another revision (BENCH_AGAINST, default main), in
//   the same isolate: jose's compactVerify before issue 22;
// - `jose`: jose's compactVerify with the same imported key, for reference.
// Every check is a first-seen one (no verifier keeps valid tokens). Reported: the median over rounds and
// the spread ((max − min) ÷ median); a busy machine is flagged.
//   node bench/signature.mjs [--tokens 1000] [--requests 20] [--rounds 5]
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Miniflare } from 'miniflare';

import { bundleWorker } from './lib/load-source.mjs';
import { cpuOf, ownWorkerdPids } from './lib/workerd-cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const TOKENS = arg('--tokens', 1000);
const REQUESTS = arg('--requests', 20);
const ROUNDS = arg('--rounds', 5);
const AGAINST = process.env.BENCH_AGAINST ?? 'main';

// That revision's src/, beside today's node_modules.
const rev = execFileSync('git', ['rev-parse', '--short', AGAINST], { cwd: root, encoding: 'utf8' }).trim();
const tree = mkdtempSync(join(tmpdir(), 'gateway-signature-'));
execFileSync('bash', ['-c', `git archive ${rev} src | tar -x -C "${tree}"`], { cwd: root });
symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const now = Math.floor(Date.now() / 1000);
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'ins_bench' });
let minted = 0;
function mint() {
  const i = minted++;
  const input = `${header}.${b64({ azp: 'https://gateway.bench', exp: now + 3600, fva: [0, -1], iat: now - 1, iss: 'https://clerk.bench.test', nbf: now - 1, sid: `sess_${i}`, sts: 'active', sub: `user_${i}`, v: 2 })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

const source = `import { SignatureVerifier } from '${root}/src/auth/session/signature';
import { SignatureVerifier as ThenVerifier } from '${tree}/src/auth/session/signature';
import { compactVerify, importSPKI } from 'jose';
const PEM = ${JSON.stringify(pem)};
const verifier = new SignatureVerifier({ kind: 'pem', pem: PEM });
const then = new ThenVerifier({ kind: 'pem', pem: PEM });
const key = importSPKI(PEM, 'RS256');
const benchEncoder = new TextEncoder();
const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
let prepared = [];
const benchDecoder = new TextDecoder();
export default {
  async fetch(request) {
    const mode = new URL(request.url).pathname.slice(1);
    const tokens = await request.json();
    const k = await key;
    if (mode === 'prepare') {
      // The floor's input, decoded in a request of its own.
      prepared = tokens.map((t) => [benchEncoder.encode(t.slice(0, t.lastIndexOf('.'))), bytes(t.slice(t.lastIndexOf('.') + 1))]);
      return new Response('ok');
    }
    let ok = 0;
    if (mode === 'floor') for (const [data, sig] of prepared) ok += (await crypto.subtle.verify('RSASSA-PKCS1-v1_5', k, sig, data)) ? 1 : 0;
    if (mode === 'verifier') for (const t of tokens) ok += (await verifier.verified(t))?.payload ? 1 : 0;
    if (mode === 'then') for (const t of tokens) ok += (await then.verified(t))?.payload ? 1 : 0;
    if (mode === 'jose') for (const t of tokens) ok += JSON.parse(benchDecoder.decode((await compactVerify(t, k, { algorithms: ['RS256'] })).payload)) ? 1 : 0;
    if (mode !== 'none' && ok !== tokens.length) return new Response(mode + ': ' + ok + ' of ' + tokens.length, { status: 500 });
    return new Response('ok');
  },
};`;
const entry = join(tree, 'worker.ts');
writeFileSync(entry, source);
const out = join(tree, 'worker.mjs');
await bundleWorker(entry, out);
const script = readFileSync(out, 'utf8');

const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-26', port: 0, host: '127.0.0.1' });
const url = (await mf.ready).href.replace(/\/$/, '');
const cpu = cpuOf(ownWorkerdPids());

async function post(mode, tokens) {
  const res = await fetch(`${url}/${mode}`, { method: 'POST', body: JSON.stringify(tokens) });
  if (!res.ok) throw new Error(await res.text());
  await res.arrayBuffer();
}
// One pool of distinct tokens, checked again by every mode and round: no verifier keeps a valid
// token (only SignatureVerifier's rejected ones), so each check is a first-seen check.
const pool = Array.from({ length: TOKENS }, mint);
await post('prepare', pool);
/** CPU µs per token of one mode over REQUESTS requests of the pool. */
async function run(mode) {
  const c0 = cpu();
  for (let i = 0; i < REQUESTS; i++) await post(mode, pool);
  return ((cpu() - c0) * 1e6) / (REQUESTS * TOKENS);
}

const modes = ['none', 'floor', 'verifier', 'then', 'jose'];
const load0 = loadavg()[0];
for (const mode of modes) await run(mode);
const per = Object.fromEntries(modes.map((m) => [m, []]));
for (let round = 0; round < ROUNDS; round++) for (const mode of round % 2 ? [...modes].reverse() : modes) per[mode].push(await run(mode));
await mf.dispose();
rmSync(tree, { recursive: true, force: true });

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const added = Object.fromEntries(modes.filter((m) => m !== 'none').map((m) => [m, per[m].map((x, i) => x - per.none[i])]));
const floor = median(added.floor);
const names = { floor: 'floor (subtle.verify alone)', verifier: 'SignatureVerifier', then: `SignatureVerifier at ${rev}`, jose: 'jose compactVerify' };
for (const [mode, xs] of Object.entries(added)) {
  const m = median(xs);
  console.log(`${names[mode].padEnd(30)} ${m.toFixed(1).padStart(6)} µs a token (spread ${((100 * (Math.max(...xs) - Math.min(...xs))) / m).toFixed(0)} %), ${(m / floor).toFixed(2)} × the floor, +${(m - floor).toFixed(1)} µs`);
}
const busy = loadavg()[0] > cpus().length * 0.5;
console.log(`${REQUESTS} requests × ${TOKENS} tokens × ${ROUNDS} rounds per mode in workerd (Miniflare); ${cpus().length} × ${cpus()[0]?.model}; load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}${busy ? ' (BUSY machine: the spread is wide; compare medians only)' : ''}`);
