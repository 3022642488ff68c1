// The gateway with the demo's routes less the control components (`components: false`), which
// the demo turns on for every route: the routes as the gateway had them when issue 22 was written
// (80937fd, before components existed), for comparing the same work across revisions.
import { gatewayWorker } from '../../src/app';
import routes from '../../demo/routes.config';

export default gatewayWorker({ ...routes, components: false });
