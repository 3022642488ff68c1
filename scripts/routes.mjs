#!/usr/bin/env node
// `npm run routes -- list | explain …`: the rule table of routes.config.ts, or what the gateway does
// with one request for each session state. The work is src/explain/ (tested in workerd); this
// bundles it with the project's routes.config.ts, reads the settings as `npm run check:routes`
// does (wrangler.toml [vars], .dev.vars over them, placeholders for what is absent) and prints.
import { parseArgs } from 'node:util';

import { loadGateway, loadRoutes, readProject, settingsEnv } from './lib/project.mjs';

const USAGE = `usage:
  npm run routes -- list
  npm run routes -- explain [METHOD] URL [options]

  URL       a full URL (its host meets rules' hosts), or a path (on a placeholder host)
  METHOD    GET by default; a POST is matched as every method a rule names

options (explain):
  --as signed-out|pending|active   one session state (default: all three)
  --role org:admin                 the active organization's role
  --permission org:<feature>:<permission>   repeatable, or comma-separated
  --feature <key>|o:<key>|u:<key>  a Billing feature (unscoped: the user's); repeatable
  --plan <key>|o:<key>|u:<key>     a Billing plan; repeatable
  --org-id org_…  --org-slug acme  the active organization (org_explain when a role or permission needs one)
  --fva A,B                        minutes since the first and second factor were verified (-1: never)`;

function usage(message) {
  if (message) console.error(`routes: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

const list = (values) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      as: { type: 'string' },
      role: { type: 'string' },
      permission: { type: 'string', multiple: true },
      feature: { type: 'string', multiple: true },
      plan: { type: 'string', multiple: true },
      'org-slug': { type: 'string' },
      'org-id': { type: 'string' },
      fva: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  usage(error.message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [command, ...rest] = positionals;
if (command !== 'list' && command !== 'explain') usage(command ? `unknown command ${JSON.stringify(command)}` : undefined);
if (command === 'list' && (rest.length > 0 || Object.keys(values).length > 0)) usage('list takes no arguments');
if (command === 'explain' && (rest.length === 0 || rest.length > 2)) usage('explain takes [METHOD] URL');

let session;
let states;
if (command === 'explain') {
  if (values.as !== undefined && !['signed-out', 'pending', 'active'].includes(values.as)) usage(`--as must be signed-out, pending or active, got ${JSON.stringify(values.as)}`);
  states = values.as ? [values.as] : undefined;
  let fva;
  if (values.fva !== undefined) {
    const parts = values.fva.split(',').map((s) => s.trim());
    if (parts.length !== 2 || parts.some((p) => !/^-?\d+$/.test(p) || Number(p) < -1)) usage(`--fva takes two whole numbers of minutes (-1: never), like 5,-1; got ${JSON.stringify(values.fva)}`);
    fva = parts.map(Number);
  }
  session = {
    ...(values.role !== undefined ? { role: values.role } : {}),
    permissions: list(values.permission),
    features: list(values.feature),
    plans: list(values.plan),
    ...(values['org-slug'] !== undefined ? { orgSlug: values['org-slug'] } : {}),
    ...(values['org-id'] !== undefined ? { orgId: values['org-id'] } : {}),
    ...(fva ? { fva } : {}),
  };
}

const project = await readProject(process.cwd(), { varsOnly: true });
const gateway = await loadGateway(process.cwd(), {
  'config/settings.ts': ['parseSettings'],
  'explain/explain.ts': ['explain', 'listRoutes', 'ExplainInputError'],
  'explain/format.ts': ['formatExplain', 'formatList'],
});
const routes = await loadRoutes(gateway);
if (routes.error) {
  console.error(routes.error);
  process.exit(1);
}
const { env, assumed, sources } = settingsEnv(project);
const settings = gateway.parseSettings(env);
if (!settings.ok) {
  console.error(`settings (${sources.join(', ')}):\n  - ${settings.problems.join('\n  - ')}\nthe gateway answers 500 to every request until they are fixed`);
  process.exit(1);
}
const placeholders = assumed.map((a) => a.split(' ')[0]);
console.log(`(settings: ${sources.join(', ')}${placeholders.length > 0 ? `; placeholders for ${placeholders.join(', ')}` : ''})`);

let lines;
if (command === 'list') lines = gateway.formatList(gateway.listRoutes(routes.config, settings.settings));
else {
  const [method, url] = rest.length === 2 ? rest : ['GET', rest[0]];
  try {
    lines = gateway.formatExplain(gateway.explain(routes.config, settings.settings, { method, url, session, ...(states ? { states } : {}) }));
  } catch (error) {
    if (error instanceof gateway.ExplainInputError) usage(error.message);
    throw error;
  }
}
console.log(lines.join('\n'));
