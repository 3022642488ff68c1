// The floor under a first-seen session token (docs/performance.md): the pass-through Worker plus
// the one check nothing can skip, `crypto.subtle.verify` (RS256) on the bearer token's bytes,
// with the key imported once per isolate and the segments decoded by the gateway's own decoder.
// A token that does not verify is a 401.
import { base64UrlBytes } from '../../src/auth/jwt';

interface VerifyFloorEnv {
  ORIGIN_URL: string;
  /** SPKI PEM on one line, as CLERK_JWT_KEY. */
  CLERK_JWT_KEY: string;
}

let key: Promise<CryptoKey> | undefined;
const encoder = new TextEncoder();

export default {
  async fetch(request: Request, env: VerifyFloorEnv): Promise<Response> {
    key ??= crypto.subtle.importKey('spki', base64UrlBytes(env.CLERK_JWT_KEY.replace(/-----[^-]+-----|\s/g, '')), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    const token = request.headers.get('authorization')?.slice(7) ?? '';
    const dot = token.lastIndexOf('.');
    const valid = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', await key, base64UrlBytes(token.slice(dot + 1)), encoder.encode(token.slice(0, dot)));
    if (!valid) return new Response('invalid', { status: 401 });
    const url = new URL(request.url);
    return fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, request);
  },
};
