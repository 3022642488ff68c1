import type { AuthContext } from '../auth/context';
import type { AuthState } from '../auth/result';
import { forwardAuth } from '../forward-auth/forward-auth';
import type { Plan } from '../plan/plan';
import { ready } from '../runtime/auth-context';
import type { RuntimeResult } from '../runtime/runtime';
import { frontendApiProxy } from './frontend-api-proxy';
import { health } from './health';
import { jwks } from './jwks';
import { signOut } from './sign-out';

/**
 * The answer of one of the gateway's own endpoints, and the auth state sign-out read (for the
 * log). `context` builds what sign-out authenticates with; it is only called there. `html`: a
 * browser asked for a page (`readRequest`). `now`: the request's time (ms), for forward auth.
 */
export async function answerEndpoint(
  plan: Extract<Plan, { kind: 'endpoint' }>,
  request: Request,
  result: RuntimeResult,
  context: () => AuthContext,
  html: boolean,
  now: number,
): Promise<{ response: Response; auth?: AuthState | undefined }> {
  switch (plan.endpoint) {
    case 'health': {
      // Valid settings can still be wrong for this host: a sign-in page here that a route protects.
      const problem = plan.site?.signInLoopProblem;
      return { response: health(problem ? { ok: false, problems: [problem] } : result) };
    }
    case 'jwks':
      return { response: jwks(result.ok ? result.runtime.signer : undefined) };
    case 'frontend-api-proxy': {
      // Planned only with valid settings that turn the proxy on.
      const proxy = result.ok ? result.runtime.settings.frontendApiProxy : undefined;
      if (!result.ok || !proxy) throw new Error('a Frontend API proxy plan without the proxy');
      const { settings, deadline } = result.runtime;
      return { response: await frontendApiProxy(request, { proxy, publishableKey: settings.publishableKey, secretKey: settings.secretKey, deadline }) };
    }
    case 'sign-out': {
      const auth = context();
      return signOut(request, auth, auth.settings.signOutRedirectUrl, html);
    }
    case 'forward-auth':
      return forwardAuth(request, ready(result.ok ? result.runtime : undefined), now);
  }
}
