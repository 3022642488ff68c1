// The floor under a first-seen session token (docs/performance.md): the pass-through Worker plus
// the one check nothing can skip, `crypto.subtle.verify` (RS256) on the bearer token's bytes
// (floor-signature.ts). A token that does not verify is a 401.
import { signatureHolds, type FloorEnv } from './floor-signature';

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const token = request.headers.get('authorization')?.slice(7) ?? '';
    if (!(await signatureHolds(token, env.CLERK_JWT_KEY))) return new Response('invalid', { status: 401 });
    const url = new URL(request.url);
    return fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, request);
  },
};
