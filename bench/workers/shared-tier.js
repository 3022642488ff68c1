// Plain JavaScript (as gateway-rules.js): bench/**/*.ts is type-checked as Node code.
// The gateway for `node bench/shared-tier.mjs --isolates N`: /dashboard takes session tokens,
// /api takes API keys (opaque: verified by the Backend API), so one bundle exercises both uses
// of the shared tier.
import { gatewayWorker } from '../../src/app';
import { defineConfig } from '../../src/config';

export default gatewayWorker(
  defineConfig({
    routes: [
      { match: '/dashboard(.*)', protect: true },
      { match: '/api(.*)', protect: true, accept: ['api_key'] },
    ],
  }),
);
