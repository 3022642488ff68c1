// What a user would write instead of the gateway: @clerk/backend's authenticateRequest on every
// request, then a plain fetch with the user id. The client is created once, as Clerk advises.
import { createClerkClient, type ClerkClient } from '@clerk/backend';

interface BaselineEnv {
  ORIGIN_URL: string;
  CLERK_PUBLISHABLE_KEY: string;
  CLERK_SECRET_KEY: string;
  CLERK_JWT_KEY: string;
  CLERK_AUTHORIZED_PARTIES: string;
}

let clerk: ClerkClient | undefined;

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    clerk ??= createClerkClient({ secretKey: env.CLERK_SECRET_KEY, publishableKey: env.CLERK_PUBLISHABLE_KEY, jwtKey: env.CLERK_JWT_KEY });
    const state = await clerk.authenticateRequest(request, { authorizedParties: [env.CLERK_AUTHORIZED_PARTIES] });
    const auth = state.toAuth();
    if (!auth || !auth.userId) return new Response('Unauthorized', { status: 401 });
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.set('x-auth-user-id', auth.userId);
    return fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, { method: request.method, headers, redirect: 'manual' });
  },
};
