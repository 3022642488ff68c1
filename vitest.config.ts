import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// The Worker's settings in tests: a production instance whose Frontend API is clerk.gateway.test,
// a key pair made by test/global-setup.ts, and a real origin on 127.0.0.1.
export const TEST_PUBLISHABLE_KEY = `pk_live_${Buffer.from('clerk.gateway.test$').toString('base64')}`;

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ORIGIN_URL: `http://127.0.0.1:${inject('originPort')}`,
          CLERK_PUBLISHABLE_KEY: TEST_PUBLISHABLE_KEY,
          CLERK_SECRET_KEY: 'sk_live_testsecret',
          CLERK_JWT_KEY: inject('instancePublicPem'),
          CLERK_API_URL: `http://127.0.0.1:${inject('bapiPort')}`,
          TEST_ORIGIN_PORT: String(inject('originPort')),
          TEST_BAPI_PORT: String(inject('bapiPort')),
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
    testTimeout: 20_000,
  },
});
