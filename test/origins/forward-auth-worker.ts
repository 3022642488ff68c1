// The gateway the forward-auth recipes ask (test/origins/forward-auth.test.ts): the suite's routes,
// bundled as `npm run build` bundles a Worker and self-hosted on workerd by global-setup.mjs.
import { gatewayWorker } from '../../src/app';
import { ORIGINS_CONFIG } from './corpus';

export default gatewayWorker(ORIGINS_CONFIG);
