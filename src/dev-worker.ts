import { gatewayWorker } from './app';

// What `npm run dev` runs (scripts/dev.mjs): the project's routes loaded on the first request
// rather than imported, so a bad edit of routes.config.ts answers 500 gateway_misconfigured and
// logs its problems, instead of failing the Worker's start and stopping `wrangler dev`. esbuild
// bundles the import all the same. Deploys use src/worker.ts, which refuses an invalid config at start.
export default gatewayWorker(() => import('../routes.config').then((module) => module.default));
