// The gateway's side of the differential: the real Worker (src/app.ts's gatewayWorker) with each
// scenario's routes, compiled by defineConfig as routes.config.ts would be. run.mjs bundles this
// file and runs it in Miniflare (workerd), one Worker per scenario; its `SCENARIO` binding picks
// the routes, the other bindings are the scenario's settings.
import { gatewayWorker } from '../../src/app';
import { defineConfig } from '../../src/config';
import { SCENARIOS } from './scenarios.mjs';

let worker;

// undici (Miniflare's fetch) sets `Sec-Fetch-Mode` itself, as a browser's fetch() would: run.mjs
// sends the case's own as `x-harness-raw-sec-fetch-mode`, put back here before the gateway reads it.
const RAW = 'x-harness-raw-';

function asSent(request) {
  const raw = [...request.headers.keys()].filter((name) => name.startsWith(RAW));
  if (raw.length === 0) return request;
  const headers = new Headers(request.headers);
  for (const name of raw) {
    headers.set(name.slice(RAW.length), headers.get(name));
    headers.delete(name);
  }
  return new Request(request, { headers });
}

export default {
  fetch(request, env, ctx) {
    if (!worker) {
      const scenario = SCENARIOS[env.SCENARIO];
      worker = gatewayWorker(defineConfig({ routes: scenario.routes, ...(scenario.defaultPolicy ? { defaultPolicy: scenario.defaultPolicy } : {}), ...scenario.config }));
    }
    return worker.fetch(asSent(request), env, ctx);
  },
};
