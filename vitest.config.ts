import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig, type Plugin } from 'vitest/config';

// The tests own their settings and routes: the project's routes.config.ts and .dev.vars are the
// user's, and can say anything valid. So the Worker is not read through wrangler.toml (wrangler
// would add .dev.vars, or .env, to its bindings); it gets wrangler.toml's compatibility date and
// exactly the bindings below, and routes.config.ts, wherever it is imported (src/worker.ts), is
// test/fixtures/routes.config.ts.
// (Not import.meta.dirname: Node 20.3 lacks it.)
const ROOT = dirname(fileURLToPath(import.meta.url));
const USER_ROUTES = resolve(ROOT, 'routes.config.ts');
const TEST_ROUTES = resolve(ROOT, 'test/fixtures/routes.config.ts');
const COMPATIBILITY_DATE = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(resolve(ROOT, 'wrangler.toml'), 'utf8'))?.[1];
if (!COMPATIBILITY_DATE) throw new Error('vitest.config.ts: wrangler.toml has no compatibility_date = "YYYY-MM-DD" line');

function testRoutes(): Plugin {
  return {
    name: 'edge-auth-gateway:test-routes',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!source.includes('routes.config')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved?.id === USER_ROUTES ? TEST_ROUTES : null;
    },
  };
}

// The Worker's settings in tests: a production instance whose Frontend API is clerk.gateway.test,
// a key pair made by test/global-setup.ts, and a real origin on 127.0.0.1.
export const TEST_PUBLISHABLE_KEY = `pk_live_${Buffer.from('clerk.gateway.test$').toString('base64')}`;

export default defineConfig({
  plugins: [
    testRoutes(),
    cloudflareTest(({ inject }) => ({
      main: './src/index.ts',
      miniflare: {
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: {
          ORIGIN_URL: `http://127.0.0.1:${inject('originPort')}`,
          CLERK_PUBLISHABLE_KEY: TEST_PUBLISHABLE_KEY,
          CLERK_SECRET_KEY: 'sk_live_testsecret',
          CLERK_JWT_KEY: inject('instancePublicPem'),
          CLERK_API_URL: `http://127.0.0.1:${inject('bapiPort')}`,
          TEST_ORIGIN_PORT: String(inject('originPort')),
          TEST_BAPI_PORT: String(inject('bapiPort')),
          TEST_FAPI_PORT: String(inject('fapiPort')),
          TEST_INSTANCE_PRIVATE_JWK: JSON.stringify(inject('instancePrivateJwk')),
          TEST_INSTANCE_PUBLIC_JWK: JSON.stringify(inject('instancePublicJwk')),
          TEST_FOREIGN_PRIVATE_JWK: JSON.stringify(inject('foreignPrivateJwk')),
          // The fault-injection suite's origins (test/faults/global-setup.mjs).
          TEST_FAULT_CONTROL_PORT: String((inject as (key: string) => unknown)('faultControlPort')),
          // The origins suite's framework origins and report collector (test/origins/global-setup.mjs).
          ORIGINS_SUITE: JSON.stringify((inject as (key: string) => unknown)('originsSuite') ?? null),
          // Property-test runs and seed: fixed in CI, larger with `npm run test:fuzz`.
          FUZZ_RUNS: process.env.FUZZ_RUNS ?? '200',
          // TEST_VERBOSE=1 npm test shows the errors tests provoke on purpose (test/quiet-console.ts).
          TEST_VERBOSE: process.env.TEST_VERBOSE ?? '',
          // A fixed seed in CI; `npm run test:fuzz` draws one (printed by the tests) unless FUZZ_SEED is set.
          FUZZ_SEED: process.env.FUZZ_SEED || (process.env.FUZZ_RUNS ? String(Math.floor(Math.random() * 2 ** 31)) : '20261126'),
        },
      },
    })),
  ],
  test: {
    globalSetup: ['./test/global-setup.ts', './test/origins/global-setup.mjs', './test/faults/global-setup.mjs'],
    setupFiles: ['./test/quiet-console.ts'],
    include: ['test/**/*.test.ts'],
    // Only a hang should hit these: a full run takes several times longer while another runs beside it.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
