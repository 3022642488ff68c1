// The gateway with a route table of BENCH_RULES rules (bench/workers/rules.ts), otherwise as
// src/worker.ts serves it: one bundle, so the 10-rule and 2,000-rule variants differ in the
// table alone. JavaScript, not TypeScript: tsconfig.node.json checks bench/**/*.ts with Node's
// types, and src/gateway.ts needs the Workers' ones.
import { Hono } from 'hono/tiny';

import { defineConfig } from '../../src/config';
import { handleRequest } from '../../src/gateway';
import { refuse } from '../../src/respond/respond';
import { rulesTable } from './rules';

// Compiled once per isolate, as routes.config.ts is.
let config;

const app = new Hono();
app.all('*', (c) => handleRequest(c.req.raw, c.env, { config: (config ??= defineConfig(rulesTable(Number(c.env.BENCH_RULES ?? 10)))) }));
app.onError((error) => {
  console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
  return refuse('ERR_INTERNAL');
});

export default app;
