// The Worker `npm run demo` runs: the gateway with the demo's own routes (demo/routes.config.ts),
// so the demo and its --check work whatever the project's routes.config.ts says.
import { gatewayWorker } from '../src/app';
import routes from './routes.config';

export default gatewayWorker(routes);
