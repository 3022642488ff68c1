// Node-side test servers (run by vitest's globalSetup, outside workerd): a recording origin
// and a fake Clerk Backend API. Both listen on 127.0.0.1 only.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import type { PageSpec } from './page-spec';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Listens on 127.0.0.1. Node closes a keep-alive connection after 5 s idle by default, and workerd
 * may send its next request on it at that very moment: the request fails, and the gateway answers
 * 502 — more often the slower the machine. These servers keep their connections (closed at
 * teardown) and take a long queue of new ones (hundreds of requests start at once in some tests).
 */
function listen(server: Server): Promise<number> {
  server.keepAliveTimeout = 0;
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function servePage(spec: PageSpec, res: ServerResponse, releases: Map<string, () => void>): Promise<void> {
  const headers: Record<string, string> = { ...(spec.contentType === null ? {} : { 'content-type': spec.contentType ?? 'text/html; charset=utf-8' }), ...spec.headers };
  const status = spec.status ?? 200;
  // Node adds no Content-Type of its own; an answer without one is sniffed by browsers.
  const pieces = spec.chunks.flatMap((chunk, i) => (spec.repeat?.index === i ? Array<string>(spec.repeat.times).fill(chunk) : [chunk]));
  const encoding = spec.gzip ? 'gzip' : spec.encoding;
  if (encoding) {
    const page = Buffer.from(pieces.join(''));
    const encode = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }[encoding] ?? ((b: Buffer) => b);
    res.writeHead(status, { ...headers, 'content-encoding': encoding });
    res.end(encode(page));
    return;
  }
  res.writeHead(status, headers);
  const [first, ...rest] = pieces;
  if (spec.hold) {
    const released = new Promise<void>((resolve) => releases.set(spec.hold as string, resolve));
    res.write(first ?? '');
    await released;
    releases.delete(spec.hold);
  } else if (first !== undefined) rest.unshift(first);
  for (const piece of rest) res.write(piece);
  res.end();
}

/**
 * The origin: echoes what it received as JSON, counts requests per `x-test-probe` header, and
 * acts out special answers chosen by the `__origin` query parameter.
 */
export async function startOrigin(): Promise<{ port: number; close: () => Promise<void> }> {
  const probes = new Map<string, number>();
  const releases = new Map<string, () => void>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    // A request target URL cannot parse (e.g. `//?x` from a naive gateway) is recorded, not fatal.
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://origin.invalid');
    } catch {
      url = new URL('http://origin.invalid/__unparseable');
    }
    if (url.pathname === '/__release') {
      // Lets a held `page` answer go on (see servePage).
      releases.get(url.searchParams.get('id') ?? '')?.();
      res.end('released');
      return;
    }
    if (url.pathname === '/__probe') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ count: probes.get(url.searchParams.get('id') ?? '') ?? 0 }));
      return;
    }
    const probe = req.headers['x-test-probe'];
    if (typeof probe === 'string') probes.set(probe, (probes.get(probe) ?? 0) + 1);
    const body = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: body.toString('utf8'),
    };
    switch (url.searchParams.get('__origin')) {
      case 'set-cookies':
        res.setHeader('set-cookie', ['a=1; Path=/; HttpOnly', 'b=2; Path=/; Secure', 'c=3; Max-Age=60']);
        break;
      case 'cors-reflect':
        // An origin that answers CORS itself, reflecting any Origin with credentials (the gateway must not let it widen its policy).
        res.setHeader('access-control-allow-origin', String(req.headers.origin ?? '*'));
        res.setHeader('access-control-allow-credentials', 'true');
        break;
      case 'redirect':
        res.writeHead(302, { location: '/elsewhere?x=1' });
        res.end();
        return;
      case 'status':
        res.writeHead(418, { 'x-origin-header': 'kept', 'content-type': 'text/plain' });
        res.end('teapot');
        return;
      case 'binary': {
        const bytes = Buffer.alloc(256 * 1024);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(bytes);
        return;
      }
      case 'slow':
        await new Promise((r) => setTimeout(r, 3000));
        break;
      case 'reflect':
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
        res.end(body);
        return;
      case 'page':
        await servePage(JSON.parse(body.toString('utf8')) as PageSpec, res, releases);
        return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(record));
  });
  // WebSocket: complete the handshake, then send one text frame naming the user the gateway vouched for.
  server.on('upgrade', (req: IncomingMessage, socket: import('node:net').Socket) => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
    const text = Buffer.from(`hello ${String(req.headers['x-auth-user-id'] ?? 'nobody')}`);
    socket.write(Buffer.concat([Buffer.from([0x81, text.length]), text]));
    socket.on('error', () => socket.destroy());
    // Answer the client's close frame with one, so the socket ends cleanly (no "peer disconnected").
    socket.on('data', (frame: Buffer) => {
      if ((frame[0]! & 0x0f) === 0x8) socket.end(Buffer.from([0x88, 0x00]));
    });
    setTimeout(() => socket.destroy(), 2000).unref();
  });
  const port = await listen(server);
  return { port, close: () => closeServer(server) };
}

/** How a scope of the fake Backend API misbehaves (test/faults/clerk-*.test.ts). */
export interface Fault {
  mode: 'ok' | 'down' | '500' | 'garbage' | 'slow' | 'hang';
  /** `slow`: how long before answering, in milliseconds. */
  ms?: number;
}

/**
 * A fake Clerk Backend API: serves a JWKS given at start, and handshake payloads that tests
 * register by nonce (POST /__nonce { nonce, directives }).
 */
export async function startBackendApi(jwks: unknown): Promise<{ port: number; close: () => Promise<void> }> {
  const nonces = new Map<string, string[]>();
  let jwksHits = 0;
  const scopedJwksHits = new Map<string, number>();
  // Backend API calls other than the JWKS, per scope and path (refresh, handshake payload, …).
  const scopedCalls = new Map<string, Record<string, number>>();
  const scopedFaults = new Map<string, Fault>();
  const scopedJwks = new Map<string, unknown>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bapi.invalid');
    res.setHeader('content-type', 'application/json');
    if (req.method === 'POST' && url.pathname === '/__nonce') {
      const { nonce, directives } = JSON.parse((await readBody(req)).toString('utf8')) as { nonce: string; directives: string[] };
      nonces.set(nonce, directives);
      res.end('{}');
      return;
    }
    if (url.pathname === '/__jwks_hits') {
      res.end(JSON.stringify({ count: jwksHits }));
      return;
    }
    // Added for test/attacks/jwks.test.ts: the same JWKS under a per-test prefix
    // (CLERK_API_URL=http://127.0.0.1:<port>/__scoped/<scope>), counted per scope, so a test
    // counts only its own fetches whatever runs in parallel. Nothing else changes.
    const scoped = /^\/__scoped\/([A-Za-z0-9_-]+)(\/.*)$/.exec(url.pathname);
    if (scoped) {
      const [, scope, rest] = scoped as unknown as [string, string, string];
      if (rest === '/__jwks_hits') {
        res.end(JSON.stringify({ count: scopedJwksHits.get(scope) ?? 0 }));
        return;
      }
      if (rest === '/__calls') {
        res.end(JSON.stringify({ jwks: scopedJwksHits.get(scope) ?? 0, ...scopedCalls.get(scope) }));
        return;
      }
      // Added for test/faults/clerk-*.test.ts: POST /__fault { mode, ms } makes every later call
      // of the scope (JWKS and the rest) fail as chosen: `down` (connection reset), `500`,
      // `garbage` (200, not JSON), `slow` (answered after `ms`), `hang` (never answered), `ok`.
      // POST /__jwks { keys } replaces the scope's JWKS (a signing-key rotation).
      if (req.method === 'POST' && (rest === '/__fault' || rest === '/__jwks')) {
        const body = JSON.parse((await readBody(req)).toString('utf8')) as Fault & { keys?: unknown[] };
        if (rest === '/__fault') scopedFaults.set(scope, { mode: body.mode, ms: body.ms ?? 0 });
        else scopedJwks.set(scope, body);
        res.end('{}');
        return;
      }
      const fault = scopedFaults.get(scope);
      if (fault && fault.mode !== 'ok') {
        if (fault.mode === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
        else {
          if (rest === '/v1/jwks') scopedJwksHits.set(scope, (scopedJwksHits.get(scope) ?? 0) + 1);
          else {
            const key = rest.replace(/\/v1\/sessions\/[^/]+\/(refresh|revoke)$/, '/v1/sessions/:sid/$1');
            const counts = scopedCalls.get(scope) ?? {};
            counts[key] = (counts[key] ?? 0) + 1;
            scopedCalls.set(scope, counts);
          }
          if (fault.mode === 'down') req.socket.destroy();
          else if (fault.mode === '500') {
            res.statusCode = 500;
            res.end(JSON.stringify({ errors: [{ code: 'internal_error', message: 'fault: 500' }] }));
          } else if (fault.mode === 'garbage') res.end('<html>not json');
          // hang: never answered (the socket is destroyed when the server closes).
          return;
        }
      }
      if (rest !== '/v1/jwks') {
        // Counted, then refused as Clerk refuses an unknown refresh token or nonce.
        const key = rest.replace(/\/v1\/sessions\/[^/]+\/(refresh|revoke)$/, '/v1/sessions/:sid/$1');
        const counts = scopedCalls.get(scope) ?? {};
        counts[key] = (counts[key] ?? 0) + 1;
        scopedCalls.set(scope, counts);
        // Machine tokens: `ak_valid…` / `mt_valid…` verify (scopes after `_scopes_`, `~`-separated), the rest are unknown.
        // (@clerk/backend calls these without the /v1 prefix.)
        if (/^(?:\/v1)?\/(?:api_keys|m2m_tokens)\/verify$/.test(key)) {
          const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { secret?: string; token?: string };
          const secret = body.secret ?? body.token ?? '';
          if (!/^(ak|mt)_valid/.test(secret)) {
            res.statusCode = 404;
            res.end(JSON.stringify({ errors: [{ code: 'resource_not_found', message: 'not found' }] }));
            return;
          }
          const scopes = secret.includes('_scopes_') ? secret.split('_scopes_')[1]!.split('~') : [];
          const common = { id: `${secret.slice(0, 2)}_id_1`, scopes, claims: null, revoked: false, revocation_reason: null, expired: false, expiration: null, created_at: 0, updated_at: 0 };
          res.end(
            JSON.stringify(
              key.endsWith('/api_keys/verify')
                ? { object: 'api_key', type: 'api_key', name: 'test key', subject: 'user_1', created_by: null, description: null, last_used_at: null, ...common }
                : { object: 'machine_to_machine_token', subject: 'mch_1', ...common },
            ),
          );
          return;
        }
        if (key === '/v1/sessions/:sid/revoke') {
          res.end(JSON.stringify({ object: 'session', id: rest.split('/')[3], status: 'revoked' }));
          return;
        }
        res.statusCode = rest.startsWith('/v1/sessions/') ? 400 : 404;
        res.end(JSON.stringify({ errors: [{ code: rest.startsWith('/v1/sessions/') ? 'refresh_token_invalid' : 'resource_not_found', message: rest }] }));
        return;
      }
      if (rest === '/v1/jwks') {
        scopedJwksHits.set(scope, (scopedJwksHits.get(scope) ?? 0) + 1);
        if (req.headers.authorization !== 'Bearer sk_live_testsecret') {
          res.statusCode = 401;
          res.end(JSON.stringify({ errors: [{ code: 'authentication_invalid', message: 'bad secret key' }] }));
          return;
        }
        res.end(JSON.stringify(scopedJwks.get(scope) ?? jwks));
        return;
      }
    }
    if (req.headers.authorization !== 'Bearer sk_live_testsecret') {
      res.statusCode = 401;
      res.end(JSON.stringify({ errors: [{ code: 'authentication_invalid', message: 'bad secret key' }] }));
      return;
    }
    if (url.pathname === '/v1/jwks') {
      jwksHits++;
      res.end(JSON.stringify(jwks));
      return;
    }
    if (url.pathname === '/v1/clients/handshake_payload') {
      const directives = nonces.get(url.searchParams.get('nonce') ?? '');
      if (!directives) {
        res.statusCode = 404;
        res.end(JSON.stringify({ errors: [{ code: 'resource_not_found', message: 'no such nonce' }] }));
        return;
      }
      res.end(JSON.stringify({ directives }));
      return;
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ errors: [{ code: 'resource_not_found', message: url.pathname }] }));
  });
  const port = await listen(server);
  return { port, close: () => closeServer(server) };
}

/**
 * A fake Clerk Frontend API, for the gateway's Frontend API proxy (CLERK_FRONTEND_API_URL): echoes
 * what it received as JSON with a `__client` cookie, and acts out Clerk's other answers by path:
 * `/v1/redirect` a 307 to a path of its own (the proxy rewrites it onto the proxy URL),
 * `/v1/hang` never answers (the Clerk deadline ends it).
 */
export async function startFrontendApi(): Promise<{ port: number; close: () => Promise<void> }> {
  const hanging = new Set<ServerResponse>();
  let port = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fapi.invalid');
    const body = (await readBody(req)).toString('utf8');
    if (url.pathname === '/v1/hang') {
      hanging.add(res);
      return;
    }
    if (url.pathname === '/v1/redirect') {
      res.writeHead(307, { location: `http://127.0.0.1:${port}/v1/client/sign_ins?step=2` });
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.setHeader('set-cookie', ['__client=fapi_client; Path=/; HttpOnly; Secure; SameSite=Lax']);
    res.end(JSON.stringify({ method: req.method, path: url.pathname, search: url.search, headers: req.headers, body }));
  });
  port = await listen(server);
  return {
    port,
    close: async () => {
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
}
