#!/usr/bin/env node
// `npm run test:clerk`: the differential against Clerk's real `clerkMiddleware` (@clerk/nextjs,
// with next, in plain Node). Every case of test/clerk/scenarios.mjs (one request in one session
// state) goes through the gateway (the bundled Worker in Miniflare, i.e. workerd) and through
// clerkMiddleware with the same options, both against the same fake Backend API (test/servers.ts)
// and the same instance key made here. Compared: the outcome (forward / redirect / refuse), the
// redirect Location, the Set-Cookies, and the identity forwarded. The run fails when the gateway
// forwards what clerkMiddleware refuses (or vouches for more identity), or when a difference is
// not explained in test/clerk/known-differences.mjs. Ends with "N cases: …" and exits 0 only if
// nothing failed. CLERK_DIFF_JSON=<file> writes every case's outcomes; CLERK_DIFF_VERBOSE=1 prints
// every difference, explained or not, and both sides' logs; CLERK_DIFF_ONLY=<state>,… runs only
// those session states; CLERK_DIFF_LOG_LEVEL sets the gateway's LOG_LEVEL (default error).
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { build } from 'esbuild';
import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { Miniflare } from 'miniflare';

import { loadClerk, runClerk, scenarioMiddleware } from './clerk-side.mjs';
import { judge } from './compare.mjs';
import { explain } from './known-differences.mjs';
import { DEV_FRONTEND_API, FRONTEND_API, GATEWAY, REQUESTS, SCENARIOS, STATES } from './scenarios.mjs';
import { sessionStates, SPENDS_BACKEND_API } from './sessions.mjs';

const started = Date.now();
const ROOT = new URL('../../', import.meta.url).pathname;
const VERBOSE = /^(1|true)$/.test(process.env.CLERK_DIFF_VERBOSE ?? '');
const print = (line) => process.stdout.write(`${line}\n`);
// Clerk logs what it refuses (bad signatures, redirect loops) and deprecations: shown with CLERK_DIFF_VERBOSE=1.
if (!VERBOSE) for (const level of ['log', 'info', 'warn', 'error', 'debug']) console[level] = () => undefined;
const COMPATIBILITY_DATE = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))[1];
const dir = mkdtempSync(join(tmpdir(), 'clerk-diff-'));

/** The fake Backend API's module (TypeScript), bundled by esbuild for Node. */
async function bundleServers() {
  const outfile = join(dir, 'servers.mjs');
  await build({ entryPoints: [join(ROOT, 'test/servers.ts')], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
  return outfile;
}

/** The gateway's Worker, bundled exactly as `wrangler deploy --dry-run` does (test/clerk/gateway.toml). */
function bundleGateway() {
  const outdir = join(dir, 'gateway');
  execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--config', join(ROOT, 'test/clerk/gateway.toml'), '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return join(outdir, readdirSync(outdir).find((f) => f.endsWith('.js')));
}

/** The origin: records, per `x-harness-case`, the identity the gateway forwarded. */
function startOrigin() {
  const seen = new Map();
  const server = createServer((req, res) => {
    const id = String(req.headers['x-harness-case'] ?? '');
    seen.set(id, { userId: req.headers['x-auth-user-id'] ?? null, orgId: req.headers['x-auth-org-id'] ?? null });
    res.setHeader('content-type', 'text/plain');
    res.end('origin');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, seen, close: () => (server.closeAllConnections(), server.close()) })));
}

/** Instance settings of a scenario: keys and Frontend API for production or development. */
function instanceOf(scenario) {
  const dev = scenario.instance === 'development';
  const frontendApi = dev ? DEV_FRONTEND_API : FRONTEND_API;
  return {
    publishableKey: `${dev ? 'pk_test' : 'pk_live'}_${Buffer.from(`${frontendApi}$`).toString('base64')}`,
    secretKey: dev ? 'sk_test_testsecret' : 'sk_live_testsecret',
    issuer: `https://${frontendApi}`,
  };
}

/** The request of one case: the state's cookies, headers and query on the request's method, path and kind. */
function caseRequest([method, path, kind], state, id) {
  const url = new URL(path, GATEWAY);
  for (const [k, v] of Object.entries(state.query ?? {})) url.searchParams.set(k, v);
  const headers = { 'x-harness-case': id, ...(state.headers ?? {}) };
  if (kind === 'navigate') Object.assign(headers, { 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate', accept: 'text/html,application/xhtml+xml' });
  else Object.assign(headers, { 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', accept: 'application/json' });
  if (state.cookies?.length) headers.cookie = state.cookies.join('; ');
  return { url: url.toString(), method, headers };
}

async function gatewayOutcome(worker, origin, request, id) {
  // undici would replace Sec-Fetch-Mode: test/clerk/gateway-worker.mjs puts this one back.
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k === 'sec-fetch-mode' ? `x-harness-raw-${k}` : k, v]));
  const response = await worker.fetch(request.url, { method: request.method, headers, redirect: 'manual' });
  const text = await response.text();
  const setCookies = response.headers.getSetCookie();
  const forwarded = origin.seen.get(id);
  if (forwarded) return { kind: 'forward', status: response.status, setCookies, identity: forwarded };
  const location = response.headers.get('location');
  if (location && response.status >= 300 && response.status < 400) return { kind: 'redirect', status: response.status, location, setCookies };
  const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? /data-code="([A-Z_]+)"/.exec(text)?.[1];
  return { kind: 'refuse', status: response.status, setCookies, ...(code ? { code } : {}) };
}

/**
 * The gateway's Workers in Miniflare: one per scenario, and one per state of it that spends the
 * Backend API budget (sessions.mjs), each with the scenario's settings over the base ones.
 */
function startGateways(workerScript, { originUrl, pem, bapiUrl, fapiUrl }) {
  const names = Object.keys(SCENARIOS);
  const statesOf = (name) => (SCENARIOS[name].states ?? STATES).filter((s) => !process.env.CLERK_DIFF_ONLY || process.env.CLERK_DIFF_ONLY.split(',').includes(s));
  // One Worker (isolate) per scenario, and one per state of it that spends the Backend API budget.
  const workerOf = (name, state) => (SPENDS_BACKEND_API.has(state) ? `${name}~${state}` : name);
  const workers = names.flatMap((name) => [name, ...statesOf(name).filter((s) => SPENDS_BACKEND_API.has(s)).map((s) => workerOf(name, s))]);
  const mf = new Miniflare({
    handleRuntimeStdio(stdout, stderr) {
      // The gateway logs what it refuses (Clerk's redirects, bad tokens): shown with CLERK_DIFF_VERBOSE=1.
      for (const stream of [stdout, stderr]) stream.on('data', (chunk) => VERBOSE && process.stderr.write(chunk));
    },
    workers: workers.map((worker) => {
      const name = worker.split('~')[0];
      const scenario = SCENARIOS[name];
      const keys = instanceOf(scenario);
      return {
        name: worker,
        modules: true,
        scriptPath: workerScript,
        modulesRoot: dirname(workerScript),
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: {
          SCENARIO: name,
          ORIGIN_URL: originUrl,
          CLERK_PUBLISHABLE_KEY: keys.publishableKey,
          CLERK_SECRET_KEY: keys.secretKey,
          CLERK_JWT_KEY: pem,
          CLERK_API_URL: bapiUrl,
          LOG_LEVEL: process.env.CLERK_DIFF_LOG_LEVEL ?? 'error',
          ...scenario.env,
          ...(scenario.env.CLERK_FRONTEND_API_PROXY_PATH ? { CLERK_FRONTEND_API_URL: fapiUrl } : {}),
        },
      };
    }),
  });
  return { mf, workerOf, statesOf };
}

async function main() {
  const [instance, foreign] = await Promise.all([0, 1].map(() => generateKeyPair('RS256', { modulusLength: 2048, extractable: true })));
  const publicJwk = { ...(await exportJWK(instance.publicKey)), kid: 'ins_test_key', alg: 'RS256', use: 'sig' };
  const pem = await exportSPKI(instance.publicKey);
  const { startBackendApi, startFrontendApi } = await import(pathToFileURL(await bundleServers()).href);
  const bapi = await startBackendApi({ keys: [publicJwk] });
  const bapiUrl = `http://127.0.0.1:${bapi.port}`;
  // The Frontend API behind both sides' Frontend API proxy (scenarios with CLERK_FRONTEND_API_PROXY_PATH).
  const fapi = await startFrontendApi();
  const fapiUrl = `http://127.0.0.1:${fapi.port}`;
  process.env.CLERK_FAPI_URL = fapiUrl;
  const origin = await startOrigin();
  const workerScript = bundleGateway();
  const { mf, workerOf, statesOf } = startGateways(workerScript, { originUrl: `http://127.0.0.1:${origin.port}`, pem, bapiUrl, fapiUrl });
  const names = Object.keys(SCENARIOS);
  const lib = loadClerk({ apiUrl: bapiUrl });
  const results = [];
  let seq = 0;
  try {
    for (const name of names) {
      const scenario = SCENARIOS[name];
      const keys = instanceOf(scenario);
      const clerk = scenarioMiddleware(lib, scenario, { publishableKey: keys.publishableKey, secretKey: keys.secretKey, jwtKey: pem, ...scenario.clerk });
      const states = await sessionStates({ instanceKey: instance.privateKey, foreignKey: foreign.privateKey, publishableKey: keys.publishableKey, issuer: scenario.issuer ?? keys.issuer, azp: scenario.azp ?? GATEWAY, bapiUrl });
      for (const stateName of statesOf(name)) {
        const worker = await mf.getWorker(workerOf(name, stateName));
        for (const req of scenario.requests ?? REQUESTS) {
          const id = `case-${seq++}`;
          const state = await states[stateName]();
          const request = caseRequest(req, state, id);
          const gateway = await gatewayOutcome(worker, origin, request, id);
          const theirs = await runClerk(lib, clerk, request);
          const { verdict, diffs } = judge(gateway, theirs, GATEWAY);
          const row = { scenario: name, state: stateName, request: req.join(' '), env: scenario.env, verdict, diffs, gateway, clerk: theirs };
          row.explained = verdict === 'same' ? undefined : explain(row);
          results.push(row);
        }
      }
    }
  } finally {
    await mf.dispose();
    origin.close();
    await bapi.close();
    await fapi.close();
  }
  report(results);
}

function report(results) {
  const count = (f) => results.filter(f).length;
  const weaker = results.filter((r) => r.verdict === 'weaker');
  const unexplained = results.filter((r) => r.verdict !== 'same' && r.verdict !== 'weaker' && !r.explained);
  const byReason = new Map();
  for (const r of results) if (r.explained && r.verdict !== 'weaker') byReason.set(r.explained.id, [...(byReason.get(r.explained.id) ?? []), r]);
  const line = (r) => `  ${r.scenario} · ${r.state} · ${r.request}: ${r.diffs.join('; ')}`;
  if (weaker.length) print(`FORWARDED WHAT clerkMiddleware REFUSES (${weaker.length}):\n${weaker.map(line).join('\n')}`);
  if (unexplained.length) print(`Differences not in test/clerk/known-differences.mjs (${unexplained.length}):\n${unexplained.map(line).join('\n')}`);
  print('Known differences:');
  for (const [id, rows] of byReason) {
    print(`  ${id} (${rows.length}): ${rows[0].explained.why}`);
    if (VERBOSE) print(rows.map(line).join('\n'));
  }
  if (process.env.CLERK_DIFF_JSON) writeFileSync(process.env.CLERK_DIFF_JSON, JSON.stringify(results, null, 2));
  const scenarios = new Set(results.map((r) => r.scenario)).size;
  print(
    `${results.length} cases in ${scenarios} scenarios: ${count((r) => r.verdict === 'same')} same, ${count((r) => r.verdict === 'stricter')} stricter, ${count((r) => r.verdict === 'differs')} differ, ${weaker.length} weaker; ${unexplained.length} unexplained (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  process.exitCode = weaker.length || unexplained.length ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  // The local servers (and workerd) would keep the process alive: a failed run must still end.
  process.exit(1);
});
