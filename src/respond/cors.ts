import type { HeaderReader } from '../request/headers';
import type { CompiledConfig, CompiledCors } from '../config/types';
import type { Policy } from '../policy/policy';
import { preflightMethod } from '../request/methods';

/** Why a CORS preflight is refused at the edge. */
export type CorsRefusal = 'ERR_CORS_ORIGIN' | 'ERR_CORS_METHOD' | 'ERR_CORS_HEADERS';

// Methods a browser never needs listed in Access-Control-Allow-Methods (Fetch: CORS-safelisted).
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);
// What an origin may say about CORS: where the gateway answers CORS, its own headers are the only ones.
const CORS_RESPONSE_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

/** The CORS that applies under `rule` (the combined rule of the request): its own, none (`false`), or the config's. */
export function corsPolicy(config: CompiledConfig, rule: Policy | undefined): CompiledCors | undefined {
  if (rule?.cors === false) return undefined;
  return rule?.cors ?? config.cors;
}

/** `Access-Control-Allow-Origin` for this `Origin`, or `undefined` when it may not read answers. */
function allowedOrigin(cors: CompiledCors, origin: string | null): string | undefined {
  if (origin === null) return undefined;
  if (cors.origins === '*') return '*';
  return cors.origins.has(origin) ? origin : undefined;
}

/**
 * The gateway's own answer to a CORS preflight: the headers of a `204` when the origin, the
 * method and every header asked for are allowed, else the refusal. Nothing is forwarded either way.
 */
export function preflightAnswer(cors: CompiledCors, headers: HeaderReader): { ok: true; headers: [string, string][] } | { ok: false; code: CorsRefusal } {
  const origin = allowedOrigin(cors, headers.get('origin'));
  if (!origin) return { ok: false, code: 'ERR_CORS_ORIGIN' };
  const asked = preflightMethod(headers);
  if (!SAFELISTED_METHODS.has(asked) && !cors.methods.includes(asked)) return { ok: false, code: 'ERR_CORS_METHOD' };
  const askedHeaders = (headers.get('access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (askedHeaders.some((h) => !cors.headers.includes(h))) return { ok: false, code: 'ERR_CORS_HEADERS' };
  const out: [string, string][] = [
    ['access-control-allow-origin', origin],
    ['access-control-allow-methods', cors.methods.join(', ')],
    ['access-control-max-age', String(cors.maxAge)],
    // The answer differs by these; a cache in between must not hand one origin's answer to another.
    ['vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers'],
  ];
  if (cors.headers.length > 0) out.push(['access-control-allow-headers', cors.headers.join(', ')]);
  if (cors.credentials) out.push(['access-control-allow-credentials', 'true']);
  return { ok: true, headers: out };
}

/** A `204` answering an allowed preflight. */
export function preflightResponse(headers: readonly [string, string][]): Response {
  return new Response(null, { status: 204, headers: [...headers] });
}

/**
 * A real answer (forwarded, or the gateway's own refusal or redirect) with the CORS headers of
 * `cors` for the request's `Origin`; the origin's own `Access-Control-*` headers are replaced, so
 * an origin that reflects every `Origin` cannot widen the configured policy. Without `cors`, the
 * answer is unchanged.
 */
export function withCors(response: Response, cors: CompiledCors | undefined, origin: string | null): Response {
  if (!cors) return response;
  let out = response;
  try {
    out.headers.delete('access-control-allow-origin');
  } catch {
    // An answer straight from fetch() has immutable headers; a WebSocket's cannot be rebuilt (and needs no CORS).
    if (response.status === 101) return response;
    out = new Response(response.body, response);
  }
  for (const name of CORS_RESPONSE_HEADERS) out.headers.delete(name);
  if (cors.origins !== '*') out.headers.append('vary', 'Origin');
  const allowed = allowedOrigin(cors, origin);
  if (!allowed) return out;
  out.headers.set('access-control-allow-origin', allowed);
  if (cors.credentials) out.headers.set('access-control-allow-credentials', 'true');
  if (cors.exposeHeaders.length > 0) out.headers.set('access-control-expose-headers', cors.exposeHeaders.join(', '));
  return out;
}
