// The gateway with a route table of BENCH_RULES rules (bench/workers/rules.ts), otherwise as
// src/worker.ts serves it: one bundle, so the 10-rule and 2,000-rule variants differ in the
// table alone. JavaScript, not TypeScript: tsconfig.node.json checks bench/**/*.ts with Node's
// types, and src/gateway.ts needs the Workers' ones.
import { defineConfig } from '../../src/config';
import { handleRequest } from '../../src/gateway';
import { rulesTable } from './rules';

// Compiled once per isolate, as routes.config.ts is.
let config;

export default {
  fetch: (request, env) => handleRequest(request, env, { config: (config ??= defineConfig(rulesTable(Number(env.BENCH_RULES ?? 10)))) }),
};
