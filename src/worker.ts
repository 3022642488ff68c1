import routes from '../routes.config';
import { gatewayWorker } from './app';

// The project's routes, compiled when the Worker starts: an invalid routes.config.ts throws its
// ConfigError there, so Cloudflare refuses the upload and the deployed version keeps serving.
// (`npm run dev` runs src/dev-worker.ts instead, which survives a bad edit.)
export default gatewayWorker(routes);
