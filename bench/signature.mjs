#!/usr/bin/env node
// `node bench/signature.mjs`: what checking a first-seen session token's signature costs, next to
// its floor, in one run, interleaved over rounds: the floor (crypto.subtle.verify alone, on bytes
// decoded beforehand, key imported beforehand), the gateway's SignatureVerifier (src/auth/session/
// signature.ts: reading the JWS, the check, parsing the payload), and jose's compactVerify with the
// same imported key (what the verifier called before issue 22). Each token is verified once; the
// time is the process's CPU time.
// Node's V8 and BoringSSL-vs-OpenSSL differ from workerd: read the ratios, not the microseconds.
//   node bench/signature.mjs [--tokens 3000] [--rounds 7]
import { generateKeyPairSync, sign } from 'node:crypto';
import { cpus, loadavg } from 'node:os';

import { compactVerify, importSPKI } from 'jose';

import { loadSource } from './lib/load-source.mjs';

const arg = (name, fallback) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const N = arg('--tokens', 3000);
const ROUNDS = arg('--rounds', 7);
const { SignatureVerifier } = await loadSource({ 'src/auth/session/signature': ['SignatureVerifier'] });

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const now = Math.floor(Date.now() / 1000);
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'ins_bench' });
let minted = 0;
function mint() {
  const i = minted++;
  const input = `${header}.${b64({ sub: `user_${i}`, sid: `sess_${i}`, iss: 'https://clerk.bench.test', azp: 'https://gateway.bench', iat: now - 1, nbf: now - 1, exp: now + 3600, v: 2, sts: 'active', fva: [0, -1] })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
const key = await importSPKI(pem, 'RS256');
const encoder = new TextEncoder();
// Process CPU time (user + system, every thread: Node runs WebCrypto on its thread pool), in ms:
// less moved by other processes on the machine than wall time.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const variants = {
  floor: async (tokens) => {
    // Decoded before the clock starts: only the RSA check is timed.
    const inputs = tokens.map((t) => {
      const dot = t.lastIndexOf('.');
      return [encoder.encode(t.slice(0, dot)), Buffer.from(t.slice(dot + 1), 'base64url')];
    });
    const t0 = cpuMs();
    for (const [data, signature] of inputs) if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, signature, data))) throw new Error('floor: bad');
    return cpuMs() - t0;
  },
  verifier: async (tokens) => {
    const verifier = new SignatureVerifier({ kind: 'pem', pem });
    await verifier.verify(mint());
    const t0 = cpuMs();
    for (const t of tokens) if (!(await verifier.verified(t))?.payload) throw new Error('verifier: bad');
    return cpuMs() - t0;
  },
  jose: async (tokens) => {
    const decoder = new TextDecoder();
    const t0 = cpuMs();
    for (const t of tokens) {
      const { payload } = await compactVerify(t, () => key, { algorithms: ['RS256'] });
      if (!JSON.parse(decoder.decode(payload))) throw new Error('jose: bad');
    }
    return cpuMs() - t0;
  },
};

const us = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const load0 = loadavg()[0];
for (let round = 0; round < ROUNDS + 1; round++) {
  const names = Object.keys(variants);
  for (const name of round % 2 ? names.reverse() : names) {
    const tokens = Array.from({ length: N }, mint);
    const ms = await variants[name](tokens);
    // Round 0 warms up the JIT and is not counted.
    if (round > 0) us[name].push((ms * 1000) / N);
  }
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const spread = (xs) => (sorted(xs).at(-1) - sorted(xs)[0]) / median(xs);
const floor = median(us.floor);
for (const [name, xs] of Object.entries(us)) {
  console.log(`${name.padEnd(9)} ${median(xs).toFixed(1).padStart(6)} µs/token (spread ${(100 * spread(xs)).toFixed(0)} %), ${(median(xs) / floor).toFixed(2)} × the floor, +${(median(xs) - floor).toFixed(1)} µs`);
}
console.log(`${N} tokens × ${ROUNDS} rounds; ${cpus().length} × ${cpus()[0]?.model}; load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)}${loadavg()[0] > cpus().length * 0.5 ? ' (BUSY machine: compare ratios only)' : ''}`);
