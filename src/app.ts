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
 * once, without a stack trace, and every request is answered 500 ERR_GATEWAY_MISCONFIGURED. Only
 * `npm run dev` loads routes this way; a deployed Worker compiles them at start.
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

/** The invocation's ExecutionContext, or undefined where there is none (Hono's getter throws then). */
function executionContext(c: { executionCtx: ExecutionContext }): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * The Worker for one routes config: compiled (src/worker.ts, the project's routes.config.ts, which
 * throws at start when invalid, so an upload of it fails; demo/worker.ts, the demo's routes), or
 * loaded on the first request (src/dev-worker.ts, for `npm run dev`: see routesLoader).
 */
export function gatewayApp(routes: CompiledConfig | (() => Promise<CompiledConfig>)): Hono<{ Bindings: Env }> {
  const app = new Hono<{ Bindings: Env }>();
  const load = typeof routes === 'function' ? routesLoader(routes) : undefined;

  // Everything, the gateway's own endpoints included, goes through handleRequest: their paths are
  // settings (HEALTH_PATH, SIGN_OUT_PATH) read per isolate, where Hono's router needs them at module
  // load, and they get the request id, the log line and the metrics like any other request.
  app.all('*', async (c) => {
    const waitUntil = executionContext(c)?.waitUntil.bind(c.executionCtx);
    const extra = waitUntil ? { waitUntil } : {};
    if (!load) return handleRequest(c.req.raw, c.env, { config: routes as CompiledConfig, ...extra });
    const loaded = await load();
    if (!loaded.ok) return refuse('ERR_GATEWAY_MISCONFIGURED', { html: wantsHtml(c.req.header('accept') ?? null) });
    return handleRequest(c.req.raw, c.env, { config: loaded.config, ...extra });
  });

  // Fail closed: whatever throws, the request is answered here and never forwarded.
  app.onError((error) => {
    console.error('edge-auth-gateway: unexpected error, nothing forwarded:', error);
    return refuse('ERR_INTERNAL');
  });

  return app;
}
