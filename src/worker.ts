import { gatewayApp } from './app';

// The project's routes, loaded on the first request rather than imported: an invalid
// routes.config.ts then answers 500 (and logs its problems) instead of failing the Worker's start,
// so `npm run dev` keeps running through a bad edit. esbuild bundles the import all the same.
export default gatewayApp(() => import('../routes.config').then((module) => module.default));
