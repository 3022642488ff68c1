// @clerk/backend's Frontend API proxy alone, as a Worker would use it by hand (Clerk's docs): what
// bench/frontend-api-proxy.mjs compares the gateway's proxy with, to tell the library's cost from the gateway's.
import { clerkFrontendApiProxy } from '@clerk/backend/proxy';

interface ProxyEnv {
  CLERK_PUBLISHABLE_KEY: string;
  CLERK_SECRET_KEY: string;
  CLERK_FRONTEND_API_URL: string;
}

export default {
  fetch(request: Request, env: ProxyEnv): Promise<Response> {
    return clerkFrontendApiProxy(request, { publishableKey: env.CLERK_PUBLISHABLE_KEY, secretKey: env.CLERK_SECRET_KEY, fapiUrl: env.CLERK_FRONTEND_API_URL });
  },
};
