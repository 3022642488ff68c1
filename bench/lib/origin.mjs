// The benches' origin: a small JSON answer for every path but the HTML variants' 50 KB pages
// (bench/lib/html-page.mjs), with and without 10 control components.
import { createServer } from 'node:http';

import { htmlPage } from './html-page.mjs';

/** Listens on 127.0.0.1 at a free port, with long keep-alive; resolves to the server. */
export function listen(server) {
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Starts the origin; resolves to the listening server. */
export function startOrigin() {
  const body = JSON.stringify({ ok: true, page: 'origin' });
  const pages = { '/page.html': htmlPage(true), '/plain.html': htmlPage(false) };
  return listen(
    createServer((req, res) => {
      req.resume();
      const page = pages[req.url];
      res.writeHead(200, { 'content-type': page ? 'text/html; charset=utf-8' : 'application/json', 'content-length': Buffer.byteLength(page ?? body) });
      res.end(page ?? body);
    }),
  );
}
