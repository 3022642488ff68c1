import { authenticate } from '../auth/authenticate';
import type { AuthContext } from '../auth/context';
import type { AuthState } from '../auth/result';
import { isSignOutCookie, SIGN_OUT_ALWAYS_CLEARED } from '../request/clerk-cookies';
import type { CookiePairs } from '../request/cookies';
import { signOutFormPage } from '../respond/html';
import { refuse } from '../respond/respond';

/**
 * Expiring `Set-Cookie`s for Clerk's cookies: host-only, and for each parent domain the host has
 * (Clerk's Frontend API sets `__client_uat` on the site's registrable domain; a browser ignores
 * the `Domain` of a public suffix).
 */
function clearedCookies(cookies: CookiePairs, url: Pick<URL, 'hostname' | 'protocol'>): string[] {
  const names = new Set(SIGN_OUT_ALWAYS_CLEARED);
  for (const [name] of cookies) if (isSignOutCookie(name)) names.add(name);
  const labels = url.hostname.split('.');
  const domains = [undefined, ...labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'))];
  const secure = url.protocol === 'https:' ? '; Secure' : '';
  const out: string[] = [];
  for (const name of names) {
    for (const domain of domains) out.push(`${name}=; Path=/; Max-Age=0; SameSite=Lax${secure}${domain ? `; Domain=${domain}` : ''}`);
  }
  return out;
}

/** Same origin by `Origin`, or by `Sec-Fetch-Site` when a browser sends no `Origin`. */
function sameOrigin(request: Request, origin: string): boolean {
  const from = request.headers.get('origin');
  if (from !== null) return from === origin;
  return request.headers.get('sec-fetch-site') === 'same-origin';
}

/** The one-button page a browser's GET gets (an API client's GET is still a 405). */
function formPage(path: string): Response {
  return new Response(signOutFormPage(path), {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // No form-action: browsers apply it to the POST's 303 too, and SIGN_OUT_REDIRECT_URL may be another origin.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    },
  });
}

/**
 * The sign-out endpoint, as Cloudflare Access's `/cdn-cgi/access/logout` and oauth2-proxy's
 * `/oauth2/sign_out`: `POST` from this site only (a browser's `GET` gets a page with a button that
 * posts it). It revokes the session through the Backend API
 * (within the Backend API budget; past it the session only expires, within a minute), clears
 * Clerk's cookies for this host, and answers `303` to `SIGN_OUT_REDIRECT_URL`.
 */
export async function signOut(request: Request, context: AuthContext, redirectTo: string, html: boolean): Promise<{ response: Response; auth: AuthState | undefined }> {
  // A sign-out link followed by a browser (GET) gets a page, not JSON.
  const page = { html };
  if (request.method === 'GET' && page.html) return { response: formPage(context.url.pathname), auth: undefined };
  if (request.method !== 'POST') {
    const response = refuse('ERR_METHOD_NOT_ALLOWED', page);
    response.headers.set('allow', 'POST');
    return { response, auth: undefined };
  }
  if (!sameOrigin(request, context.site.origin)) return { response: refuse('ERR_CROSS_SITE', page), auth: undefined };

  const auth = await authenticate(request, context);
  if (auth.kind === 'signed-in') {
    const { sessionId } = auth.identity;
    if (!context.budget.take('session-revoke', context.now)) {
      console.error(`edge-auth-gateway: sign-out could not revoke session ${sessionId}: Backend API budget spent; it expires with its token`);
    } else {
      try {
        // Bounded: a Backend API that does not answer never holds the sign-out (the cookies are
        // cleared regardless), and authentication and revocation together wait on Clerk at most
        // twice the deadline, as any other request.
        await context.deadline.run(() => context.client.sessions.revokeSession(sessionId), context.deadline.leftSince(context.now));
      } catch (error) {
        console.error(`edge-auth-gateway: sign-out could not revoke session ${sessionId}:`, error);
      }
    }
  }
  const headers = new Headers({ location: new URL(redirectTo, context.site.origin).href, 'cache-control': 'no-store' });
  for (const cookie of clearedCookies(context.cookies, context.url)) headers.append('set-cookie', cookie);
  return { response: new Response(null, { status: 303, headers }), auth };
}
