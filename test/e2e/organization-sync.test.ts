// organizationSyncOptions: a page load whose URL names another organization than the active one
// goes through Clerk's handshake, which activates it and comes back (a nonce resolved through the
// fake Backend API); an API call, a bearer token, a pending session or a fourth handshake get what
// Clerk gives (no handshake), and the rule's organizationParam still decides what is forwarded.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { clientUat, handshakeNonce, mintToken, newProbe, originCount, originSaw, send, sessionCookie } from '../helpers';

const SYNC = { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)', '/o/:id/(.*)'], personalAccountPatterns: ['/me', '/me/(.*)'] };
const ROUTES = [
  { match: '/orgs/:org/settings(.*)', protect: { organizationParam: 'org', role: 'org:admin' } },
  { match: '/o/:org/(.*)', protect: { organizationParam: 'org' } },
  { match: '/me(.*)', protect: true },
];
const config = defineConfig({ routes: ROUTES, organizationSyncOptions: SYNC });
const withoutSync = defineConfig({ routes: ROUTES });

const org = (slug: string, rol = 'admin') => ({ o: { id: `org_${slug}`, slg: slug, rol, per: '', fpm: '' } });
const acmeAdmin = async (claims: Record<string, unknown> = {}) => sessionCookie(await mintToken({ claims: { ...org('acme'), ...claims } }));

/** The handshake Location, or a failure naming what came instead. */
function handshake(res: Response): URL {
  expect(res.status, `expected Clerk's handshake, got ${res.status}`).toBe(307);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe('https://clerk.gateway.test/v1/client/handshake');
  return location;
}

describe('organizationSyncOptions', () => {
  it('a navigation to another organization than the active one gets the handshake that activates it, and the origin is not called', async () => {
    const probe = newProbe('org-sync');
    const res = await send('/orgs/other/settings?tab=1', { config, navigate: true, cookie: await acmeAdmin(), probe });
    const location = handshake(res);
    expect(location.searchParams.get('organization_id')).toBe('other');
    expect(location.searchParams.get('redirect_url')).toBe('https://gateway.test/orgs/other/settings?tab=1');
    expect(location.searchParams.get('__clerk_hs_reason')).toBe('active-organization-mismatch');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('__clerk_redirect_count=1'))).toBe(true);
    expect(await originCount(probe)).toBe(0);
  });

  it('comes back from the handshake with the organization active, and the rule forwards it', async () => {
    const fresh = await mintToken({ claims: org('other') });
    const nonce = await handshakeNonce(fresh);
    const res = await send(`/orgs/other/settings?__clerk_handshake_nonce=${nonce}`, { config, navigate: true, cookie: `${await acmeAdmin()}` });
    const seen = await originSaw(res);
    expect(seen.headers['x-auth-org-slug']).toBe('other');
    expect(seen.headers['x-auth-org-id']).toBe('org_other');
    expect(res.headers.getSetCookie().some((c) => c.startsWith(`__session=${fresh}`))).toBe(true);
  });

  it('names the organization by id with an :id pattern, and sends the personal account with an empty organization_id', async () => {
    const byId = handshake(await send('/o/org_other/reports', { config, navigate: true, cookie: await acmeAdmin() }));
    expect(byId.searchParams.get('organization_id')).toBe('org_other');
    const personal = handshake(await send('/me', { config, navigate: true, cookie: await acmeAdmin() }));
    expect(personal.searchParams.get('organization_id')).toBe('');
  });

  it('forwards without a handshake when the URL names the active organization, or the personal account without one', async () => {
    const seen = await originSaw(await send('/orgs/acme/settings', { config, navigate: true, cookie: await acmeAdmin() }));
    expect(seen.headers['x-auth-org-slug']).toBe('acme');
    const me = await originSaw(await send('/me', { config, navigate: true, cookie: sessionCookie(await mintToken()) }));
    expect(me.headers['x-auth-user-id']).toBe('user_1');
  });

  it('an API call, a form post or a bearer token gets no handshake: organizationParam answers 403', async () => {
    expect((await send('/orgs/other/settings', { config, cookie: await acmeAdmin() })).status).toBe(403);
    expect((await send('/orgs/other/settings', { config, method: 'POST', cookie: await acmeAdmin(), headers: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } })).status).toBe(403);
    expect((await send('/orgs/other/settings', { config, navigate: true, bearer: await mintToken({ claims: org('acme') }) })).status).toBe(403);
  });

  it('a pending session is sent to its task, not to the handshake (Clerk syncs active sessions only)', async () => {
    const res = await send('/orgs/other/settings', { config, navigate: true, cookie: sessionCookie(await mintToken({ claims: { sts: 'pending', ...org('acme') } })) });
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get('location')!).pathname).toBe('/sign-in/tasks');
  });

  it('after three handshakes it stops trying (an organization the user cannot activate): organizationParam answers 403', async () => {
    const res = await send('/orgs/other/settings', { config, navigate: true, cookie: `${await acmeAdmin()}; __clerk_redirect_count=3` });
    expect(res.status).toBe(403);
  });

  it('the handshake of an expired session carries the organization to activate too', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await mintToken({ claims: { ...org('acme'), iat: now - 600, nbf: now - 600, exp: now - 300 } });
    const location = handshake(await send('/orgs/other', { config, navigate: true, cookie: sessionCookie(expired, clientUat() - 900) }));
    expect(location.searchParams.get('organization_id')).toBe('other');
  });

  it('without organizationSyncOptions the URL activates nothing: 403, as before', async () => {
    expect((await send('/orgs/other/settings', { config: withoutSync, navigate: true, cookie: await acmeAdmin() })).status).toBe(403);
  });
});
