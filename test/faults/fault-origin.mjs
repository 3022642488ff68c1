// Node-side origins that misbehave on demand, for the fault-injection suite (test/faults/origin-*).
// A control server makes origins, each on a port of its own, and switches each one's fault:
//   POST /origins                      → { port }: a new origin, answering normally ("ok")
//   PUT  /origins/<port>?mode=<mode>   → switches it; GET /origins/<port> → { mode, requests }
// Modes:
//   ok             200 with a short chunked body ("origin ok")
//   down           the listener is closed, open sockets destroyed: connections are refused
//   hang           takes the request and never answers (until the mode changes or the run ends)
//   reset-before   resets the connection (TCP RST) before any byte of an answer
//   reset-chunked  200, chunked, one chunk ("partial-"), then a reset mid-body
//   reset-length   200, Content-Length 100000, 1,000 bytes, then a reset mid-body
// One origin per test file, so files running at the same time never switch each other's faults.
// Everything listens on 127.0.0.1 only. Plain JavaScript, like test/origins/global-setup.mjs, so
// the workers typecheck never sees Node APIs.
import { createServer } from 'node:http';

const MODES = new Set(['ok', 'down', 'hang', 'reset-before', 'reset-chunked', 'reset-length']);

function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

/** One origin whose fault can be switched; its port stays the same across `down` and back. */
async function faultOrigin() {
  const sockets = new Set();
  const state = { mode: 'ok', requests: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    // Bodies are drained so a reset is the fault chosen, not a side effect of unread input.
    req.resume();
    const socket = req.socket;
    switch (state.mode) {
      case 'hang':
        return;
      case 'reset-before':
        socket.resetAndDestroy();
        return;
      case 'reset-chunked':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial-');
        // After the chunk has gone out: the client has headers and part of the body.
        setTimeout(() => socket.resetAndDestroy(), 50);
        return;
      case 'reset-length':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
        res.write('x'.repeat(1000));
        setTimeout(() => socket.resetAndDestroy(), 50);
        return;
      default:
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('origin ');
        res.end('ok');
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    state,
    async setMode(mode) {
      if (!MODES.has(mode)) throw new Error(`unknown fault mode ${mode}`);
      state.mode = mode;
      // Requests held by a hang end now, as a restart of the origin would end them.
      for (const socket of sockets) socket.destroy();
      if (mode === 'down' && server.listening) await new Promise((resolve) => server.close(() => resolve()));
      if (mode !== 'down' && !server.listening) await listen(server, port);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      if (server.listening) await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts the control server; `close()` ends it and every origin it made. */
export async function startFaultOrigins() {
  const origins = new Map();
  const control = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://control');
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'POST' && url.pathname === '/origins') {
        const origin = await faultOrigin();
        origins.set(origin.port, origin);
        return reply(200, { port: origin.port });
      }
      const origin = origins.get(Number(url.pathname.split('/')[2]));
      if (!origin) return reply(404, { error: 'no such origin' });
      if (req.method === 'PUT') await origin.setMode(url.searchParams.get('mode') ?? '');
      return reply(200, { mode: origin.state.mode, requests: origin.state.requests });
    } catch (error) {
      return reply(400, { error: String(error) });
    }
  });
  const port = await listen(control);
  return {
    port,
    async close() {
      for (const origin of origins.values()) await origin.close();
      control.closeAllConnections();
      await new Promise((resolve) => control.close(() => resolve()));
    },
  };
}
