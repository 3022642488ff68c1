#!/usr/bin/env node
// `npm run build`: the Worker bundle exactly as `wrangler deploy` uploads it (wrangler.toml's
// main, the project's routes.config.ts) in dist/, with dist/workerd.capnp to run it on workerd
// without Cloudflare (`npm run serve`, or `workerd serve dist/workerd.capnp`). README, "Self-hosted on workerd".
//   npm run build -- --entry demo/worker.ts --outdir dist-demo
import { relative, resolve } from 'node:path';

import { ROOT } from './lib/project.mjs';
import { buildSelfHosted } from './lib/self-hosted.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const entry = option('--entry');
const outdir = resolve(ROOT, option('--outdir') ?? 'dist');
const built = buildSelfHosted({ ...(entry ? { entry } : {}), outdir });
console.log(`build: ${relative(ROOT, built.script)} and ${relative(ROOT, built.config)} (workerd serve ${relative(ROOT, built.config)})`);
