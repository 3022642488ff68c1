#!/usr/bin/env node
// `npm run check:routes` (run before `npm run dev` and `npm run deploy`): load routes.config.ts the
// way the Worker does at start, read the settings the project gives it (wrangler.toml [vars], then
// .dev.vars over them; placeholders for what is absent, such as the CLERK_SECRET_KEY secret), and
// build the runtime from both, so what the Worker would refuse at its first request (a sign-in page
// that a rule protects, a bad setting) is refused here, before anything is uploaded. Also: a rule's
// origin.binding that wrangler.toml does not bind, and a rule's hosts that none of wrangler.toml's
// routes serve. Every problem is listed; exit 1 when there is any.
//
// The project is the current directory: its routes.config.ts, wrangler.toml and .dev.vars.
//
//   --dev     (npm run dev) the settings `wrangler dev` gives the Worker: [vars] and .dev.vars,
//             nothing assumed: a missing CLERK_SECRET_KEY stops `npm run dev` before it starts.
//   --deploy  (npm run deploy) the settings `wrangler deploy` gives it: [vars] and the secrets the
//             Worker has on Cloudflare (`wrangler secret list`), never .dev.vars, which is not
//             uploaded. When the secrets cannot be listed (offline, not logged in) it says so.
// Clerk's SDK prints a telemetry notice when a development instance's client is created; not here.
process.env.CLERK_TELEMETRY_DISABLED ??= '1';

import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { loadGateway, loadRoutes, readProject, ROOT, settingsEnv } from './lib/project.mjs';

const args = process.argv.slice(2);
const unknownArgs = args.filter((a) => a !== '--dev' && a !== '--deploy');
if (unknownArgs.length > 0 || args.length > 1) {
  console.error(`check:routes: unknown argument(s) ${args.join(' ')}; usage: check-routes.mjs [--dev | --deploy]`);
  process.exit(2);
}
const mode = args[0] === '--dev' ? 'dev' : args[0] === '--deploy' ? 'deploy' : 'check';

/**
 * The names of the Worker's secrets on Cloudflare (`wrangler secret list --format json`), or the
 * reason they could not be listed. Never interactive (no login prompt), at most 60 s.
 */
function listSecrets() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'secret', 'list', '--format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', WRANGLER_HIDE_BANNER: 'true' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (error) => resolve({ error: error.message }));
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        if (code === 0) return resolve({ names: JSON.parse(out).map((s) => s.name) });
      } catch {
        // not JSON: reported below
      }
      // wrangler's own error line, without its colours and log-file note.
      const text = `${out}\n${err}`.replace(/\x1b\[[0-9;]*m/g, '');
      const line = text.split('\n').map((l) => l.trim()).find((l) => /ERROR|error/.test(l)) ?? (code === null ? 'timed out after 60 s' : `exit code ${code}`);
      resolve({ error: line.replace(/^✘\s*\[ERROR\]\s*/, '') });
    });
  });
}

/** The host of a Workers route pattern (`app.example.com/*`, `*example.com/*`, a custom domain). */
function routeHost(pattern) {
  return pattern.replace(/^[a-z*]*:\/\//i, '').split('/')[0].split(':')[0].toLowerCase();
}

/** A route host with `*` wildcards (Cloudflare's: any characters) against one host name. */
function globMatches(glob, host) {
  const source = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`).test(host);
}

/** Whether some host serves both a rule's `hosts` entry (`app.example.com`, `*.example.com`) and a route pattern's host. */
function overlaps(ruleHost, host) {
  if (!ruleHost.startsWith('*.')) return globMatches(host, ruleHost);
  const domain = ruleHost.slice(1); // ".example.com": a subdomain, never example.com itself
  if (!host.includes('*')) return host.endsWith(domain) && host.length > domain.length;
  if (host.startsWith('*') && !host.slice(1).includes('*')) {
    const suffix = host.slice(1);
    return suffix.endsWith(domain) || domain.endsWith(suffix);
  }
  return true; // a wildcard elsewhere: not claimed to miss
}

function label(route) {
  return `route #${route.index + 1} (${route.name})`;
}

/** Rule origins and hosts against what wrangler.toml binds and serves. */
function projectProblems(config, project) {
  const problems = [];
  const services = new Set(project.services);
  for (const route of config.routes) {
    if (route.origin?.kind === 'binding' && !services.has(route.origin.binding)) {
      problems.push(
        `${label(route)}: origin.binding ${JSON.stringify(route.origin.binding)} is not a [[services]] binding in wrangler.toml` +
          `${services.size > 0 ? ` (it binds ${[...services].join(', ')})` : ''}; add [[services]] binding = "${route.origin.binding}" service = "<worker name>"`,
      );
    }
  }
  const hosts = project.routes.map(routeHost);
  if (hosts.length > 0) {
    for (const route of config.routes) {
      for (const host of route.hosts ?? []) {
        const workersDev = host.endsWith('.workers.dev') && project.workersDev !== false;
        if (!workersDev && !hosts.some((h) => overlaps(host, h))) {
          problems.push(`${label(route)}: hosts ${JSON.stringify(host)} matches none of wrangler.toml's routes (${project.routes.join(', ')}): the rule can never match there`);
        }
      }
    }
  }
  return problems;
}

const problems = [];
const notes = [];
let project;
try {
  project = await readProject(process.cwd());
} catch (error) {
  problems.push(`wrangler.toml could not be read: ${error instanceof Error ? error.message : error}`);
}

let gateway;
try {
  gateway = await loadGateway(process.cwd(), { 'settings/settings.ts': ['parseSettings'], 'runtime/runtime.ts': ['buildRuntime'], 'runtime/sign-in-loop.ts': ['signInLoopProblem', 'ownPageLoopProblems'] });
} catch (error) {
  // esbuild's own message (a syntax error in routes.config.ts, a missing import) names the file and line.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const routes = await loadRoutes(gateway);
if (routes.error) problems.push(...routes.problems);
else notes.push(`routes.config.ts: ${routes.config.routes.length} route(s), valid`);

const warnings = [];
if (project) {
  let secrets;
  if (mode === 'deploy') {
    const listed = await listSecrets();
    if (listed.names) secrets = listed.names;
    else {
      warnings.push(
        `could not list the Worker's secrets on Cloudflare (wrangler secret list: ${listed.error}); CLERK_SECRET_KEY is assumed set. ` +
          'Check with `npx wrangler secret list` (and `npx wrangler secret put CLERK_SECRET_KEY`) before relying on this deploy',
      );
    }
  }
  const { env, assumed, sources } = settingsEnv(project, { mode, secrets });
  notes.push(`settings ${mode === 'deploy' ? 'to deploy' : mode === 'dev' ? 'for wrangler dev' : ''} from ${sources.join(', ')}`.replace('settings  from', 'settings from'));
  if (mode === 'deploy' && project.devVarsFile) notes.push(`${project.devVarsFile} is not read: wrangler deploy does not upload it`);
  if (assumed.length > 0) notes.push(`${mode === 'deploy' ? 'secrets' : 'not set there, assumed'}: ${assumed.join('; ')}`);
  const settings = gateway.parseSettings(env);
  if (!settings.ok) {
    // Where a missing setting goes, for the command that needs it.
    const where = (p) => {
      const name = /^(\w+) is missing/.exec(p)?.[1];
      if (!name) return '';
      if (mode === 'dev') return p.includes('.dev.vars') ? '' : ` (add ${name}=… to .dev.vars)`;
      if (mode === 'deploy') return ` (add it to wrangler.toml [vars], or run \`npx wrangler secret put ${name}\`)`;
      return '';
    };
    problems.push(...settings.problems.map((p) => `settings: ${p}${where(p)}`));
  }
  if (routes.config) {
    problems.push(...projectProblems(routes.config, project));
    if (settings.ok) {
      const runtime = gateway.buildRuntime(settings.settings, routes.config);
      if (!runtime.ok) problems.push(...runtime.problems);
      else {
        // A sign-in URL given as an absolute URL is checked per host at request time: where the
        // gateway serves that host, every request there gets 500. Said here, before it runs.
        // The same for the app's own sign-up and task pages (CLERK_SIGN_UP_URL, CLERK_TASKS_URL) at absolute URLs.
        const { signIn } = settings.settings;
        const loops = [
          ...(signIn.origin ? [{ origin: signIn.origin, problem: gateway.signInLoopProblem(runtime.runtime.config, signIn) }] : []),
          ...gateway.ownPageLoopProblems(runtime.runtime.config, settings.settings).filter((p) => p.origin),
        ];
        for (const { origin, problem: loop } of loops) {
          if (!loop) continue;
          const host = new URL(origin).hostname;
          const served = ['localhost', '127.0.0.1', '[::1]'].includes(host) || project.routes.some((pattern) => overlaps(host, routeHost(pattern)));
          const consequence = `if the gateway serves ${host}, every request there gets 500 gateway_misconfigured`;
          if (served) problems.push(`${loop} (${consequence}: it does)`);
          else warnings.push(`${loop} (${consequence})`);
        }
      }
    }
  }
}

for (const note of notes) console.log(note);
for (const warning of warnings) console.warn(`check:routes: warning: ${warning}`);
if (problems.length > 0) {
  console.error(`check:routes: ${problems.length} problem(s):\n  - ${problems.map((p) => p.replace(/\n/g, '\n    ')).join('\n  - ')}`);
  process.exitCode = 1;
} else console.log('check:routes: no problems');
