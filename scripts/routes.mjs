#!/usr/bin/env node
// `npm run routes -- list | explain … | test [FILE]`: the rule table of routes.config.ts, what the
// gateway does with one request for each session state, or a check of a table of expected
// decisions you write (routes.expect.txt; scripts/lib/routes-expect.mjs describes it). The work is src/explain/ (tested in workerd); this
// bundles it with the project's routes.config.ts, reads the settings as `npm run check:routes`
// does (wrangler.toml [vars], .dev.vars over them, placeholders for what is absent) and prints.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { loadGateway, loadRoutes, readProject, settingsEnv } from './lib/project.mjs';
import { DEFAULT_EXPECT_FILE, mismatches, parseExpectations } from './lib/routes-expect.mjs';
import { readArgs } from './lib/cli-args.mjs';
import { SESSION_FLAG_OPTIONS, sessionFlags } from './lib/session-flags.mjs';

const USAGE = `usage:
  npm run routes -- list
  npm run routes -- explain [METHOD] URL [options]
  npm run routes -- explain --per-method URL [options]
  npm run routes -- test [FILE]    check your table of expected decisions (default ${DEFAULT_EXPECT_FILE}):
                                   lines like  GET /admin --as active --role org:member => 403

  URL       a full URL (its host meets rules' hosts), or a path (on a placeholder host)
  METHOD    GET by default; a POST is matched as every method a rule names

options (explain):
  --per-method                     every common method and every one a rule names, one row each (API calls)
  --as signed-out|pending|active   one session state (default: all three)
  --role org:admin                 the active organization's role
  --permission org:<feature>:<permission>   repeatable, or comma-separated
  --feature <key>|o:<key>|u:<key>  a Billing feature (unscoped: the user's); repeatable
  --plan <key>|o:<key>|u:<key>     a Billing plan; repeatable
  --org-id org_…  --org-slug acme  the active organization (org_explain when a role or permission needs one)
  --fva A,B                        minutes since the first and second factor were verified (-1: never)
  --asks PUT                       OPTIONS: the method the CORS preflight row asks for (default POST)
  --origin https://app.example.com OPTIONS: the preflight's Origin (default: the first cors origin)
  --asks-headers content-type      OPTIONS: the preflight's Access-Control-Request-Headers
  --header 'Name: value'           another request header, repeatable: a method override
                                   (X-HTTP-Method-Override: DELETE), a Cookie (__clerk_db_jwt=…)
  --bearer                         the session comes as Authorization: Bearer (default: the __session cookie)`;

function usage(message) {
  if (message) console.error(`routes: ${message}`);
  console.error(USAGE);
  process.exit(2);
}


const OPTIONS = {
  as: { type: 'string' },
  ...SESSION_FLAG_OPTIONS,
  asks: { type: 'string' },
  'per-method': { type: 'boolean' },
  origin: { type: 'string' },
  'asks-headers': { type: 'string' },
  header: { type: 'string', multiple: true },
  bearer: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

class UsageError extends Error {}

/** explain's request from its arguments ([METHOD] URL and options); throws a UsageError. */
function explainRequest(values, rest) {
  if (rest.length === 0 || rest.length > 2) throw new UsageError('explain takes [METHOD] URL');
  if (values.as !== undefined && !['signed-out', 'pending', 'active'].includes(values.as)) throw new UsageError(`--as must be signed-out, pending or active, got ${JSON.stringify(values.as)}`);
  const states = values.as ? [values.as] : undefined;
  const session = sessionFlags(values, UsageError);
  const preflight = {
    ...(values.asks !== undefined ? { asks: values.asks } : {}),
    ...(values.origin !== undefined ? { origin: values.origin } : {}),
    ...(values['asks-headers'] !== undefined ? { headers: values['asks-headers'] } : {}),
  };
  const headers = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon < 1) throw new UsageError(`--header takes 'Name: value', got ${JSON.stringify(header)}`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const [method, url] = rest.length === 2 ? rest : ['GET', rest[0]];
  return { method, url, session, preflight, headers, ...(values.bearer ? { credential: 'bearer' } : {}), ...(states ? { states } : {}) };
}

const { values, positionals } = readArgs(OPTIONS, USAGE, usage);
const [command, ...rest] = positionals;
if (command !== 'list' && command !== 'explain' && command !== 'test') usage(command ? `unknown command ${JSON.stringify(command)}` : undefined);
if (command === 'list' && (rest.length > 0 || Object.keys(values).length > 0)) usage('list takes no arguments');
if (command === 'test' && (rest.length > 1 || Object.keys(values).length > 0)) usage('test takes one file name at most');

let request;
if (command === 'explain') {
  try {
    request = explainRequest(values, rest);
  } catch (error) {
    if (error instanceof UsageError) usage(error.message);
    throw error;
  }
}

/** The expectations of the table, read before the (slower) bundling, so a typo shows at once. */
let expectations;
const expectFile = rest[0] ?? DEFAULT_EXPECT_FILE;
if (command === 'test') {
  if (!existsSync(expectFile)) {
    console.error(`routes test: ${expectFile} not found. Write one expectation a line, for example:\n  GET /pricing => forward\n  /admin --as signed-out => sign-in api:401\n  /admin --as active --role org:member => 403`);
    process.exit(2);
  }
  try {
    expectations = parseExpectations(readFileSync(expectFile, 'utf8'));
  } catch (error) {
    console.error(`routes test: ${expectFile}:\n  ${error.message.replace(/\n/g, '\n  ')}`);
    process.exit(2);
  }
}

const project = await readProject(process.cwd(), { varsOnly: true });
const gateway = await loadGateway(process.cwd(), {
  'settings/settings.ts': ['parseSettings'],
  'explain/explain.ts': ['explain', 'explainPerMethod'],
  'explain/list.ts': ['listRoutes'],
  'explain/report.ts': ['ExplainInputError'],
  'explain/format.ts': ['formatExplain', 'formatList', 'formatPerMethod'],
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

if (command === 'test') {
  let failed = 0;
  // A request the table cannot say (a misspelt flag, a bad URL) is the table's error, not a failed expectation: exit 2.
  let unreadable = 0;
  for (const expectation of expectations) {
    let problems;
    try {
      const args = parseArgs({ args: expectation.request, allowPositionals: true, options: OPTIONS });
      problems = mismatches(gateway.explain(routes.config, settings.settings, explainRequest(args.values, args.positionals)), expectation);
    } catch (error) {
      if (!(error instanceof UsageError || error instanceof gateway.ExplainInputError || error.code?.startsWith?.('ERR_PARSE_ARGS'))) throw error;
      problems = [`cannot read the request: ${error.message}`];
      unreadable++;
    }
    if (problems.length === 0) console.log(`  ✓ ${expectation.text}`);
    else {
      failed++;
      console.log(`  ✗ ${expectation.text}  (${expectFile}:${expectation.line})\n      ${problems.join('\n      ')}`);
    }
  }
  const unread = unreadable > 0 ? `, ${unreadable} of them unreadable` : '';
  console.log(`routes test: ${expectations.length - failed} passed, ${failed} failed${unread} (${expectFile})`);
  process.exit(unreadable > 0 ? 2 : failed > 0 ? 1 : 0);
}

let lines;
if (command === 'list') lines = gateway.formatList(gateway.listRoutes(routes.config, settings.settings));
else {
  try {
    if (values['per-method']) {
      if (rest.length !== 1) usage('--per-method takes a URL, no METHOD');
      const { method: _method, preflight: _preflight, ...perMethod } = request;
      lines = gateway.formatPerMethod(request.url, gateway.explainPerMethod(routes.config, settings.settings, perMethod));
    } else lines = gateway.formatExplain(gateway.explain(routes.config, settings.settings, request));
  } catch (error) {
    if (error instanceof gateway.ExplainInputError) usage(error.message);
    throw error;
  }
}
console.log(lines.join('\n'));
