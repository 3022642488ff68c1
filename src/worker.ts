import { Hono } from 'hono/tiny';

import routes from '../routes.config';
import type { Env } from './env';
import { handleRequest } from './gateway';
import { refuse } from './respond/respond';

const app = new Hono<{ Bindings: Env }>();

// Everything, the gateway's own endpoints included, goes through handleRequest: their paths are
// settings (HEALTH_PATH, SIGN_OUT_PATH) read per isolate, where Hono's router needs them at module
// load, and they get the request id, the log line and the metrics like any other request.
app.all('*', (c) => handleRequest(c.req.raw, c.env, { config: routes }));

// Fail closed: whatever throws, the request is answered here and never forwarded.
app.onError((error) => {
  console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
  return refuse('ERR_INTERNAL');
});

export default app;
