// Session tokens for the benchmark: thousands of distinct, valid ones (each a different user and
// session), so a variant can show every request a token its isolate has never seen.
//
// RS256 with node:crypto directly (about 0.2 ms a signature), on one worker thread per core. The
// same claims and protected header as scripts/lib/session-token.mjs (jose), byte for byte in
// order; minted tokens live a day and are kept under bench/.build with their key, so a later run
// within 12 hours mints none (`BENCH_FRESH_TOKENS=1` mints anew).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

import { sessionClaims } from '../scripts/lib/session-token.mjs';

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact RS256 JWS of the claims for token number `i`, as mintSessionToken would produce it. */
function mintOne(i, { key, kid, issuer, azp, now, lifetime, prefix }) {
  const header = b64url({ alg: 'RS256', typ: 'JWT', kid });
  const payload = b64url(sessionClaims({ sub: `user_${prefix}${i}`, sid: `sess_${prefix}${i}`, issuer, azp, now, lifetime }));
  const input = `${header}.${payload}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

if (!isMainThread) {
  const { pkcs8, from, to, claims } = workerData;
  const key = createPrivateKey(pkcs8);
  const out = [];
  for (let i = from; i < to; i++) out.push(mintOne(i, { ...claims, key }));
  parentPort.postMessage(out);
}

async function mintRange(pkcs8, claims, from, to) {
  const threads = Math.max(1, Math.min(cpus().length, Math.ceil((to - from) / 500)));
  const per = Math.ceil((to - from) / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const a = from + t * per;
      const b = Math.min(to, a + per);
      return new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { pkcs8, from: a, to: b, claims } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  return parts.flat();
}

/**
 * A growing pool of distinct valid session tokens under one bench key, written one a line to
 * `file` (what bench/first-seen.lua and bench/open-loop.mjs read).
 */
export class TokenPool {
  /** @param {{ dir: string, issuer: string, azp: string, kid: string }} options */
  static async open({ dir, issuer, azp, kid }) {
    mkdirSync(dir, { recursive: true });
    const metaPath = join(dir, 'tokens.json');
    const file = join(dir, 'tokens.txt');
    const nowS = Math.floor(Date.now() / 1000);
    let meta;
    if (!process.env.BENCH_FRESH_TOKENS && existsSync(metaPath) && existsSync(file)) {
      const old = JSON.parse(readFileSync(metaPath, 'utf8'));
      if (old.issuer === issuer && old.azp === azp && old.kid === kid && nowS - old.now < 12 * 3600) meta = old;
    }
    if (!meta) {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
      meta = { issuer, azp, kid, now: nowS, lifetime: 24 * 3600, prefix: `first${nowS}_`, pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
      writeFileSync(metaPath, JSON.stringify(meta));
      writeFileSync(file, '');
    }
    const tokens = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    return new TokenPool(file, meta, tokens);
  }

  constructor(file, meta, tokens) {
    this.file = file;
    this.meta = meta;
    this.tokens = tokens;
    this.privateKey = createPrivateKey(meta.pkcs8);
    this.publicKey = createPublicKey(this.privateKey);
    /** Seconds spent minting in this run. */
    this.mintSeconds = 0;
    this.minted = 0;
  }

  /** Every token's `iat` (and a `__client_uat` that goes with all of them). */
  get iat() {
    return this.meta.now - 1;
  }

  get size() {
    return this.tokens.length;
  }

  /** Makes sure the pool holds at least `count` tokens. */
  async ensure(count) {
    if (this.tokens.length >= count) return;
    const started = performance.now();
    const { pkcs8, ...rest } = this.meta;
    const claims = { kid: rest.kid, issuer: rest.issuer, azp: rest.azp, now: rest.now, lifetime: rest.lifetime, prefix: rest.prefix };
    const more = await mintRange(pkcs8, claims, this.tokens.length, count);
    this.tokens.push(...more);
    writeFileSync(this.file, `${this.tokens.join('\n')}\n`);
    this.minted += more.length;
    this.mintSeconds += (performance.now() - started) / 1000;
  }

  /** The pool's public key as SPKI PEM on one line (CLERK_JWT_KEY) and as a JWK for a JWKS. */
  get pem() {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString().replace(/\n/g, '');
  }

  get jwk() {
    return { ...this.publicKey.export({ format: 'jwk' }), kid: this.meta.kid, alg: 'RS256', use: 'sig' };
  }
}

/**
 * Forgeries that cost nothing to make: token `i`'s header and claims under a random signature.
 * Shaped like the real thing, refused by the signature check like a token signed by another key.
 */
export function forgedTokens(tokens) {
  return tokens.map((t) => `${t.slice(0, t.lastIndexOf('.'))}.${randomBytes(256).toString('base64url')}`);
}

/** Cursors into a token pool, one per isolate: a token handed to an isolate is never handed to it again. */
export class Cursors {
  constructor(pool) {
    this.pool = pool;
    this.next = new Map();
  }

  /** The first unused index for this isolate, with at least `count` tokens after it in the pool. */
  async reserve(isolate, count) {
    const at = this.next.get(isolate) ?? 0;
    await this.pool.ensure(at + count);
    return at;
  }

  /** Marks `used` tokens from `at` as seen by this isolate. */
  advance(isolate, at, used) {
    this.next.set(isolate, Math.max(this.next.get(isolate) ?? 0, at + used));
  }
}
