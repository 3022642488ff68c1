import { ConfigError } from './config/define-config';
import type { CompiledConfig } from './config/types';
import type { Env } from './env';
import { handleRequest } from './gateway';
import { wantsHtml } from './request/accept';
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

/** Routes compiled when the Worker starts: always loaded. */
function compiledRoutes(config: CompiledConfig): () => LoadedRoutes {
  const loaded: LoadedRoutes = { ok: true, config };
  return () => loaded;
}

function serve(loaded: LoadedRoutes, request: Request, env: Env, ctx: ExecutionContext | undefined): Promise<Response> {
  if (!loaded.ok) return Promise.resolve(refuse('ERR_GATEWAY_MISCONFIGURED', { html: wantsHtml(request.headers.get('accept')) }));
  return handleRequest(request, env, { config: loaded.config, waitUntil: ctx ? ctx.waitUntil.bind(ctx) : undefined });
}

/** The Worker: a plain `fetch` export (`ctx` is absent where a test calls it directly). */
export interface GatewayWorker {
  fetch(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response>;
}

/**
 * The Worker for one routes config: compiled (src/worker.ts, the project's routes.config.ts, which
 * throws at start when invalid, so an upload of it fails; demo/worker.ts, the demo's routes), or
 * loaded on the first request (src/dev-worker.ts, for `npm run dev`: see routesLoader).
 *
 * No router: every request, the gateway's own endpoints included, goes through `handleRequest`,
 * whose endpoint paths are settings (HEALTH_PATH, SIGN_OUT_PATH) known per isolate, not at module
 * load, and which answers any throw 500 itself (fail closed).
 */
export function gatewayWorker(routes: CompiledConfig | (() => Promise<CompiledConfig>)): GatewayWorker {
  const load = typeof routes === 'function' ? routesLoader(routes) : compiledRoutes(routes);
  return {
    fetch(request, env, ctx) {
      const loaded = load();
      // Routes compiled at start (a deployed Worker) are served without an `await`: each is a turn of the microtask queue.
      return loaded instanceof Promise ? loaded.then((routes) => serve(routes, request, env, ctx)) : serve(loaded, request, env, ctx);
    },
  } satisfies ExportedHandler<Env> & GatewayWorker;
}
