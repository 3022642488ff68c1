import { Hono } from 'hono/tiny';

import routes from '../routes.config';
import type { Env } from './env';
import { handleRequest } from './gateway';
import { refuse } from './respond/respond';

const app = new Hono<{ Bindings: Env }>();

// The gateway's own endpoints (health, sign-out, the assertion JWKS: none yet) go here, on Hono's
// router, before this catch-all; everything else is the gateway's request path.
app.all('*', (c) => handleRequest(c.req.raw, c.env, { config: routes }));

// Fail closed: whatever throws, the request is answered here and never forwarded.
app.onError((error) => {
  console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
  return refuse('ERR_INTERNAL');
});

export default app;
