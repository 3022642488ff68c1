#!/usr/bin/env node
// `npm run components -- render FILE [--as STATE] [session flags]`: an HTML page as each session
// state gets it from a rule with `components` on (docs/components.md). The work is
// src/explain/render-components.ts, the gateway's own decision and rewriter; HTMLRewriter exists
// only in workerd, so it is bundled and run there (Miniflare, from wrangler's dependencies).
import { readFileSync } from 'node:fs';
import { bundleSource } from '../bench/lib/load-source.mjs';
import { readArgs } from './lib/cli-args.mjs';
import { SESSION_FLAG_OPTIONS, sessionFlags } from './lib/session-flags.mjs';

const STATES = ['signed-out', 'pending', 'active', 'machine'];
const USAGE = `usage:
  npm run components -- render FILE [--as ${STATES.join('|')}] [session flags]

  FILE                             an HTML page with <clerk-signed-in>, <clerk-signed-out>, <clerk-protect>, <clerk-value>
  --as STATE                       one session state (default: all four)
  --role org:admin                 the active organization's role
  --permission org:<feature>:<permission>   repeatable, or comma-separated
  --feature <key>|o:<key>|u:<key>  a Billing feature; repeatable
  --plan <key>|o:<key>|u:<key>     a Billing plan; repeatable
  --org-id org_…  --org-slug acme  the active organization
  --fva A,B                        minutes since the first and second factor were verified (-1: never)`;

function usage(message) {
  if (message) console.error(`components: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

const { values, positionals } = readArgs({ ...SESSION_FLAG_OPTIONS, as: { type: 'string' } }, USAGE, usage);
const [command, file, ...extra] = positionals;
if (command !== 'render') usage(command ? `unknown command ${JSON.stringify(command)}` : undefined);
if (!file || extra.length > 0) usage('render takes one FILE');
if (values.as !== undefined && !STATES.includes(values.as)) usage(`--as must be one of ${STATES.join(', ')}, got ${JSON.stringify(values.as)}`);
let flags;
try {
  flags = sessionFlags(values);
} catch (error) {
  usage(error.message);
}
let html;
try {
  html = readFileSync(file, 'utf8');
} catch (error) {
  usage(`cannot read ${file}: ${error.message}`);
}

const bundle = readFileSync(await bundleSource({ 'src/explain/render-components': ['renderComponents'] }), 'utf8');
const worker = `${bundle}
export default {
  async fetch(request) {
    const { html, states, flags } = await request.json();
    try {
      return Response.json(await Promise.all(states.map((state) => renderComponents(html, state, flags))));
    } catch (error) {
      return Response.json({ error: String(error?.message ?? error) }, { status: 400 });
    }
  },
};`;
const { Miniflare } = await import('miniflare');
const mf = new Miniflare({ modules: true, script: worker, compatibilityDate: '2026-04-26' });
try {
  const response = await mf.dispatchFetch('http://render.invalid/', { method: 'POST', body: JSON.stringify({ html, states: values.as ? [values.as] : STATES, flags }) });
  const result = await response.json();
  if (result.error) {
    console.error(`components: ${result.error}`);
    process.exitCode = 2;
  } else {
    for (const { state, html: page, problem } of result) {
      console.log(`── ${state}${problem ? ` (stopped: ${problem})` : ''}`);
      console.log(page);
    }
  }
} finally {
  await mf.dispose();
}
