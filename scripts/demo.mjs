#!/usr/bin/env node
// `npm run demo`: the real gateway (`wrangler dev`) in front of a bundled demo origin, with a demo
// sign-in instead of Clerk. No Clerk account or keys needed.
//
// The gateway has no demo mode. This script generates an RSA key pair in memory, gives the
// private key to the demo origin (which mints Clerk-shaped session tokens on its sign-in page)
// and the public key to the gateway as CLERK_JWT_KEY, together with a publishable key for a
// made-up production instance. Keys are never written to disk and change on every run.
//
//   npm run demo               start both, open http://localhost:8787; Ctrl-C stops both
//   npm run demo -- --check    start both, walk the sign-in flows with fetch, exit 0/1
//   npm run demo -- --check --workerd
//                              the same walk with the gateway self-hosted on workerd (the bundle
//                              `npm run build` makes, served as `npm run serve` serves it)
//   npm run demo -- --origin http://localhost:8000
//                              the gateway in front of YOUR app and routes.config.ts; the demo
//                              server only serves the sign-in and task pages, on its own port
//                              (docs/try-it.md)
//
// Environment: GATEWAY_PORT (default 8787), DEMO_ORIGIN_PORT (default 8788).
//
// Imported (scripts/test-e2e.mjs), it runs nothing by itself: `startDemo()` starts both and
// resolves once the gateway answers, with a `stop()` that leaves no process behind.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { exportJWK, generateKeyPair } from 'jose';

import { DEMO_PUBLISHABLE_KEY } from '../demo/claims.mjs';
import { FAKE_FRONTEND_API, startDemoOrigin } from '../demo/origin.mjs';
import { loadGateway, parseDotenv } from './lib/project.mjs';
import { buildSelfHosted, workerdBinary } from './lib/self-hosted.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WRANGLER = path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const DEMO_WORKER = path.join('demo', 'worker.ts');
const DEV_WORKER = path.join('src', 'dev-worker.ts');
const NO_ENV_FILE = path.join(ROOT, 'demo', 'no-settings.env');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5000;
const IS_WINDOWS = process.platform === 'win32';

const color = (code, text) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text);
const log = (message) => console.log(`${color(35, '[demo]')} ${message}`);
const fail = (message) => console.error(`${color(31, '[demo]')} ${message}`);

// ---------------------------------------------------------------------------------------------
// Processes

/** Rejects when something already listens on host:port (a running `npm run dev` would answer our checks). */
function assertPortFree(port, host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (/** @type {NodeJS.ErrnoException} */ error) => {
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') resolve(); // no IPv6 here
      else reject(error);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

async function portsFree(ports) {
  for (const [port, name, env] of ports) {
    for (const host of ['127.0.0.1', '::1']) {
      try {
        await assertPortFree(port, host);
      } catch (error) {
        throw new Error(
          `port ${port} (${name}) is not free on ${host}: ${error.code ?? error.message}. ` +
            `Stop whatever uses it (another \`npm run dev\`/\`npm run demo\`?) or set ${env}.`,
        );
      }
    }
  }
}

/**
 * The settings `wrangler dev` gets for the demo. With `appOrigin` (`--origin`), the gateway forwards
 * to the user's app, sends sign-in to the demo server on its own port, signs an identity assertion
 * (the user's GATEWAY_SIGNING_KEY from .dev.vars if there is one, else `signingKey`), and revokes
 * sessions at sign-out through the demo server's stand-in for the Backend API.
 */
function demoVars({ originPort, publicKeyPem, appOrigin, signingKey }) {
  const signInServer = `http://localhost:${originPort}`;
  return {
    ORIGIN_URL: appOrigin ?? `http://127.0.0.1:${originPort}`,
    // A production key for a made-up instance: no dev-browser cookie, no Clerk call.
    CLERK_PUBLISHABLE_KEY: DEMO_PUBLISHABLE_KEY,
    // Never used to verify: with CLERK_JWT_KEY set, tokens are verified without the Backend API.
    CLERK_SECRET_KEY: 'sk_live_demo',
    CLERK_JWT_KEY: publicKeyPem.replace(/\r?\n/g, ''),
    // In front of the user's app, the sign-in pages are not the app's: another port of localhost,
    // where the browser sends the same cookies (cookies are not kept apart by port).
    CLERK_SIGN_IN_URL: appOrigin ? `${signInServer}/sign-in` : '/sign-in',
    ...(appOrigin ? { CLERK_API_URL: `http://127.0.0.1:${originPort}` } : {}),
    // The Frontend API proxy at /__clerk, to the demo server's stand-in for Clerk's Frontend API.
    CLERK_FRONTEND_API_PROXY_PATH: 'true',
    CLERK_FRONTEND_API_URL: `http://127.0.0.1:${originPort}${FAKE_FRONTEND_API}`,
    // Only these settings reach the gateway (an empty --env-file): the user's own signing key is passed on.
    ...(appOrigin && (signingKey ?? localDevVars().GATEWAY_SIGNING_KEY?.trim()) ? { GATEWAY_SIGNING_KEY: signingKey ?? localDevVars().GATEWAY_SIGNING_KEY.trim() } : {}),
  };
}

/** The user's .dev.vars (or .env), as wrangler dev reads it, or {} without one. */
function localDevVars() {
  for (const name of ['.dev.vars', '.env']) {
    const file = path.join(ROOT, name);
    if (existsSync(file)) return parseDotenv(readFileSync(file, 'utf8'));
  }
  return {};
}

/** An assertion signing key for this run only, unless the user's .dev.vars has one. */
async function runSigningKey() {
  if (localDevVars().GATEWAY_SIGNING_KEY?.trim()) return undefined;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return JSON.stringify({ ...(await exportJWK(privateKey)), kid: `gw-demo-${Date.now().toString(36)}` });
}

function spawnWrangler({ gatewayPort, originPort, publicKeyPem, logLevel, appOrigin, signingKey, projectRoutes }) {
  const vars = demoVars({ originPort, publicKeyPem, appOrigin, signingKey });
  // wrangler splits --var on the first ":" only, so URLs survive.
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const wranglerArgs = [
    WRANGLER,
    'dev',
    // The demo's own routes (demo/routes.config.ts), whatever the project's routes.config.ts says,
    // or with --origin the project's (loaded as `npm run dev` loads them: a bad edit answers 500)…
    projectRoutes ? DEV_WORKER : DEMO_WORKER,
    // …and only the settings above: an empty env file instead of the project's .dev.vars/.env.
    '--env-file',
    NO_ENV_FILE,
    '--port',
    String(gatewayPort),
    '--ip',
    '127.0.0.1',
    '--show-interactive-dev-session=false',
    ...(logLevel ? ['--log-level', logLevel] : []),
    ...varArgs,
  ];
  return spawn(process.execPath, wranglerArgs, {
    cwd: ROOT,
    // Own process group (POSIX), so Ctrl-C reaches only this script, which then stops wrangler
    // and everything it started (workerd) together.
    detached: !IS_WINDOWS,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    },
  });
}

/**
 * The same gateway self-hosted (`--workerd`): the demo's entry bundled as `npm run build` bundles
 * it, served by workerd with the demo's settings as its environment, as `npm run serve` runs it.
 */
function spawnWorkerd({ gatewayPort, originPort, publicKeyPem, appOrigin, signingKey, projectRoutes }) {
  const outdir = path.join(ROOT, '.wrangler', 'demo-workerd');
  const { config } = buildSelfHosted({ entry: projectRoutes ? DEV_WORKER : DEMO_WORKER, outdir });
  return spawn(workerdBinary(), ['serve', config, '--socket-addr', `http=127.0.0.1:${gatewayPort}`], {
    cwd: ROOT,
    detached: !IS_WINDOWS,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { PATH: process.env.PATH ?? '', ...demoVars({ originPort, publicKeyPem, appOrigin, signingKey }) },
  });
}

// ---------------------------------------------------------------------------------------------
// Readiness

/**
 * Resolves once the gateway answers: the demo's home page through it, or with `--origin` (whose
 * app may protect "/" or be down) its health endpoint's 200.
 */
async function waitForGateway(port, wranglerExit, signal, appOrigin) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void wranglerExit.then(() => (exited = true));
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) throw new Error('the gateway (wrangler or workerd) exited before it was ready (see its output above)');
    if (signal?.aborted) throw new Error('stopped before the gateway was ready');
    try {
      const res = await fetch(`http://127.0.0.1:${port}${appOrigin ? '/__gateway/health' : '/'}`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(3000),
      });
      const body = await res.text();
      if (res.status === 200 && (appOrigin ? body.includes('"ok"') : body.includes('edge-auth-gateway demo'))) return;
      if (appOrigin && body.includes('misconfigured')) {
        throw new Error(`the gateway refused its settings or routes.config.ts (${body}); run \`npm run check:routes\` for the list`);
      }
      if (body.includes('gateway_misconfigured')) throw new Error(`the gateway refused its demo settings: ${body}`);
      last = `HTTP ${res.status}: ${body.slice(0, 200)}`;
    } catch (error) {
      if (error.message.startsWith('the gateway refused')) throw error;
      last = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`the gateway did not answer on port ${port} within ${READY_TIMEOUT_MS / 1000}s (last: ${last})`);
}

// ---------------------------------------------------------------------------------------------
// Start and stop

/**
 * @typedef {object} Demo
 * @property {string} gatewayUrl  http://localhost:<gatewayPort>
 * @property {string} signInUrl   the demo sign-in page (with `--origin`: on the demo server's own port)
 * @property {boolean} ownSigningKey  `--origin` with the GATEWAY_SIGNING_KEY of the user's .dev.vars
 * @property {number} readyMs     how long the gateway took to answer after wrangler started
 * @property {Promise<number>} exited  resolves with wrangler's exit code once it has exited
 * @property {() => Promise<void>} stop  stops wrangler (gracefully, then by force), workerd and the origin
 * @property {() => void} kill    SIGKILLs wrangler's process group at once (synchronous)
 * @property {number | undefined} wranglerPid  wrangler's pid, which is also its process group's id (POSIX)
 */

/** Bundles the project's routes.config.ts (and what it imports); throws esbuild's message, which names the file and line. */
async function routesBundle() {
  try {
    await loadGateway(ROOT, {});
  } catch (error) {
    throw new Error(`routes.config.ts cannot be built, so the gateway cannot start:\n${error instanceof Error ? error.message : error}`);
  }
}

/**
 * Starts the demo origin and the gateway (`wrangler dev`) and resolves once the gateway serves the
 * demo's home page. On failure everything started is stopped before the promise rejects.
 * @param {{ gatewayPort?: number, originPort?: number, logLevel?: string, log?: (message: string) => void, signal?: AbortSignal, appOrigin?: string, projectRoutes?: boolean }} [options]
 *   logLevel: wrangler's `--log-level` (default: wrangler's own, which prints every request);
 *   signal: aborting it while the gateway starts stops everything and rejects;
 *   appOrigin: the user's app (`--origin`): the gateway forwards there, and the demo server on
 *   originPort only serves sign-in.
 *   projectRoutes: run the project's routes.config.ts (default with appOrigin) instead of demo/routes.config.ts.
 *   workerd: the gateway self-hosted on workerd instead of `wrangler dev`.
 * @returns {Promise<Demo>}
 */
export async function startDemo({ gatewayPort = 8787, originPort = 8788, logLevel, log: say = () => {}, signal, appOrigin, projectRoutes = appOrigin !== undefined, workerd = false } = {}) {
  if (!existsSync(WRANGLER)) throw new Error('wrangler is not installed: run `npm install` first');
  // wrangler dev cannot bundle a routes.config.ts with a syntax error: it would wait for an edit
  // and the demo for READY_TIMEOUT_MS. esbuild names the file and line at once instead.
  if (projectRoutes) await routesBundle();
  await portsFree([
    [gatewayPort, 'gateway', 'GATEWAY_PORT'],
    [originPort, 'demo origin', 'DEMO_ORIGIN_PORT'],
  ]);

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' });

  const gatewayOrigin = `http://localhost:${gatewayPort}`;
  const signingKey = appOrigin ? await runSigningKey() : undefined;
  // The browser reaches a sign-in server at localhost, the gateway's hostname, so that both see
  // the same cookies (browsers resolve localhost to 127.0.0.1 themselves).
  const origin = await startDemoOrigin({
    port: originPort,
    host: '127.0.0.1',
    privateKey,
    ...(appOrigin ? { gatewayOrigin } : {}),
  });
  say(`demo ${appOrigin ? 'sign-in server' : 'origin'} listening on port ${originPort}; starting the gateway (${workerd ? 'workerd' : 'wrangler dev'})…`);
  const started = Date.now();
  const gatewayOptions = { gatewayPort, originPort, publicKeyPem, logLevel, appOrigin, signingKey, projectRoutes };
  const wrangler = workerd ? spawnWorkerd(gatewayOptions) : spawnWrangler(gatewayOptions);
  /** @type {Promise<number>} */
  const exited = new Promise((resolve) => {
    wrangler.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    wrangler.once('error', (error) => {
      fail(`could not start wrangler: ${error.message}`);
      resolve(1);
    });
  });

  let groupKilled = false;
  const kill = () => {
    if (!wrangler.pid || groupKilled) return;
    groupKilled = true;
    try {
      if (IS_WINDOWS) wrangler.kill('SIGKILL');
      else process.kill(-wrangler.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  // Whatever happens to this process, wrangler and workerd do not outlive it.
  process.on('exit', kill);

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (wrangler.exitCode === null && wrangler.signalCode === null) {
        try {
          wrangler.kill('SIGINT');
        } catch {
          // already gone
        }
        const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') say(`wrangler did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing it`);
      }
      kill(); // whatever wrangler left behind (workerd)
      process.off('exit', kill);
      await origin.close();
    })());

  try {
    await waitForGateway(gatewayPort, exited, signal, appOrigin);
  } catch (error) {
    await stop();
    throw error;
  }
  return { gatewayUrl: gatewayOrigin, signInUrl: `http://localhost:${originPort}/sign-in`, ownSigningKey: appOrigin !== undefined && !signingKey, readyMs: Date.now() - started, exited, stop, kill, wranglerPid: wrangler.pid };
}


// ---------------------------------------------------------------------------------------------
// --check: a scripted walk through the gateway, as a browser would do it

const NAVIGATE = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-dest': 'document' };

class Jar {
  cookies = new Map();
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
    return this;
  }
  header() {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

async function runCheck(base) {
  const results = [];
  let failed = 0;

  /**
   * One request to the gateway, redirects not followed.
   * @param {string} pathOrUrl
   * @param {{ jar?: Jar, method?: string, form?: Record<string, string>, headers?: Record<string, string>, navigate?: boolean }} [options]
   */
  async function request(pathOrUrl, { jar, method = 'GET', form, headers = {}, navigate = true } = {}) {
    /** @type {Record<string, string>} */
    const sent = { ...(navigate ? NAVIGATE : {}), ...headers };
    if (jar?.cookies.size) sent.cookie = jar.header();
    if (form) sent['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(new URL(pathOrUrl, base), {
      method,
      redirect: 'manual',
      headers: sent,
      body: form ? new URLSearchParams(form).toString() : null,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await res.text();
    return { res, body, status: res.status, location: res.headers.get('location') };
  }
  const cell = (body, name) => body.match(new RegExp(`data-header="${name}"[^>]*>(?:<code>)?([^<]*)`))?.[1];
  const expect = (cond, detail) => {
    if (!cond) throw new Error(detail);
  };
  const expectRedirect = (r, status, pathname, redirectUrl) => {
    expect(r.status === status, `expected ${status}, got ${r.status} ${r.body.slice(0, 200)}`);
    const loc = new URL(r.location, base);
    expect(loc.origin === new URL(base).origin && loc.pathname === pathname, `expected a redirect to ${pathname}, got ${r.location}`);
    if (redirectUrl !== undefined) {
      const got = loc.searchParams.get('redirect_url');
      expect(got === redirectUrl, `expected redirect_url=${redirectUrl}, got ${got}`);
    }
    return loc;
  };
  async function step(name, fn) {
    const started = Date.now();
    try {
      const note = await fn();
      results.push(`  ✓ ${name}${note ? ` (${note})` : ''} [${Date.now() - started} ms]`);
    } catch (error) {
      failed++;
      results.push(`  ✗ ${name}: ${error.message}`);
    }
    console.log(results.at(-1));
  }

  const dashboard = `${base}/dashboard`;
  const pending = new Jar();
  const active = new Jar();
  let tasksUrl;

  console.log(`\nWalking the demo through the gateway at ${base}:`);
  await step('GET / (public) → 200 from the origin, signed-out', async () => {
    const r = await request('/');
    expect(r.status === 200, `status ${r.status}`);
    expect(cell(r.body, 'x-auth-session-status') === 'signed-out', `X-Auth-Session-Status ${cell(r.body, 'x-auth-session-status')}`);
    expect(cell(r.body, 'x-auth-user-id') === 'not sent', 'an X-Auth-User-Id reached the origin');
  });
  await step('GET / with a forged X-Auth-User-Id → stripped before the origin', async () => {
    const r = await request('/', { headers: { 'x-auth-user-id': 'user_evil', 'x-auth-session-status': 'active' } });
    expect(r.status === 200 && cell(r.body, 'x-auth-user-id') === 'not sent', 'the forged X-Auth-User-Id reached the origin');
    expect(cell(r.body, 'x-auth-session-status') === 'signed-out', 'forged status reached the origin');
  });
  await step('GET /dashboard (navigation, signed out) → 307 to /sign-in', async () => {
    const r = await request('/dashboard');
    expectRedirect(r, 307, '/sign-in', dashboard);
    return r.location;
  });
  await step('GET /dashboard (fetch/API, signed out) → 401 JSON', async () => {
    const r = await request('/dashboard', { navigate: false, headers: { accept: 'application/json' } });
    expect(r.status === 401 && JSON.parse(r.body).error === 'unauthenticated', `got ${r.status} ${r.body}`);
  });
  await step('GET /sign-in (public, served by the origin) → 200 with both sign-in forms', async () => {
    const r = await request(`/sign-in?redirect_url=${encodeURIComponent(dashboard)}`);
    expect(r.status === 200, `status ${r.status}`);
    expect(r.body.includes('value="pending"') && r.body.includes('value="active"'), 'sign-in forms missing');
  });
  await step('POST /sign-in as pending → 303 to /sign-in/tasks, session cookies set', async () => {
    const r = await request('/sign-in', { method: 'POST', navigate: false, form: { mode: 'pending', redirect_url: dashboard } });
    expectRedirect(r, 303, '/sign-in/tasks', dashboard);
    pending.take(r.res);
    expect(pending.cookies.has('__session') && pending.cookies.has('__client_uat'), `cookies: ${[...pending.cookies.keys()]}`);
  });
  await step('GET /dashboard as pending → 307 to the task page', async () => {
    const r = await request('/dashboard', { jar: pending });
    tasksUrl = expectRedirect(r, 307, '/sign-in/tasks', dashboard).href;
    return r.location;
  });
  await step('GET /dashboard as pending (fetch/API) → 401 session_pending with tasks_url', async () => {
    const r = await request('/dashboard', { jar: pending, navigate: false, headers: { accept: 'application/json' } });
    const json = JSON.parse(r.body);
    expect(r.status === 401 && json.error === 'session_pending' && json.tasks_url === tasksUrl, `got ${r.status} ${r.body}`);
  });
  await step('GET /forum as pending → 307 to the task page', async () => {
    const r = await request('/forum', { jar: pending });
    expectRedirect(r, 307, '/sign-in/tasks', `${base}/forum`);
  });
  await step('GET /account/status as pending (treatPendingAsSignedOut: false) → 200, "pending"', async () => {
    const r = await request('/account/status', { jar: pending });
    expect(r.status === 200, `status ${r.status} ${r.body.slice(0, 200)}`);
    expect(cell(r.body, 'x-auth-session-status') === 'pending', `X-Auth-Session-Status ${cell(r.body, 'x-auth-session-status')}`);
    expect(/id="status">pending</.test(r.body), 'page does not show "pending"');
    expect(cell(r.body, 'x-auth-user-id') === 'user_demo_pat', `X-Auth-User-Id ${cell(r.body, 'x-auth-user-id')}`);
  });
  await step('GET the task page as pending → 200 "Choose an organization"', async () => {
    const r = await request(tasksUrl ?? '/sign-in/tasks', { jar: pending });
    expect(r.status === 200 && r.body.includes('Choose an organization') && r.body.includes('name="org"'), `status ${r.status}`);
    expect(r.body.includes('data-task-session="pending"'), 'the task page did not recognize the pending session');
    expect(/data-badge>pending</.test(r.body), 'the top bar does not say "pending"');
  });
  await step('POST /sign-in/tasks (choose Acme) → 303 back to /dashboard, new cookies', async () => {
    const r = await request('/sign-in/tasks', { jar: pending, method: 'POST', navigate: false, form: { org: 'acme', redirect_url: dashboard } });
    expect(r.status === 303 && r.location === dashboard, `got ${r.status} → ${r.location}`);
    const before = pending.cookies.get('__session');
    pending.take(r.res);
    expect(pending.cookies.get('__session') !== before, 'no new __session cookie');
  });
  await step('GET /dashboard after the task → 200, active, with org headers', async () => {
    const r = await request('/dashboard', { jar: pending });
    expect(r.status === 200, `status ${r.status} ${r.location ?? r.body.slice(0, 200)}`);
    const want = {
      'x-auth-session-status': 'active',
      'x-auth-user-id': 'user_demo_pat',
      'x-auth-org-id': 'org_demo_acme',
      'x-auth-org-role': 'org:admin',
      'x-auth-org-slug': 'acme',
      'x-auth-org-permissions': 'org:dashboard:read,org:dashboard:manage',
    };
    for (const [name, value] of Object.entries(want)) {
      expect(cell(r.body, name) === value, `${name}: expected ${value}, got ${cell(r.body, name)}`);
    }
    expect(/^sess_demo_/.test(cell(r.body, 'x-auth-session-id') ?? ''), 'X-Auth-Session-Id missing');
    return `org ${cell(r.body, 'x-auth-org-id')}`;
  });
  await step('GET /sign-out → 303 to /, cookies cleared; /dashboard then → 307 to /sign-in', async () => {
    const r = await request('/sign-out', { jar: pending });
    expectRedirect(r, 303, '/');
    pending.take(r.res);
    expect(pending.cookies.size === 0, `cookies left: ${[...pending.cookies.keys()]}`);
    const again = await request('/dashboard', { jar: pending });
    expectRedirect(again, 307, '/sign-in', dashboard);
  });
  await step('POST /sign-in as active → 303 straight to /forum; /forum → 200 active', async () => {
    const forum = `${base}/forum`;
    const r = await request('/sign-in', { method: 'POST', navigate: false, form: { mode: 'active', redirect_url: forum } });
    expect(r.status === 303 && r.location === forum, `got ${r.status} → ${r.location}`);
    active.take(r.res);
    const page = await request('/forum', { jar: active });
    expect(page.status === 200, `status ${page.status}`);
    expect(cell(page.body, 'x-auth-session-status') === 'active', `status ${cell(page.body, 'x-auth-session-status')}`);
    expect(cell(page.body, 'x-auth-user-id') === 'user_demo_ada', `user ${cell(page.body, 'x-auth-user-id')}`);
  });
  await step('signed out, a form on / posting to /forum (protected) → 303 to /sign-in, back to /', async () => {
    // node:http, as a browser sends it: fetch() would replace Sec-Fetch-Mode with its own "cors".
    const body = 'text=hi';
    const r = await new Promise((resolve, reject) => {
      const req = httpRequest(new URL('/forum/new', base), {
        method: 'POST',
        headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html', referer: `${base}/`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
        timeout: 10_000,
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location, body: '' }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expectRedirect(r, 303, '/sign-in', `${base}/`);
  });
  await step('as Ada (admin of acme): /orgs/acme/settings → 200; /orgs/globex/settings → 403 page, organization_mismatch', async () => {
    const mine = await request('/orgs/acme/settings', { jar: active });
    expect(mine.status === 200, `status ${mine.status} ${mine.body.slice(0, 200)}`);
    expect(cell(mine.body, 'x-auth-org-slug') === 'acme', `org ${cell(mine.body, 'x-auth-org-slug')}`);
    const other = await request('/orgs/globex/settings', { jar: active });
    expect(other.status === 403 && other.body.includes('data-code="ERR_ORGANIZATION_MISMATCH"'), `got ${other.status} ${other.body.slice(0, 200)}`);
    expect(other.res.headers.get('x-auth-reason') === 'organization_mismatch', `X-Auth-Reason ${other.res.headers.get('x-auth-reason')}`);
  });
  await step('GET /__clerk/v1/environment (Frontend API proxy) → 200 from the Frontend API, with the proxy URL, never the origin', async () => {
    const r = await request('/__clerk/v1/environment?_clerk_js_version=5', { navigate: false, headers: { 'x-forwarded-host': 'evil.example' } });
    expect(r.status === 200, `status ${r.status} ${r.body.slice(0, 200)}`);
    const json = JSON.parse(r.body);
    expect(json.object === 'demo_frontend_api' && json.path === '/v1/environment', `answered by ${r.body.slice(0, 200)}`);
    expect(json.clerk_proxy_url === `${base}/__clerk` && json.secret_key_sent === true, `Clerk-Proxy-Url ${json.clerk_proxy_url}, secret key sent: ${json.secret_key_sent}`);
    return json.clerk_proxy_url;
  });
  await step('POST /sign-in with a foreign redirect_url → 303 to / (no open redirect)', async () => {
    const r = await request('/sign-in', { method: 'POST', navigate: false, form: { mode: 'active', redirect_url: 'https://evil.example/' } });
    expect(r.status === 303 && r.location === '/', `got ${r.status} → ${r.location}`);
  });

  console.log(failed === 0 ? `\nAll ${results.length} checks passed.` : `\n${failed} of ${results.length} checks failed.`);
  return failed === 0;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Command line

function banner(gatewayPort, originPort) {
  const line = '─'.repeat(64);
  console.log(`
${line}
  edge-auth-gateway demo is running

  Open  ${color(1, `http://localhost:${gatewayPort}`)}

  • /dashboard and /forum are protected: you are sent to a demo sign-in.
  • /orgs/acme/settings needs an admin of the active organization
    "acme" (Ada); /orgs/globex/settings answers 403.
  • Sign in as "Pat (pending)": the gateway sends you to the
    choose-organization task, then back to where you were going.
  • /account/status lets pending sessions through (status "pending").
  • Every page lists the X-Auth-* headers the origin received.

  Gateway: wrangler dev on 127.0.0.1:${gatewayPort} (src/, demo/routes.config.ts)
  Origin:  demo/origin.mjs on 127.0.0.1:${originPort}
  Keys:    generated for this run only; no Clerk account involved.
  Ctrl-C stops both.
${line}
`);
}

/** `--origin`'s value: an http(s) URL (a path on it is kept, as ORIGIN_URL keeps one), or exit 2. */
function parseAppOrigin(value) {
  let url;
  try {
    url = value ? new URL(value) : undefined;
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username) {
    console.error(`demo: --origin needs your app's URL, like http://localhost:8000 (got ${JSON.stringify(value ?? '')})`);
    process.exit(2);
  }
  return url.href.replace(/\/+$/, '');
}

function appBanner(demo, appOrigin) {
  const line = '─'.repeat(64);
  const gw = demo.gatewayUrl;
  console.log(`
${line}
  edge-auth-gateway in front of ${appOrigin}

  Open  ${color(1, gw)}   (localhost, not 127.0.0.1: the sign-in
        page shares its cookies)

  • Your routes.config.ts decides; a protected page sends you to the
    demo sign-in at ${demo.signInUrl}
    (Ada: active, admin of "acme"; Pat: pending, then chooses an org).
  • Your app receives X-Auth-* headers and X-Auth-Assertion:
      iss ${gw}   aud ${new URL(appOrigin).origin}
      JWKS ${gw}/.well-known/edge-auth-gateway/jwks.json
      ${demo.ownSigningKey ? '(signed with GATEWAY_SIGNING_KEY from your .dev.vars)' : '(a signing key made for this run)'}
  • Sign out: POST ${gw}/__gateway/sign-out from your page, or open
    ${demo.signInUrl.replace(/\/sign-in$/, '/sign-out')}
  • A token for curl:  npm run token -- --as pending
    (DEMO_ORIGIN_PORT=${new URL(demo.signInUrl).port} GATEWAY_PORT=${new URL(gw).port} if you changed them)

  No Clerk account involved; docs/try-it.md says how to switch to
  your real Clerk keys. Ctrl-C stops both.
${line}
`);
}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`demo: ${name} must be a port number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return port;
}

async function cli() {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: npm run demo [-- --check | --origin <url>]
  --check         start, run a scripted sign-in walk against the gateway, stop; exit 0 if it passed
  --workerd       the gateway self-hosted on workerd (npm run build's bundle) instead of wrangler dev
  --origin <url>  the gateway in front of your own app (e.g. http://localhost:8000) with your
                  routes.config.ts; the demo sign-in runs on DEMO_ORIGIN_PORT (docs/try-it.md)`);
    process.exit(0);
  }
  let appOrigin;
  const unknown = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--check' || arg === '--workerd') continue;
    if (arg === '--origin' || arg.startsWith('--origin=')) {
      const value = arg === '--origin' ? args[++i] : arg.slice('--origin='.length);
      appOrigin = parseAppOrigin(value);
    } else unknown.push(arg);
  }
  if (unknown.length > 0) {
    console.error(`demo: unknown argument(s): ${unknown.join(' ')} (try --help)`);
    process.exit(2);
  }
  const check = args.includes('--check');
  if (check && appOrigin) {
    console.error('demo: --check walks the demo origin; with --origin, try the sign-in in a browser (npm run test:e2e walks one)');
    process.exit(2);
  }
  const gatewayPort = portFromEnv('GATEWAY_PORT', 8787);
  const originPort = portFromEnv('DEMO_ORIGIN_PORT', 8788);

  /** @type {Demo | undefined} */
  let demo;
  const starting = new AbortController();
  let quitting;
  const quit = (code) =>
    (quitting ??= (async () => {
      await demo?.stop();
      process.exit(code);
    })());

  let firstInterrupt = 0;
  process.on('SIGINT', () => {
    // A terminal's Ctrl-C often arrives twice (directly, and forwarded by npm): only a second
    // Ctrl-C pressed later skips the graceful shutdown.
    if (!firstInterrupt) {
      firstInterrupt = Date.now();
      log('stopping…');
    } else if (Date.now() - firstInterrupt > 1000) demo?.kill();
    signalled(130);
  });
  process.on('SIGTERM', () => signalled(143));
  process.on('SIGHUP', () => signalled(129));
  // Before the demo is up, startDemo stops what it started and rejects; the code is kept for then.
  function signalled(code) {
    if (demo) void quit(code);
    else {
      process.exitCode = code;
      starting.abort();
    }
  }

  try {
    demo = await startDemo({ gatewayPort, originPort, logLevel: check ? 'warn' : undefined, log, signal: starting.signal, appOrigin, workerd: args.includes('--workerd') });
  } catch (error) {
    if (starting.signal.aborted) process.exit(process.exitCode);
    fail(error.message);
    process.exit(1);
  }
  log(`gateway ready in ${(demo.readyMs / 1000).toFixed(1)}s`);
  void demo.exited.then((code) => {
    if (!quitting) {
      fail(`the gateway (wrangler or workerd) exited (code ${code})`);
      void quit(code || 1);
    }
  });

  if (check) {
    const ok = await runCheck(demo.gatewayUrl);
    await quit(ok ? 0 : 1);
  } else if (appOrigin) {
    appBanner(demo, appOrigin);
  } else {
    banner(gatewayPort, originPort);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().catch((error) => {
    fail(error.stack ?? String(error));
    process.exit(1);
  });
}
