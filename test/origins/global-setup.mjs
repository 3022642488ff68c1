// Vitest globalSetup for the origins suite (test/origins), run in Node outside workerd:
// - starts the Node framework origins (Express 4, Express 5, Fastify, Koa) in-process;
// - with ORIGINS_EXTERNAL=1 (set by scripts/test-origins.mjs), also Flask, Django, `php -S`, and
//   php-fpm behind nginx and behind Caddy, as child processes, each skipped with a reason when
//   its binary or module is missing or it does not come up;
// - runs a small collector the tests report their per-class counts to, written at teardown to
//   ORIGINS_SUMMARY_FILE when set; it also serves, per origin, the JWKS a test puts there (the
//   gateway's published one), so the verifiers' JWKS-URL mode fetches real bytes, and counts those
//   fetches;
// - makes the assertion keys for the verifier tests (test/origins/verifiers.test.ts): the
//   gateway's current and previous ES256 keys, and the JWKS an origin pastes (both public keys)
//   in a file the Express, Flask, Django and PHP apps read at start;
// - starts the apps guarded as a whole (test/origins/whole-app.test.ts, kind 'whole-app'): an
//   Express app with app.use(gatewayAssertion) in-process, and with ORIGINS_EXTERNAL=1 Flask
//   (before_request), Django (middleware), PHP's auto_prepend_file under `php -S` and under
//   php-fpm behind nginx, and Rack, Sinatra and Rails on Puma (verifiers/ruby), each skipped with
//   a reason when what it needs is missing.
// Everything listens on 127.0.0.1 only (php-fpm on a unix socket in a temp dir), and every server
// and child process is stopped at teardown (children by their process group id).
// Written as plain JavaScript so that `npm run typecheck` (workers types) does not see Node APIs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { exportJWK, generateKeyPair } from 'jose';

import { buildSelfHosted, workerdBinary } from '../../scripts/lib/self-hosted.mjs';
import { caddySite, nginxServer } from './forward-auth-recipes.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const APPS = join(HERE, 'apps');
const VERIFIERS = join(HERE, '..', '..', 'verifiers');

// ---------------------------------------------------------------------------------------------
// The identity assertion (verifiers/): keys, the pasted JWKS, each app's verifier settings

/** The gateway the tests send through (test/helpers.ts GATEWAY): the assertion's `iss`. */
const GATEWAY_ISSUER = 'https://gateway.test';
/**
 * The apps' JWKS-URL mode fetches again for an unknown kid at most once per this many ms (30 s
 * in production): short, so that the test can show the refresh without waiting long.
 */
const JWKS_COOLDOWN_MS = 400;

async function assertionKeys(dir) {
  const make = async (kid) => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return { private: { ...(await exportJWK(privateKey)), kid }, public: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  };
  // `previous` signed before the rotation; `current` signs now, and both are published.
  const [previous, current] = await Promise.all([make('gw-test-previous'), make('gw-test-current')]);
  const jwks = { keys: [current.public, previous.public] };
  const jwksFile = join(dir, 'assertion-jwks.json');
  writeFileSync(jwksFile, JSON.stringify(jwks));
  return { issuer: GATEWAY_ISSUER, current: current.private, previous: previous.private, jwks, jwksFile, cooldownMs: JWKS_COOLDOWN_MS };
}

/** The environment an external app reads its verifier settings from (see apps/python, apps/php). */
function verifierEnv(assertion, jwksBase, name) {
  return {
    GATEWAY_ISSUER: assertion.issuer,
    GATEWAY_JWKS_FILE: assertion.jwksFile,
    GATEWAY_JWKS_URL: `${jwksBase}/jwks/${name}.json`,
    GATEWAY_JWKS_COOLDOWN: String(assertion.cooldownMs / 1000),
  };
}

/** Asks the app whether its verifier loaded (GET /__verifier): 'ok', or why not. */
async function probeVerifier(origin) {
  if (origin.port === undefined) return;
  try {
    const res = await fetch(`http://127.0.0.1:${origin.port}/__verifier`);
    const body = await res.json();
    origin.verifier = typeof body.verifier === 'string' ? body.verifier : `GET /__verifier answered ${res.status}`;
  } catch (error) {
    origin.verifier = `GET /__verifier failed: ${error.message}`;
  }
}

/** @param {import('node:http').Server} server */
function listen(server) {
  // Keep-alive connections stay open until teardown: Node's 5 s idle close races workerd's next
  // request on the same connection (a 502 on a slow machine). See test/servers.ts.
  server.keepAliveTimeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** A free port on 127.0.0.1, for servers that cannot take port 0 and report it (nginx, Caddy). */
async function freePort() {
  const s = createServer();
  const port = await listen(s);
  await closeServer(s);
  return port;
}

/**
 * Writes `ndir/nginx.conf`: one worker, its pid, logs and temp files in `ndir` (which has a `tmp`),
 * as root `user root`, and `servers` (server blocks) in the `http` block.
 */
function writeNginxConfig(ndir, servers) {
  const tmp = join(ndir, 'tmp');
  writeFileSync(
    join(ndir, 'nginx.conf'),
    `${process.getuid?.() === 0 ? 'user root root;\n' : ''}worker_processes 1;
pid ${join(ndir, 'nginx.pid')};
error_log ${join(ndir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${tmp} 1;
  fastcgi_temp_path ${tmp} 1;
  proxy_temp_path ${tmp} 1;
  uwsgi_temp_path ${tmp} 1;
  scgi_temp_path ${tmp} 1;
${servers}}
`,
  );
}

/** nginx's arguments for the config writeNginxConfig wrote in `ndir`, in the foreground. */
function nginxArgs(ndir) {
  return ['-p', ndir, '-e', join(ndir, 'error.log'), '-c', join(ndir, 'nginx.conf'), '-g', 'daemon off;'];
}

/** A Caddyfile's global options: admin API off, no HTTPS, its storage in `cdir`. */
function caddyGlobal(cdir) {
  return `{\n  admin off\n  auto_https off\n  storage file_system ${join(cdir, 'data')}\n}\n`;
}

// ---------------------------------------------------------------------------------------------
// Node frameworks

async function startNodeOrigins(origins, closers, assertion, jwksBase) {
  const [{ expressApp }, { fastifyApp }, { koaApp }] = await Promise.all([
    import('./apps/node/express.mjs'),
    import('./apps/node/fastify.mjs'),
    import('./apps/node/koa.mjs'),
  ]);
  const [express4, express5] = await Promise.all([import('express4'), import('express5')]);
  // The Express apps verify the assertion under /verified (the pasted JWKS) and /verified-remote
  // (the JWKS URL); their audience is their own origin, known once they listen.
  const verifier = (name, port) => ({
    issuer: assertion.issuer,
    audience: `http://127.0.0.1:${port}`,
    jwks: JSON.parse(readFileSync(assertion.jwksFile, 'utf8')),
    jwksUrl: `${jwksBase}/jwks/${name}.json`,
    cooldownDuration: assertion.cooldownMs,
  });
  const plain = [
    ['express4', (port) => expressApp(express4.default, 4, verifier('express4', port))],
    ['express5', (port) => expressApp(express5.default, 5, verifier('express5', port))],
    ['koa', () => koaApp().callback()],
  ];
  for (const [name, make] of plain) {
    const server = createServer();
    const port = await listen(server);
    server.on('request', make(port));
    origins[name] = { kind: 'node', port, ...(name.startsWith('express') ? { verifier: 'ok' } : {}) };
    closers.push(() => closeServer(server));
  }
  // The whole-app verifier test (test/origins/whole-app.test.ts): Express 5 with app.use first.
  const { expressWholeApp } = await import('./apps/node/express-whole-app.mjs');
  const wholeServer = createServer();
  const wholePort = await listen(wholeServer);
  wholeServer.on('request', expressWholeApp(express5.default, { issuer: assertion.issuer, audience: `http://127.0.0.1:${wholePort}`, jwks: JSON.parse(readFileSync(assertion.jwksFile, 'utf8')) }));
  origins['express-whole'] = { kind: 'whole-app', port: wholePort, detail: 'Express 5, app.use(gatewayAssertion(…))' };
  closers.push(() => closeServer(wholeServer));
  const fastify = await fastifyApp();
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  fastify.server.keepAliveTimeout = 0; // as listen() does
  origins.fastify = { kind: 'node', port: fastify.server.address().port };
  closers.push(() => fastify.close());
}

// ---------------------------------------------------------------------------------------------
// External origins (child processes)

const children = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// If vitest dies without running teardown, take the children down with it.
process.once('exit', () => {
  for (const child of children) killGroup(child, 'SIGKILL');
});

/**
 * Spawns a child in its own process group (so its workers stop with it), logging to `log`.
 * `ready` resolves with the port once the child is serving.
 */
function startChild(command, args, { cwd, env, log }) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const onData = (chunk) => {
    output += chunk.toString('utf8');
    if (output.length > 20000) output = output.slice(-10000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (error) => {
    output += `\n${error.message}`;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      children.delete(child);
      return;
    }
    // The leader first, so that it stops and reaps its own workers (php -S, php-fpm, nginx); then
    // whatever is left of its process group.
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const term = setTimeout(() => killGroup(child, 'SIGTERM'), 3000);
    const kill = setTimeout(() => killGroup(child, 'SIGKILL'), 6000);
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
    killGroup(child, 'SIGKILL');
    children.delete(child);
    if (log) writeFileSync(log, output);
  };
  return { child, output: () => output, exited, stop };
}

/** Waits until `test()` finds what it looks for in the child's output, or the child exits. */
async function waitFor(handle, test, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  handle.exited.then(() => (exited = true));
  for (;;) {
    const found = test(handle.output());
    if (found) return found;
    if (exited) throw new Error(`${what} exited: ${handle.output().trim().split('\n').slice(-3).join(' / ')}`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until http://127.0.0.1:port/ answers the app's JSON. */
async function waitHttp(handle, port, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  handle?.exited.then(() => (exited = true));
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/__ready`);
      const body = await res.json().catch(() => undefined);
      if (body && typeof body.framework === 'string') return;
    } catch {
      // not yet
    }
    if (exited) throw new Error(`${what} exited: ${handle.output().trim().split('\n').slice(-3).join(' / ')}`);
    if (Date.now() > deadline) throw new Error(`${what} did not answer on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function which(command) {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A Python that imports `module`: Debian's /usr/bin/python3 first (what test:origins installs into). */
function pythonWith(module) {
  for (const py of ['/usr/bin/python3', which('python3')].filter(Boolean)) {
    const r = spawnSync(py, ['-c', `import ${module}, importlib.metadata as m; print(m.version("${module}"))`], { encoding: 'utf8' });
    if (r.status === 0) return { python: py, version: r.stdout.trim() };
  }
  return undefined;
}

async function startPython(name, module, script, origins, closers, dir, verifier) {
  const found = pythonWith(module);
  if (!found) {
    origins[name] = { kind: 'external', skipped: `no python3 with ${module} (Debian package python3-${module})` };
    return;
  }
  const handle = startChild(found.python, ['-u', join(APPS, 'python', script)], {
    cwd: dir,
    env: { PYTHONDONTWRITEBYTECODE: '1', ...verifier(name) },
    log: join(dir, `${name}.log`),
  });
  closers.push(handle.stop);
  try {
    const port = await waitFor(handle, (out) => Number(/\{"port": (\d+)\}/.exec(out)?.[1]) || undefined, name);
    await waitHttp(handle, port, name);
    origins[name] = { kind: 'external', port, detail: `${module} ${found.version}, ${found.python}` };
  } catch (error) {
    origins[name] = { kind: 'external', skipped: String(error.message) };
    await handle.stop();
  }
}

async function startPhpBuiltin(origins, closers, dir, verifier) {
  const php = which('php');
  if (!php) {
    origins['php-builtin'] = { kind: 'external', skipped: 'no php (Debian package php-cli)' };
    return;
  }
  // A port chosen here rather than by php -S: the app's assertion audience is its own origin.
  const listenPort = await freePort();
  const handle = startChild(php, ['-S', `127.0.0.1:${listenPort}`, '-t', join(APPS, 'php'), join(APPS, 'php', 'index.php')], {
    cwd: dir,
    env: { PHP_CLI_SERVER_WORKERS: '4', ...verifier('php-builtin'), GATEWAY_AUDIENCE: `http://127.0.0.1:${listenPort}` },
    log: join(dir, 'php-builtin.log'),
  });
  closers.push(handle.stop);
  try {
    const port = await waitFor(handle, (out) => Number(/Development Server \(http:\/\/127\.0\.0\.1:(\d+)\)/.exec(out)?.[1]) || undefined, 'php -S');
    await waitHttp(handle, port, 'php -S');
    const version = spawnSync(php, ['-r', 'echo PHP_VERSION;'], { encoding: 'utf8' }).stdout.trim();
    origins['php-builtin'] = { kind: 'external', port, detail: `php -S, PHP ${version}` };
  } catch (error) {
    origins['php-builtin'] = { kind: 'external', skipped: String(error.message) };
    await handle.stop();
  }
}

function phpFpmBinary() {
  return which('php-fpm') ?? ['8.4', '8.3', '8.2', '8.1'].map((v) => which(`php-fpm${v}`) ?? which(`/usr/sbin/php-fpm${v}`)).find(Boolean);
}

/** php-fpm on a unix socket in `dir`, shared by nginx and Caddy. Resolves with the socket path. */
async function startPhpFpm(closers, dir, assertion) {
  const fpm = phpFpmBinary();
  if (!fpm) throw new Error('no php-fpm (Debian package php-fpm)');
  const socket = join(dir, 'php-fpm.sock');
  const root = process.getuid?.() === 0;
  writeFileSync(
    join(dir, 'php-fpm.conf'),
    [
      '[global]',
      `pid = ${join(dir, 'php-fpm.pid')}`,
      `error_log = ${join(dir, 'php-fpm-error.log')}`,
      'daemonize = no',
      '[origins]',
      `listen = ${socket}`,
      'listen.mode = 0666',
      ...(root ? ['user = root', 'group = root'] : []),
      'pm = static',
      'pm.max_children = 4',
      'catch_workers_output = yes',
      // The verifier settings both servers share; the audience and JWKS URL are each server's own
      // (fastcgi_param in nginx, env in Caddy).
      `env[GATEWAY_ISSUER] = ${assertion.issuer}`,
      `env[GATEWAY_JWKS_FILE] = ${assertion.jwksFile}`,
      `env[GATEWAY_JWKS_COOLDOWN] = ${assertion.cooldownMs / 1000}`,
      `env[GATEWAY_JWKS_CACHE_DIR] = ${join(dir, 'php-jwks-cache')}`,
      // The whole-site pool (test/origins/whole-app.test.ts): every script behind the prepended
      // verifier, as the cookbook's PHP-FPM recipe configures it; the audience is nginx's param.
      '[whole]',
      `listen = ${join(dir, 'php-fpm-whole.sock')}`,
      'listen.mode = 0666',
      ...(root ? ['user = root', 'group = root'] : []),
      'pm = static',
      'pm.max_children = 2',
      'catch_workers_output = yes',
      `php_admin_value[auto_prepend_file] = ${join(VERIFIERS, 'php', 'gateway_prepend.php')}`,
      `env[GATEWAY_ISSUER] = ${assertion.issuer}`,
      `env[GATEWAY_JWKS_FILE] = ${assertion.jwksFile}`,
      '',
    ].join('\n'),
  );
  const handle = startChild(fpm, ['--nodaemonize', '--fpm-config', join(dir, 'php-fpm.conf'), ...(root ? ['--allow-to-run-as-root'] : [])], {
    cwd: dir,
    log: join(dir, 'php-fpm.log'),
  });
  closers.push(handle.stop);
  await waitFor(handle, () => existsSync(socket) && existsSync(join(dir, 'php-fpm-whole.sock')), 'php-fpm');
  const version = spawnSync(fpm, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.replace(/ \(built:.*/, '').trim();
  return { socket, wholeSocket: join(dir, 'php-fpm-whole.sock'), version };
}

async function startNginx(origins, closers, dir, fpm, jwksBase) {
  const nginx = which('nginx') ?? which('/usr/sbin/nginx');
  if (!nginx) {
    origins['php-fpm-nginx'] = { kind: 'external', skipped: 'no nginx (Debian package nginx-light)' };
    return;
  }
  const port = await freePort();
  const ndir = join(dir, 'nginx');
  mkdirSync(join(ndir, 'tmp'), { recursive: true });
  // A stock front-controller setup (as Laravel's and Symfony's docs give it): files if they
  // exist, else index.php, with /etc/nginx/fastcgi_params (REQUEST_URI = $request_uri).
  writeNginxConfig(
    ndir,
    `  server {
    listen 127.0.0.1:${port};
    root ${join(APPS, 'php')};
    index index.php;
    location / {
      try_files $uri $uri/ /index.php?$query_string;
    }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
      fastcgi_param GATEWAY_AUDIENCE http://127.0.0.1:${port};
      fastcgi_param GATEWAY_JWKS_URL ${jwksBase}/jwks/php-fpm-nginx.json;
      fastcgi_pass unix:${fpm.socket};
    }
  }
`,
  );
  const handle = startChild(nginx, nginxArgs(ndir), { cwd: ndir, log: join(dir, 'nginx.log') });
  closers.push(handle.stop);
  try {
    await waitHttp(handle, port, 'nginx + php-fpm');
    const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
    origins['php-fpm-nginx'] = { kind: 'external', port, detail: `${version}, ${fpm.version}` };
  } catch (error) {
    origins['php-fpm-nginx'] = { kind: 'external', skipped: String(error.message) };
    await handle.stop();
  }
}

async function startCaddy(origins, closers, dir, fpm, jwksBase) {
  const caddy = which('caddy');
  if (!caddy) {
    origins['php-fpm-caddy'] = { kind: 'external', skipped: 'no caddy (Debian package caddy)' };
    return;
  }
  const port = await freePort();
  const cdir = join(dir, 'caddy');
  mkdirSync(cdir, { recursive: true });
  // Caddy's stock PHP site: php_fastcgi (try files, else index.php), admin API off, no HTTPS.
  // The gateway (127.0.0.1 here) is a trusted proxy, as it must be for Caddy to pass its
  // X-Forwarded-Host on instead of replacing it with its own Host.
  writeFileSync(
    join(cdir, 'Caddyfile'),
    `${caddyGlobal(cdir)}http://127.0.0.1:${port} {
  bind 127.0.0.1
  root * ${join(APPS, 'php')}
  php_fastcgi unix/${fpm.socket} {
    trusted_proxies 127.0.0.1/32
    env GATEWAY_AUDIENCE http://127.0.0.1:${port}
    env GATEWAY_JWKS_URL ${jwksBase}/jwks/php-fpm-caddy.json
  }
}
`,
  );
  const handle = startChild(caddy, ['run', '--config', join(cdir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    cwd: cdir,
    env: { HOME: cdir, XDG_DATA_HOME: join(cdir, 'data'), XDG_CONFIG_HOME: join(cdir, 'config') },
    log: join(dir, 'caddy.log'),
  });
  closers.push(handle.stop);
  try {
    await waitHttp(handle, port, 'caddy + php-fpm');
    const version = spawnSync(caddy, ['version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0];
    origins['php-fpm-caddy'] = { kind: 'external', port, detail: `Caddy ${version}, ${fpm.version}` };
  } catch (error) {
    origins['php-fpm-caddy'] = { kind: 'external', skipped: String(error.message) };
    await handle.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Apps guarded as a whole (test/origins/whole-app.test.ts)

/** The settings every whole-app app reads: its port, and its verifier's (the pasted JWKS). */
function wholeAppEnv(assertion, port) {
  return { PORT: String(port), GATEWAY_ISSUER: assertion.issuer, GATEWAY_AUDIENCE: `http://127.0.0.1:${port}`, GATEWAY_JWKS_FILE: assertion.jwksFile };
}

/**
 * Waits until http://127.0.0.1:port/ answers HTTP at all: whether it answers as a guarded app
 * should (401 without an assertion) is the tests' to judge, so that a broken guard fails them
 * instead of being skipped. The app may not use its `__ready` path: it is behind the guard.
 */
async function waitAnswering(handle, port, what, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  handle?.exited.then(() => (exited = true));
  for (;;) {
    try {
      await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
      return;
    } catch {
      // not yet
    }
    if (exited) throw new Error(`${what} exited: ${handle.output().trim().split('\n').slice(-3).join(' / ')}`);
    if (Date.now() > deadline) throw new Error(`${what} did not answer on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startWholeChild(name, command, args, { origins, closers, dir, assertion, detail, env = {}, port }) {
  const listenPort = port ?? (await freePort());
  const handle = startChild(command, args, { cwd: dir, env: { ...wholeAppEnv(assertion, listenPort), ...env }, log: join(dir, `${name}.log`) });
  closers.push(handle.stop);
  try {
    await waitAnswering(handle, listenPort, name);
    origins[name] = { kind: 'whole-app', port: listenPort, detail };
  } catch (error) {
    origins[name] = { kind: 'whole-app', skipped: String(error.message) };
    await handle.stop();
  }
}

/** What a Ruby needs for `libraries` (require names), or why not: [ruby, versions] or a reason. */
function rubyWith(libraries, packages) {
  const ruby = which('ruby');
  if (!ruby) return { reason: `no ruby (Debian packages ruby ${packages})` };
  const script = `${libraries.map((l) => `require ${JSON.stringify(l)}`).join('; ')}; print "ruby #{RUBY_VERSION}"`;
  const r = spawnSync(ruby, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) return { reason: `ruby cannot require ${libraries.join(', ')} (Debian packages ${packages}): ${r.stderr.trim().split('\n')[0]}` };
  return { ruby, version: r.stdout.trim() };
}

async function startWholeApps(origins, closers, dir, assertion, fpm) {
  const context = { origins, closers, dir, assertion };
  const starts = [];
  for (const [name, module, script] of [
    ['flask-whole', 'flask', 'flask_whole_app.py'],
    ['django-whole', 'django', 'django_whole_app.py'],
  ]) {
    const found = pythonWith(module);
    // PyJWT's distribution is not named like its module: import it, with cryptography for ES256.
    const jwt = found && spawnSync(found.python, ['-c', 'import jwt.algorithms as a; assert a.has_crypto'], { encoding: 'utf8' }).status === 0;
    if (!found || !jwt) origins[name] = { kind: 'whole-app', skipped: `no python3 with ${module} and jwt (Debian packages python3-${module} python3-jwt python3-cryptography)` };
    else starts.push(startWholeChild(name, found.python, ['-u', join(APPS, 'python', script)], { ...context, detail: `${module} ${found.version}`, env: { PYTHONDONTWRITEBYTECODE: '1' } }));
  }

  const php = which('php');
  const prepend = join(VERIFIERS, 'php', 'gateway_prepend.php');
  if (!php) origins['php-builtin-whole'] = { kind: 'whole-app', skipped: 'no php (Debian package php-cli)' };
  else {
    const port = await freePort();
    starts.push(
      startWholeChild('php-builtin-whole', php, ['-d', `auto_prepend_file=${prepend}`, '-S', `127.0.0.1:${port}`, '-t', join(APPS, 'php-whole')], {
        ...context,
        port,
        detail: 'php -S -d auto_prepend_file',
        env: { PHP_CLI_SERVER_WORKERS: '2' },
      }),
    );
  }
  if (fpm) starts.push(startNginxWhole(origins, closers, dir, fpm), startNginxStatic(origins, closers, dir, fpm));
  else for (const name of ['php-fpm-nginx-whole', 'static-nginx']) origins[name] = { kind: 'whole-app', skipped: 'no php-fpm (Debian package php-fpm)' };

  for (const app of ['rack', 'sinatra', 'rails']) {
    const libraries = { rack: ['jwt', 'rack', 'puma'], sinatra: ['jwt', 'sinatra/base', 'puma'], rails: ['jwt', 'rails', 'action_controller/railtie', 'puma'] }[app];
    const packages = { rack: 'ruby-jwt ruby-rack puma', sinatra: 'ruby-jwt ruby-sinatra puma', rails: 'ruby-jwt ruby-railties puma' }[app];
    const found = rubyWith(libraries, packages);
    if (!found.ruby) origins[`${app}-whole`] = { kind: 'whole-app', skipped: found.reason };
    else starts.push(startWholeChild(`${app}-whole`, found.ruby, [join(APPS, 'ruby', 'rack_app.rb')], { ...context, detail: `${app} on Puma, ${found.version}`, env: { APP: app } }));
  }
  await Promise.all(starts);
}

/** nginx in front of php-fpm's whole-site pool: the cookbook's PHP-FPM recipe. */
async function startNginxWhole(origins, closers, dir, fpm) {
  const nginx = which('nginx') ?? which('/usr/sbin/nginx');
  if (!nginx) {
    origins['php-fpm-nginx-whole'] = { kind: 'whole-app', skipped: 'no nginx (Debian package nginx-light)' };
    return;
  }
  const port = await freePort();
  const ndir = join(dir, 'nginx-whole');
  mkdirSync(join(ndir, 'tmp'), { recursive: true });
  writeNginxConfig(
    ndir,
    `  server {
    listen 127.0.0.1:${port};
    root ${join(APPS, 'php-whole')};
    index index.php;
    location / {
      try_files $uri $uri/ /index.php?$query_string;
    }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
      fastcgi_param GATEWAY_AUDIENCE http://127.0.0.1:${port};
      fastcgi_pass unix:${fpm.wholeSocket};
    }
  }
`,
  );
  const handle = startChild(nginx, nginxArgs(ndir), { cwd: ndir, log: join(dir, 'nginx-whole.log') });
  closers.push(handle.stop);
  try {
    await waitAnswering(handle, port, 'nginx + php-fpm (auto_prepend_file)');
    origins['php-fpm-nginx-whole'] = { kind: 'whole-app', port, detail: `nginx + ${fpm.version}, auto_prepend_file` };
  } catch (error) {
    origins['php-fpm-nginx-whole'] = { kind: 'whole-app', skipped: String(error.message) };
    await handle.stop();
  }
}

/**
 * A static site: nginx serves files, and asks the PHP verifier first for each request
 * (auth_request to gateway_prepend.php on php-fpm's plain pool): the cookbook's static-site recipe.
 */
async function startNginxStatic(origins, closers, dir, fpm) {
  const nginx = which('nginx') ?? which('/usr/sbin/nginx');
  if (!nginx) {
    origins['static-nginx'] = { kind: 'whole-app', skipped: 'no nginx (Debian package nginx-light)' };
    return;
  }
  const port = await freePort();
  const ndir = join(dir, 'nginx-static');
  mkdirSync(join(ndir, 'tmp'), { recursive: true });
  writeNginxConfig(
    ndir,
    `  server {
    listen 127.0.0.1:${port};
    root ${join(APPS, 'static')};
    location / {
      auth_request /__gateway_verify;
      try_files $uri $uri/index.html $uri.html =404;
    }
    location = /__gateway_verify {
      internal;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME ${join(VERIFIERS, 'php', 'gateway_prepend.php')};
      fastcgi_param CONTENT_LENGTH "";
      fastcgi_pass_request_body off;
      fastcgi_param GATEWAY_AUDIENCE http://127.0.0.1:${port};
      fastcgi_pass unix:${fpm.socket};
    }
  }
`,
  );
  const handle = startChild(nginx, nginxArgs(ndir), { cwd: ndir, log: join(dir, 'nginx-static.log') });
  closers.push(handle.stop);
  try {
    await waitAnswering(handle, port, 'nginx (static, auth_request)');
    origins['static-nginx'] = { kind: 'whole-app', port, detail: `nginx auth_request + ${fpm.version}` };
  } catch (error) {
    origins['static-nginx'] = { kind: 'whole-app', skipped: String(error.message) };
    await handle.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Forward auth (test/origins/forward-auth.test.ts, docs/forward-auth.md): the gateway self-hosted
// on workerd (`npm run build`'s bundle of forward-auth-worker.ts), asked by nginx and by Caddy in
// front of php-fpm, each configured by forward-auth-recipes.mjs.

/** The gateway on workerd with its forward-auth endpoint, settings as the workerd tests have them. Resolves with its URL and secret. */
async function startForwardAuthGateway(closers, dir, provided, echoBase) {
  const outdir = join(dir, 'forward-auth-gateway');
  const { config } = buildSelfHosted({ entry: join(HERE, 'forward-auth-worker.ts'), outdir });
  const port = await freePort();
  const secret = randomBytes(32).toString('hex');
  const env = {
    // The collector's echo (GET /echo): what the self-hosted gateway forwards, seen from the origin.
    ORIGIN_URL: echoBase,
    CLERK_PUBLISHABLE_KEY: `pk_live_${Buffer.from('clerk.gateway.test$').toString('base64')}`,
    CLERK_SECRET_KEY: 'sk_live_testsecret',
    CLERK_JWT_KEY: provided.instancePublicPem,
    CLERK_API_URL: `http://127.0.0.1:${provided.bapiPort}`,
    // The tests' tokens are minted for https://gateway.test (the corpus's); the proxies serve 127.0.0.1.
    CLERK_AUTHORIZED_PARTIES: 'https://gateway.test',
    FORWARD_AUTH_PATH: '/__gateway/forward-auth',
    FORWARD_AUTH_SECRET: secret,
    LOG_LEVEL: 'error',
  };
  const handle = startChild(workerdBinary(), ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { cwd: outdir, env, log: join(dir, 'forward-auth-gateway.log') });
  closers.push(handle.stop);
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/__gateway/health`)).status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`the gateway on workerd did not answer: ${handle.output().slice(-300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, secret };
}

async function startForwardAuthNginx(origins, closers, dir, fpm, gateway) {
  const nginx = which('nginx') ?? which('/usr/sbin/nginx');
  if (!nginx) {
    origins['forward-auth-nginx'] = { kind: 'forward-auth', skipped: 'no nginx (Debian package nginx-light)' };
    return;
  }
  const port = await freePort();
  const ndir = join(dir, 'nginx-forward-auth');
  mkdirSync(join(ndir, 'tmp'), { recursive: true });
  const server = nginxServer({ listen: `127.0.0.1:${port}`, gateway: gateway.url, secret: gateway.secret, root: join(APPS, 'php'), fastcgiPass: `unix:${fpm.socket}` });
  writeNginxConfig(ndir, server);
  const handle = startChild(nginx, nginxArgs(ndir), { cwd: ndir, log: join(dir, 'nginx-forward-auth.log') });
  closers.push(handle.stop);
  try {
    await waitHttp(handle, port, 'nginx auth_request → gateway');
    const version = spawnSync(nginx, ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
    origins['forward-auth-nginx'] = { kind: 'forward-auth', port, detail: `${version} auth_request, ${fpm.version}`, style: 'nginx' };
  } catch (error) {
    origins['forward-auth-nginx'] = { kind: 'forward-auth', skipped: String(error.message) };
    await handle.stop();
  }
}

async function startForwardAuthCaddy(origins, closers, dir, fpm, gateway) {
  const caddy = which('caddy');
  if (!caddy) {
    origins['forward-auth-caddy'] = { kind: 'forward-auth', skipped: 'no caddy (Debian package caddy)' };
    return;
  }
  const port = await freePort();
  const cdir = join(dir, 'caddy-forward-auth');
  mkdirSync(cdir, { recursive: true });
  const site = caddySite({ address: `http://127.0.0.1:${port}`, gateway: gateway.url, secret: gateway.secret, root: join(APPS, 'php'), fastcgi: `unix/${fpm.socket}` });
  writeFileSync(join(cdir, 'Caddyfile'), `${caddyGlobal(cdir)}${site}`);
  const handle = startChild(caddy, ['run', '--config', join(cdir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    cwd: cdir,
    env: { HOME: cdir, XDG_DATA_HOME: join(cdir, 'data'), XDG_CONFIG_HOME: join(cdir, 'config') },
    log: join(dir, 'caddy-forward-auth.log'),
  });
  closers.push(handle.stop);
  try {
    await waitHttp(handle, port, 'Caddy forward_auth → gateway');
    const version = spawnSync(caddy, ['version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0];
    origins['forward-auth-caddy'] = { kind: 'forward-auth', port, detail: `Caddy ${version} forward_auth (written out), ${fpm.version}`, style: 'caddy' };
  } catch (error) {
    origins['forward-auth-caddy'] = { kind: 'forward-auth', skipped: String(error.message) };
    await handle.stop();
  }
}

async function startForwardAuth(origins, closers, dir, fpm, provided, echoBase) {
  const names = ['forward-auth-nginx', 'forward-auth-caddy'];
  // Traefik has no Debian package: its recipe is in docs/forward-auth.md, untested here.
  origins['forward-auth-traefik'] = { kind: 'forward-auth', skipped: 'Traefik is not packaged in Debian (recipe in docs/forward-auth.md, untested)' };
  if (!fpm) {
    for (const name of names) origins[name] = { kind: 'forward-auth', skipped: 'no php-fpm (Debian package php-fpm)' };
    return;
  }
  let gateway;
  try {
    gateway = await startForwardAuthGateway(closers, dir, provided, echoBase);
  } catch (error) {
    for (const name of names) origins[name] = { kind: 'forward-auth', skipped: `the gateway on workerd did not start: ${error.message}` };
    return;
  }
  await Promise.all([startForwardAuthNginx(origins, closers, dir, fpm, gateway), startForwardAuthCaddy(origins, closers, dir, fpm, gateway)]);
  // Sent from here, not from the tests: workerd's own fetch drops a CF-Connecting-IP header before it leaves.
  const probe = await fetch(`${gateway.url}/echo`, { headers: { 'cf-connecting-ip': '6.6.6.6', 'x-forwarded-for': '7.7.7.7' } })
    .then(async (res) => ({ status: res.status, headers: (await res.json()).headers }))
    .catch((error) => ({ status: 0, headers: {}, error: String(error.message) }));
  for (const name of names) if (origins[name].port !== undefined) Object.assign(origins[name], { gateway: gateway.url, clientIpProbe: probe });
}

async function startExternalOrigins(origins, closers, dir, assertion, jwksBase, provided) {
  const verifier = (name) => verifierEnv(assertion, jwksBase, name);
  mkdirSync(join(dir, 'php-jwks-cache'), { recursive: true });
  await Promise.all([
    startPython('flask', 'flask', 'flask_app.py', origins, closers, dir, verifier),
    startPython('django', 'django', 'django_app.py', origins, closers, dir, verifier),
    startPhpBuiltin(origins, closers, dir, (name) => ({ ...verifier(name), GATEWAY_JWKS_CACHE_DIR: join(dir, 'php-jwks-cache') })),
    (async () => {
      let fpm;
      try {
        fpm = await startPhpFpm(closers, dir, assertion);
      } catch (error) {
        for (const name of ['php-fpm-nginx', 'php-fpm-caddy']) origins[name] = { kind: 'external', skipped: String(error.message) };
        await Promise.all([startWholeApps(origins, closers, dir, assertion, undefined), startForwardAuth(origins, closers, dir, undefined, provided, jwksBase)]);
        return;
      }
      await Promise.all([
        startNginx(origins, closers, dir, fpm, jwksBase),
        startCaddy(origins, closers, dir, fpm, jwksBase),
        startWholeApps(origins, closers, dir, assertion, fpm),
        startForwardAuth(origins, closers, dir, fpm, provided, jwksBase),
      ]);
    })(),
  ]);
  // Each app says whether its verifier loaded (PyJWT + cryptography, PHP's openssl).
  await Promise.all(Object.values(origins).filter((o) => o.kind === 'external').map(probeVerifier));
}

// ---------------------------------------------------------------------------------------------

export default async function setup(project) {
  const origins = {};
  const closers = [];
  const reports = [];
  const external = process.env.ORIGINS_EXTERNAL === '1';
  const dir = mkdtempSync(join(tmpdir(), 'origins-suite-'));

  // The JWKS each origin's verifier fetches in its JWKS-URL mode (GET /jwks/<origin>.json), as a
  // test put it there (PUT, the gateway's own JWKS response), and how often it was fetched.
  const jwksServed = new Map();
  const jwksHits = new Map();
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const jwks = /^\/jwks\/([\w.-]+)\.json$/.exec(req.url ?? '')?.[1];
      const hits = /^\/jwks-hits\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
      if (jwks && req.method === 'PUT') {
        jwksServed.set(jwks, body);
        res.end('{}');
      } else if (jwks && req.method === 'GET') {
        jwksHits.set(jwks, (jwksHits.get(jwks) ?? 0) + 1);
        const served = jwksServed.get(jwks);
        res.writeHead(served === undefined ? 503 : 200, { 'content-type': 'application/jwk-set+json' });
        res.end(served ?? '{"error":"no JWKS put here yet"}');
      } else if (req.url?.startsWith('/echo')) {
        // What a gateway forwarded here (the self-hosted one of the forward-auth tests).
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ framework: 'echo', handler: 'public', headers: req.headers }));
      } else if (hits) {
        res.end(JSON.stringify({ count: jwksHits.get(hits) ?? 0 }));
      } else {
        try {
          if (req.method === 'POST' && req.url === '/report') reports.push(JSON.parse(body));
        } catch {
          // ignore a malformed report
        }
        res.end('{}');
      }
    });
  });
  const reportPort = await listen(collector);
  closers.push(() => closeServer(collector));
  const jwksBase = `http://127.0.0.1:${reportPort}`;
  const assertion = await assertionKeys(dir);

  try {
    await startNodeOrigins(origins, closers, assertion, jwksBase);
    if (external) await startExternalOrigins(origins, closers, dir, assertion, jwksBase, project.getProvidedContext());
  } catch (error) {
    await Promise.all(closers.map((c) => c().catch(() => {})));
    throw error;
  }

  project.provide('originsSuite', { origins, reportPort, assertion });

  return async () => {
    await Promise.all(closers.reverse().map((close) => close().catch(() => {})));
    if (process.env.ORIGINS_SUMMARY_FILE) {
      const keep = external && process.env.ORIGINS_KEEP_LOGS === '1';
      writeFileSync(process.env.ORIGINS_SUMMARY_FILE, JSON.stringify({ origins, reports, logs: keep ? dir : undefined }, null, 2));
    }
    if (!(external && process.env.ORIGINS_KEEP_LOGS === '1')) rmSync(dir, { recursive: true, force: true });
  };
}
