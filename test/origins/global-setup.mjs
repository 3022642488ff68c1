// Vitest globalSetup for the origins suite (test/origins), run in Node outside workerd:
// - starts the Node framework origins (Express 4, Express 5, Fastify, Koa) in-process;
// - with ORIGINS_EXTERNAL=1 (set by scripts/test-origins.mjs), also Flask, Django, `php -S`, and
//   php-fpm behind nginx and behind Caddy, as child processes, each skipped with a reason when
//   its binary or module is missing or it does not come up;
// - runs a small collector the tests report their per-class counts to, written at teardown to
//   ORIGINS_SUMMARY_FILE when set.
// Everything listens on 127.0.0.1 only (php-fpm on a unix socket in a temp dir), and every server
// and child process is stopped at teardown (children by their process group id).
// Written as plain JavaScript so that `npm run typecheck` (workers types) does not see Node APIs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const APPS = join(HERE, 'apps');

/** @param {import('node:http').Server} server */
function listen(server) {
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

// ---------------------------------------------------------------------------------------------
// Node frameworks

async function startNodeOrigins(origins, closers) {
  const [{ expressApp }, { fastifyApp }, { koaApp }] = await Promise.all([
    import('./apps/node/express.mjs'),
    import('./apps/node/fastify.mjs'),
    import('./apps/node/koa.mjs'),
  ]);
  const [express4, express5] = await Promise.all([import('express4'), import('express5')]);
  const plain = [
    ['express4', () => createServer(expressApp(express4.default, 4))],
    ['express5', () => createServer(expressApp(express5.default, 5))],
    ['koa', () => createServer(koaApp().callback())],
  ];
  for (const [name, make] of plain) {
    const server = make();
    origins[name] = { kind: 'node', port: await listen(server) };
    closers.push(() => closeServer(server));
  }
  const fastify = await fastifyApp();
  await fastify.listen({ port: 0, host: '127.0.0.1' });
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

async function startPython(name, module, script, origins, closers, dir) {
  const found = pythonWith(module);
  if (!found) {
    origins[name] = { kind: 'external', skipped: `no python3 with ${module} (Debian package python3-${module})` };
    return;
  }
  const handle = startChild(found.python, ['-u', join(APPS, 'python', script)], {
    cwd: dir,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
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

async function startPhpBuiltin(origins, closers, dir) {
  const php = which('php');
  if (!php) {
    origins['php-builtin'] = { kind: 'external', skipped: 'no php (Debian package php-cli)' };
    return;
  }
  const handle = startChild(php, ['-S', '127.0.0.1:0', '-t', join(APPS, 'php'), join(APPS, 'php', 'index.php')], {
    cwd: dir,
    env: { PHP_CLI_SERVER_WORKERS: '4' },
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
async function startPhpFpm(closers, dir) {
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
      '',
    ].join('\n'),
  );
  const handle = startChild(fpm, ['--nodaemonize', '--fpm-config', join(dir, 'php-fpm.conf'), ...(root ? ['--allow-to-run-as-root'] : [])], {
    cwd: dir,
    log: join(dir, 'php-fpm.log'),
  });
  closers.push(handle.stop);
  await waitFor(handle, () => existsSync(socket), 'php-fpm');
  const version = spawnSync(fpm, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]?.replace(/ \(built:.*/, '').trim();
  return { socket, version };
}

async function startNginx(origins, closers, dir, fpm) {
  const nginx = which('nginx') ?? which('/usr/sbin/nginx');
  if (!nginx) {
    origins['php-fpm-nginx'] = { kind: 'external', skipped: 'no nginx (Debian package nginx-light)' };
    return;
  }
  const port = await freePort();
  const ndir = join(dir, 'nginx');
  mkdirSync(join(ndir, 'tmp'), { recursive: true });
  const root = process.getuid?.() === 0;
  // A stock front-controller setup (as Laravel's and Symfony's docs give it): files if they
  // exist, else index.php, with /etc/nginx/fastcgi_params (REQUEST_URI = $request_uri).
  writeFileSync(
    join(ndir, 'nginx.conf'),
    `${root ? 'user root root;\n' : ''}worker_processes 1;
pid ${join(ndir, 'nginx.pid')};
error_log ${join(ndir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(ndir, 'tmp')} 1;
  fastcgi_temp_path ${join(ndir, 'tmp')} 1;
  proxy_temp_path ${join(ndir, 'tmp')} 1;
  uwsgi_temp_path ${join(ndir, 'tmp')} 1;
  scgi_temp_path ${join(ndir, 'tmp')} 1;
  server {
    listen 127.0.0.1:${port};
    root ${join(APPS, 'php')};
    index index.php;
    location / {
      try_files $uri $uri/ /index.php?$query_string;
    }
    location ~ \\.php$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME $realpath_root$fastcgi_script_name;
      fastcgi_pass unix:${fpm.socket};
    }
  }
}
`,
  );
  const handle = startChild(nginx, ['-p', ndir, '-e', join(ndir, 'error.log'), '-c', join(ndir, 'nginx.conf'), '-g', 'daemon off;'], {
    cwd: ndir,
    log: join(dir, 'nginx.log'),
  });
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

async function startCaddy(origins, closers, dir, fpm) {
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
    `{
  admin off
  auto_https off
  storage file_system ${join(cdir, 'data')}
}
http://127.0.0.1:${port} {
  bind 127.0.0.1
  root * ${join(APPS, 'php')}
  php_fastcgi unix/${fpm.socket} {
    trusted_proxies 127.0.0.1/32
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

async function startExternalOrigins(origins, closers, dir) {
  await Promise.all([
    startPython('flask', 'flask', 'flask_app.py', origins, closers, dir),
    startPython('django', 'django', 'django_app.py', origins, closers, dir),
    startPhpBuiltin(origins, closers, dir),
    (async () => {
      let fpm;
      try {
        fpm = await startPhpFpm(closers, dir);
      } catch (error) {
        for (const name of ['php-fpm-nginx', 'php-fpm-caddy']) origins[name] = { kind: 'external', skipped: String(error.message) };
        return;
      }
      await Promise.all([startNginx(origins, closers, dir, fpm), startCaddy(origins, closers, dir, fpm)]);
    })(),
  ]);
}

// ---------------------------------------------------------------------------------------------

export default async function setup(project) {
  const origins = {};
  const closers = [];
  const reports = [];
  const external = process.env.ORIGINS_EXTERNAL === '1';
  const dir = mkdtempSync(join(tmpdir(), 'origins-suite-'));

  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      try {
        if (req.method === 'POST' && req.url === '/report') reports.push(JSON.parse(body));
      } catch {
        // ignore a malformed report
      }
      res.end('{}');
    });
  });
  const reportPort = await listen(collector);
  closers.push(() => closeServer(collector));

  try {
    await startNodeOrigins(origins, closers);
    if (external) await startExternalOrigins(origins, closers, dir);
  } catch (error) {
    await Promise.all(closers.map((c) => c().catch(() => {})));
    throw error;
  }

  project.provide('originsSuite', { origins, reportPort });

  return async () => {
    await Promise.all(closers.reverse().map((close) => close().catch(() => {})));
    if (process.env.ORIGINS_SUMMARY_FILE) {
      const keep = external && process.env.ORIGINS_KEEP_LOGS === '1';
      writeFileSync(process.env.ORIGINS_SUMMARY_FILE, JSON.stringify({ origins, reports, logs: keep ? dir : undefined }, null, 2));
    }
    if (!(external && process.env.ORIGINS_KEEP_LOGS === '1')) rmSync(dir, { recursive: true, force: true });
  };
}
