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
// Clerk's SDK prints a telemetry notice when a development instance's client is created; not here.
process.env.CLERK_TELEMETRY_DISABLED ??= '1';

import { loadGateway, loadRoutes, readProject, settingsEnv } from './lib/project.mjs';

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
  gateway = await loadGateway(process.cwd(), { 'config/settings.ts': ['parseSettings'], 'runtime/runtime.ts': ['buildRuntime'] });
} catch (error) {
  // esbuild's own message (a syntax error in routes.config.ts, a missing import) names the file and line.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

const routes = await loadRoutes(gateway);
if (routes.error) problems.push(...routes.problems);
else notes.push(`routes.config.ts: ${routes.config.routes.length} route(s), valid`);

if (project) {
  const { env, assumed, sources } = settingsEnv(project);
  notes.push(`settings from ${sources.join(', ')}`);
  if (assumed.length > 0) notes.push(`not set there, assumed: ${assumed.join('; ')}`);
  const settings = gateway.parseSettings(env);
  if (!settings.ok) problems.push(...settings.problems.map((p) => `settings: ${p}`));
  if (routes.config) {
    problems.push(...projectProblems(routes.config, project));
    if (settings.ok) {
      const runtime = gateway.buildRuntime(settings.settings, routes.config);
      if (!runtime.ok) problems.push(...runtime.problems);
    }
  }
}

for (const note of notes) console.log(note);
if (problems.length > 0) {
  console.error(`check:routes: ${problems.length} problem(s):\n  - ${problems.map((p) => p.replace(/\n/g, '\n    ')).join('\n  - ')}`);
  process.exitCode = 1;
} else console.log('check:routes: no problems');
