// What one call into the runtime costs inside workerd (docs/performance.md, "Counted, not timed"):
// the pass-through Worker, serving the bench's page, plus `N` of one operation, chosen by the
// request's `x-op` header, `x-n` times. bench/instructions.mjs (`--calls`) counts each against
// `base` (the pass-through alone, the same Worker): (variant − base) ÷ N is one call.
interface RuntimeCallsEnv {
  ORIGIN_URL: string;
}

// What the origin gets, built at once, against a copy with deletes and sets (about the gateway's forward).
const SETS: [string, string][] = [
  ['x-request-id', '9a3c1f2e-7b2d-4c55-9a31-0b7f6d2e1c44'],
  ['x-forwarded-host', 'gateway.example.test'],
  ['x-forwarded-proto', 'https'],
  ['x-auth-session-status', 'active'],
  ['x-auth-token-type', 'session_token'],
  ['x-auth-user-id', 'user_2abcdefghijklmnopqrstuvwxyz'],
  ['x-auth-session-id', 'sess_2abcdefghijklmnopqrstuvwxyz'],
  ['accept-encoding', 'gzip'],
  ['x-forwarded-for', '203.0.113.9'],
];
const PAIRS: [string, string][] = [
  ['accept', '*/*'],
  ['accept-language', '*'],
  ['authorization', `Bearer ${'x'.repeat(700)}`],
  ['sec-fetch-mode', 'cors'],
  ['user-agent', 'undici'],
  ['x-n', '100'],
  ...SETS,
];

// Kept alive past the loops, so nothing is optimized away.
let sink = 0;
const encoded = btoa('x'.repeat(300));
const claims = JSON.stringify({ sub: 'user_2abc', sid: 'sess_2abc', iss: 'https://clerk.example.test', azp: 'https://app.example.test', exp: 1, iat: 2, nbf: 3, v: 2 });

export default {
  async fetch(request: Request, env: RuntimeCallsEnv): Promise<Response> {
    const url = new URL(request.url);
    const op = request.headers.get('x-op') ?? 'base';
    const n = Number(request.headers.get('x-n') ?? 1);
    const scratch = new Headers();
    const upstream = fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, request);
    if (op === 'new-response') {
      let response = await upstream;
      for (let i = 0; i < n; i++) response = new Response(response.body, response);
      return response;
    }
    for (let i = 0; i < n; i++) {
      if (op === 'headers-get') sink += (request.headers.get('accept') ?? '').length;
      else if (op === 'headers-set') scratch.set('x-a', 'v');
      else if (op === 'headers-foreach') request.headers.forEach((value, name) => (sink += name.length + value.length));
      else if (op === 'headers-copy') sink += new Headers(request.headers).has('x') ? 1 : 0;
      else if (op === 'url-origin') sink += url.origin.length;
      else if (op === 'url-pathname') sink += url.pathname.length;
      else if (op === 'timer') clearTimeout(setTimeout(() => undefined, 1000));
      else if (op === 'random-uuid') sink += crypto.randomUUID().length;
      else if (op === 'log-line') console.log(JSON.stringify({ msg: 'request', request_id: crypto.randomUUID(), method: 'GET', path: '/dashboard', rule: null, status: 200, reason: null, user_id: 'user_2abc', total_ms: i }));
      else if (op === 'atob') sink += atob(encoded).length;
      else if (op === 'json-parse') sink += (JSON.parse(claims) as { v: number }).v;
      else if (op === 'headers-pairs') sink += new Headers(PAIRS).has('x') ? 1 : 0;
      else if (op === 'headers-copy-set') {
        const h = new Headers(request.headers);
        h.delete('host');
        h.delete('x-op');
        for (const [name, value] of SETS) h.set(name, value);
        sink += h.has('x') ? 1 : 0;
      }
    }
    if (sink < 0) return new Response(null, { status: 500 });
    return upstream;
  },
};
