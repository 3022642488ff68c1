#!/usr/bin/env node
// `npm run serve`: the gateway self-hosted on workerd, as a long-running server (no Cloudflare):
// `npm run build`, then `workerd serve dist/workerd.capnp`, with every setting read from the
// environment (README, "Self-hosted on workerd"; deploy/ has a Dockerfile and a systemd unit).
//   npm run serve                              # 127.0.0.1:8080
//   npm run serve -- --listen 0.0.0.0:8080 --env-file .dev.vars
//   npm run serve -- --no-build                # serve dist/ as it is
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseDotenv, ROOT } from './lib/project.mjs';
import { buildSelfHosted, serveWorkerd } from './lib/self-hosted.mjs';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const listen = option('--listen') ?? process.env.GATEWAY_LISTEN ?? '127.0.0.1:8080';
const envFile = option('--env-file');
const config = join(ROOT, 'dist', 'workerd.capnp');

if (!args.includes('--no-build') || !existsSync(config)) buildSelfHosted();
// The file's settings under the environment's: a variable set in the shell wins.
const env = { ...(envFile ? parseDotenv(readFileSync(envFile, 'utf8')) : {}), ...process.env };
const child = await serveWorkerd({ config, address: listen, env });
console.log(`serve: edge-auth-gateway on workerd, http://${listen} (health: ${env.HEALTH_PATH || '/__gateway/health'})`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
