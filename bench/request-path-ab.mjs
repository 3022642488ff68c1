#!/usr/bin/env node
// `node bench/request-path-ab.mjs [revision] [--processes 5] [--requests 3000]`: the request path
// (src/gateway.ts's handleRequest, bundled as bench/lib/load-source.mjs bundles it) of this tree
// against that revision's (default `main`), in Node, against an origin stub that answers at once:
// a public route, a bearer token seen before, a cookie session, a signed-out page load. Each side
// runs in processes of its own, alternating, so one's garbage or JIT state never lands on the
// other; the best of each side's processes is compared (the least disturbed by other work on the
// machine). For "a request using none of the new settings costs no more": Node's V8 is not
// workerd's, so read the ratio, not the microseconds.
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const PROCESSES = option('--processes', 5);
const N = option('--requests', 3000);

/** One side, in this process: its tree's request path, timed per variant (median of 5 rounds), printed as JSON. */
async function measure(tree) {
  const { bundleSource } = await import(pathToFileURL(join(root, 'bench/lib/load-source.mjs')).href);
  process.chdir(tree);
  const { handleRequest, defineConfig } = await import(pathToFileURL(await bundleSource({ 'src/gateway': ['handleRequest'], 'src/config': ['defineConfig'] })).href);
  globalThis.IdentityTransformStream ??= TransformStream;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const PARTY = 'https://gateway.bench';
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'ins_bench' })}.${b64({ sub: 'user_1', sid: 'sess_1', iss: 'https://clerk.bench.test', azp: PARTY, iat: now - 1, nbf: now - 1, exp: now + 3600, v: 2, sts: 'active' })}`;
  const token = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  const env = {
    ORIGIN_URL: 'http://origin.bench',
    CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.bench.test$').toString('base64')}`,
    CLERK_SECRET_KEY: 'sk_live_bench',
    CLERK_JWT_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString().replace(/\n/g, ''),
    CLERK_AUTHORIZED_PARTIES: PARTY,
    LOG_LEVEL: 'error',
  };
  const config = defineConfig({ routes: [{ match: '/dashboard(.*)', protect: true }] });
  const origin = async () => new Response('ok', { headers: { 'content-type': 'text/plain' } });
  const send = (path, headers) => handleRequest(new Request(`${PARTY}${path}`, { headers }), env, { config, fetch: origin });
  const variants = {
    public: [() => send('/about', {}), 200],
    bearer: [() => send('/dashboard', { authorization: `Bearer ${token}` }), 200],
    cookie: [() => send('/dashboard', { cookie: `__session=${token}; __client_uat=${now - 5}` }), 200],
    'signed-out page': [() => send('/dashboard', { 'sec-fetch-dest': 'document', accept: 'text/html' }), 307],
  };
  const times = {};
  for (let round = 0; round < 5; round++) {
    for (const [name, [make, status]] of Object.entries(variants)) {
      for (let i = 0; i < 200; i++) await make();
      const start = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        const res = await make();
        if (res.status !== status) throw new Error(`${name}: ${res.status}`);
      }
      (times[name] ??= []).push(Number(process.hrtime.bigint() - start) / 1000 / N);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify(Object.fromEntries(Object.entries(times).map(([name, xs]) => [name, median(xs)]))));
}

/** That revision's tree, extracted beside bench/run.mjs's (bench/.build), with today's node_modules. */
function treeAt(revision) {
  const short = execFileSync('git', ['rev-parse', '--short', revision], { cwd: root, encoding: 'utf8' }).trim();
  const tree = join(root, 'bench', '.build', `ab-tree-${short}`);
  if (!existsSync(join(tree, 'src'))) {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    execFileSync('bash', ['-c', `git archive ${short} | tar -x -C "${tree}"`], { cwd: root });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  }
  return { tree, short };
}

async function main() {
  if (process.env.REQUEST_PATH_AB_TREE) return measure(process.env.REQUEST_PATH_AB_TREE);
  const against = treeAt(args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'main');
  const sides = { 'this tree': root, [`at ${against.short}`]: against.tree };
  const runs = {};
  for (let p = 0; p < PROCESSES; p++) {
    for (const [side, tree] of p % 2 ? Object.entries(sides).reverse() : Object.entries(sides)) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--requests', String(N)], { env: { ...process.env, REQUEST_PATH_AB_TREE: tree }, encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${side}: ${child.stderr}`);
      (runs[side] ??= []).push(JSON.parse(child.stdout.trim().split('\n').at(-1)));
    }
  }
  const [mine, theirs] = Object.keys(sides);
  for (const variant of Object.keys(runs[mine][0])) {
    const best = (side) => Math.min(...runs[side].map((r) => r[variant]));
    console.log(`${variant.padEnd(16)} ${mine} ${best(mine).toFixed(1)} µs, ${theirs} ${best(theirs).toFixed(1)} µs: ×${(best(mine) / best(theirs)).toFixed(2)} (best of ${PROCESSES} processes each)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
