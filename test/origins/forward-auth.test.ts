// Forward auth, end to end (docs/forward-auth.md): nginx (auth_request) and Caddy 2.6 (forward_auth
// written out) in front of php-fpm, each asking the gateway, self-hosted on workerd, about every
// request (test/origins/forward-auth-recipes.mjs). Each recipe: a signed-out browser sent to
// sign-in, a pending user to the task, an API 401, the identity reaching PHP with every client copy
// stripped by the proxy's config and no placeholder text, a client's own X-Forwarded-Uri changing
// nothing, and the conformance corpus (classes 1–5) sent to the proxy: no protected handler
// reached without a session, no spoofed identity believed. Started by `npm run test:origins` only.
import { describe, expect, it } from 'vitest';

import { handshakeNonce, mintToken, nowSeconds, sessionCookie } from '../helpers';
import { CLASS_NAMES, type ClassId } from './corpus';
import { expectClassClean, expectControls, frameworkView, originsSuite, sendToProxy, type FrameworkView } from './harness';

const suite = originsSuite();
const RECIPES = Object.entries(suite?.origins ?? {}).filter(([, o]) => o.kind === 'forward-auth');
// Class 6 (another rule's origin and stripPrefix) needs the gateway to route: a proxy asking it does its own routing.
const CLASSES: ClassId[] = [1, 2, 3, 4, 5];
const NAVIGATE = { 'sec-fetch-dest': 'document', accept: 'text/html,application/xhtml+xml' };
const API = { accept: 'application/json' };

interface PhpView extends FrameworkView {
  auth?: Record<string, string>;
  cookieHeader?: string | null;
}

async function alice(claims: Record<string, unknown> = {}): Promise<string> {
  const iat = nowSeconds() - 1;
  return sessionCookie(await mintToken({ claims: { sub: 'user_alice', sid: 'sess_alice', iat, nbf: iat, ...claims } }), iat);
}

describe('the gateway self-hosted on workerd (npm run build’s bundle and workerd.capnp)', () => {
  const probe = RECIPES.map(([, r]) => r.clientIpProbe).find(Boolean);
  // Sent by global-setup.mjs from Node (workerd's fetch would drop the header before sending it).
  it.skipIf(!probe)('a client’s CF-Connecting-IP (or X-Forwarded-For) never reaches the origin: nobody vouches for it without Cloudflare', () => {
    const { status, headers, error } = probe!;
    expect([status, error]).toEqual([200, undefined]);
    expect(headers['x-auth-session-status']).toBe('signed-out');
    expect([headers['x-forwarded-for'], headers['cf-connecting-ip']]).toEqual([undefined, undefined]);
  });
});

describe('forward auth: nginx and Caddy ask the gateway (self-hosted on workerd)', () => {
  if (RECIPES.length === 0) {
    it.skip('not started: run `npm run test:origins` for nginx auth_request and Caddy forward_auth in front of php-fpm', () => {});
    return;
  }
  for (const [name, recipe] of RECIPES) {
    if (recipe.port === undefined) {
      it.skip(`${name}: skipped, ${recipe.skipped ?? 'not started'}`, () => {});
      continue;
    }
    const port = recipe.port;
    const base = `http://127.0.0.1:${port}`;
    const get = async (path: string, headers: Record<string, string>) => {
      const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
      const { text, view } = await frameworkView<PhpView>(res);
      return { res, text, view };
    };
    const options = { transport: sendToProxy, expectedHost: `127.0.0.1:${port}` };

    describe(`${name} (${recipe.detail})`, () => {
      it('a protected page sends a signed-out browser to sign-in, back to the page', async () => {
        const { res, view } = await get('/dashboard?tab=1', NAVIGATE);
        expect(view).toBeUndefined();
        expect(res.status).toBe(307);
        const location = new URL(res.headers.get('location')!);
        expect(`${location.origin}${location.pathname}`).toBe('https://accounts.gateway.test/sign-in');
        expect(location.searchParams.get('redirect_url')).toBe(`${base}/dashboard?tab=1`);
      });

      it('a pending user is sent to the task page; the API gets 401 session_pending', async () => {
        const cookie = await alice({ sts: 'pending' });
        const page = await get('/dashboard', { ...NAVIGATE, cookie });
        expect([page.res.status, page.view]).toEqual([307, undefined]);
        expect(new URL(page.res.headers.get('location')!).pathname).toBe('/sign-in/tasks');
        const api = await get('/api/keys', { ...API, cookie });
        expect([api.res.status, api.view, api.res.headers.get('x-auth-reason')]).toEqual([401, undefined, 'session_pending']);
      });

      it('a handshake Clerk resolved: its cookies reach the browser on a redirect back, and the page then loads signed in', async () => {
        const fresh = await mintToken({ claims: { sub: 'user_alice', sid: 'sess_alice' } });
        const first = await get(`/dashboard?tab=2&__clerk_handshake_nonce=${await handshakeNonce(fresh)}`, NAVIGATE);
        expect([first.res.status, first.view]).toEqual([307, undefined]);
        expect(first.res.headers.get('location')).toBe(`${base}/dashboard?tab=2`);
        const cookies = first.res.headers.getSetCookie();
        expect(cookies.some((c) => c.startsWith(`__session=${fresh}`))).toBe(true);
        const jar = cookies.map((c) => c.split(';')[0]).join('; ');
        const second = await get('/dashboard?tab=2', { ...NAVIGATE, cookie: jar });
        expect([second.view?.handler, second.view?.userId]).toEqual(['protected:dashboard', 'user_alice']);
      });

      it('an API call without a session gets 401, not a redirect', async () => {
        const { res, view } = await get('/api/keys/1', API);
        expect([res.status, view, res.headers.get('location'), res.headers.get('x-auth-reason')]).toEqual([401, undefined, null, 'no_credentials']);
      });

      it('the identity reaches PHP; every client copy, in every spelling, is stripped by the proxy config', async () => {
        const spoofs = {
          'x-auth-user-id': 'user_admin',
          'x-auth-session-status': 'active',
          'x-auth-org-id': 'org_evil',
          'x-auth-org-role': 'org:admin',
          'x-auth-assertion': 'forged',
          'X_Auth_Session_Id': 'sess_evil',
          'X-Auth.Org-Slug': 'evil',
          'x-forwarded-host': 'evil.example',
        };
        const signedIn = await get('/dashboard', { ...API, ...spoofs, cookie: await alice() });
        expect(signedIn.view, signedIn.text).toBeDefined();
        expect([signedIn.view!.handler, signedIn.view!.userId, signedIn.view!.sessionId, signedIn.view!.sessionStatus]).toEqual(['protected:dashboard', 'user_alice', 'sess_alice', 'active']);
        expect(signedIn.view!.forwardedHost).toBe(`127.0.0.1:${port}`);
        const auth = signedIn.view!.auth ?? {};
        for (const key of ['HTTP_X_AUTH_ORG_ID', 'HTTP_X_AUTH_ORG_ROLE', 'HTTP_X_AUTH_ORG_SLUG', 'HTTP_X_AUTH_ASSERTION']) expect(auth[key] ?? '', key).toBe('');
        const signedOut = await get('/public/page', { ...NAVIGATE, ...spoofs });
        expect([signedOut.view?.handler, signedOut.view?.userId ?? '', signedOut.view?.sessionStatus]).toEqual(['public', '', 'signed-out']);
        expect(signedOut.view!.auth?.HTTP_X_AUTH_SESSION_ID ?? '').toBe('');
      });

      it('no placeholder text ever reaches the app (Caddy 2.6.2 copy_headers)', async () => {
        for (const headers of [NAVIGATE, { ...API, cookie: await alice() }, { ...API, cookie: await alice({ o: { id: 'org_1', slg: 'acme', rol: 'admin' } }) }]) {
          const { view, text } = await get('/public/page', headers);
          expect(view, text).toBeDefined();
          const values = [...Object.values(view!.auth ?? {}), view!.cookieHeader ?? '', view!.userId ?? '', view!.sessionStatus ?? ''];
          expect(Object.keys(view!.auth ?? {}).length).toBeGreaterThanOrEqual(11);
          for (const value of values) expect(value).not.toMatch(/\{|\}|http\.reverse_proxy|upstream_http/);
        }
      });

      it('a client’s own X-Forwarded-Uri (or X-Original-URI, X-Forwarded-Method) changes nothing', async () => {
        const lies = { 'x-forwarded-uri': '/public/page', 'x-original-uri': '/public/page', 'x-forwarded-method': 'OPTIONS', 'x-original-method': 'OPTIONS', 'x-original-url': `${base}/public/page` };
        const page = await get('/dashboard', { ...NAVIGATE, ...lies });
        expect([page.res.status, page.view]).toEqual([307, undefined]);
        expect(new URL(page.res.headers.get('location')!).searchParams.get('redirect_url')).toBe(`${base}/dashboard`);
        const api = await get('/api/keys', { ...API, ...lies });
        expect([api.res.status, api.view]).toEqual([401, undefined]);
        // And the other way round: a public page stays public.
        const open = await get('/public/page', { ...API, 'x-forwarded-uri': '/dashboard', 'x-original-uri': '/dashboard' });
        expect(open.view?.handler).toBe('public');
      });

      it('controls: protected routes reach their handlers with a session, and only with one', async () => {
        await expectControls(name, port, options);
      });
      it.each(CLASSES.map((c) => [c, CLASS_NAMES[c]] as const))('class %i: %s', async (cls) => {
        await expectClassClean(suite!, name, port, cls, options);
      });
    });
  }
});
