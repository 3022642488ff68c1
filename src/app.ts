import { Hono } from 'hono/tiny';

import { ConfigError } from './config/define-config';
import type { CompiledConfig } from './config/types';
import type { Env } from './env';
import { handleRequest } from './gateway';
import { wantsHtml } from './respond/html';
import { refuse } from './respond/respond';

/** The routes, or what made them fail to load (each problem of a ConfigError). */
type LoadedRoutes = { ok: true; config: CompiledConfig } | { ok: false; problems: readonly string[] };

/**
 * Loads the routes once per isolate. An invalid routes.config.ts (defineConfig throws) does not
 * stop the Worker from starting (`wrangler dev` would exit on a bad edit): the problems are logged
 * once, without a stack trace, and every request is answered 500 ERR_GATEWAY_MISCONFIGURED. Deploys
 * never get this far: `npm run deploy` runs check:routes first.
 */
function routesLoader(load: () => Promise<CompiledConfig>): () => Promise<LoadedRoutes> {
  let loaded: Promise<LoadedRoutes> | undefined;
  return () =>
    (loaded ??= load().then(
      (config): LoadedRoutes => ({ ok: true, config }),
      (error: unknown): LoadedRoutes => {
        const problems = error instanceof ConfigError ? error.problems : [error instanceof Error ? `${error.name}: ${error.message}` : String(error)];
        console.error(`edge-auth-gateway: routes.config.ts is invalid, forwarding nothing (500 to every request):\n  - ${problems.join('\n  - ')}`);
        return { ok: false, problems };
      },
    ));
}

/**
 * The Worker for one routes config: src/worker.ts serves the project's routes.config.ts with it,
 * demo/worker.ts the demo's own routes (so the demo works whatever the project's config says).
 */
export function gatewayApp(load: () => Promise<CompiledConfig>): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>();
  const routes = routesLoader(load);

  // Everything, the gateway's own endpoints included, goes through handleRequest: their paths are
  // settings (HEALTH_PATH, SIGN_OUT_PATH) read per isolate, where Hono's router needs them at module
  // load, and they get the request id, the log line and the metrics like any other request.
  app.all('*', async (c) => {
    const loaded = await routes();
    if (!loaded.ok) return refuse('ERR_GATEWAY_MISCONFIGURED', { html: wantsHtml(c.req.header('accept') ?? null) });
    return handleRequest(c.req.raw, c.env, { config: loaded.config });
  });

  // Fail closed: whatever throws, the request is answered here and never forwarded.
  app.onError((error) => {
    console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
    return refuse('ERR_INTERNAL');
  });

  return app;
}
