// The session states of the differential (test/clerk/scenarios.mjs names them): what a browser or
// client sends in each — cookies, an Authorization header, handshake query parameters — built from
// the instance's key the run made (run.mjs) and the fake Backend API (test/servers.ts) for nonces.
import { getCookieSuffix } from '@clerk/shared/keys';

import { mintSessionToken, nowSeconds, signJwt } from '../../scripts/lib/session-token.mjs';

const KID = 'ins_test_key';

/**
 * States whose every request makes a Backend API call (a refresh, a nonce): the gateway spends its
 * per-isolate Backend API budget on each (20, then 5 a second), so each of these runs in an isolate
 * of its own (run.mjs), where a scenario's requests stay within the first 20.
 */
export const SPENDS_BACKEND_API = new Set(['expired-refresh', 'handshake-nonce', 'handshake-nonce-org-other']);

/**
 * @param {{ instanceKey: object, foreignKey: object, publishableKey: string, issuer: string, azp: string, bapiUrl: string }} world
 * @returns {Promise<Record<string, () => Promise<{ cookies?: string[], headers?: Record<string, string>, query?: Record<string, string> }>>>}
 */
export async function sessionStates(world) {
  const suffix = await getCookieSuffix(world.publishableKey, crypto.subtle);
  const now = nowSeconds();
  const token = (claims = {}, key = world.instanceKey) =>
    mintSessionToken({ sub: 'user_1', sid: 'sess_1', issuer: world.issuer, azp: world.azp, key, kid: KID, claims });
  const expiredClaims = { iat: now - 600, nbf: now - 600, exp: now - 300 };
  // A browser's __client_uat is from before its token was minted.
  const uat = now - 30;
  const session = async (claims, key) => [`__session=${await token(claims, key)}`, `__client_uat=${uat}`];
  const orgClaims = (rol) => ({ o: { id: 'org_acme', slg: 'acme', rol, per: '', fpm: '' } });
  const nonce = async (claims) => {
    const id = `nonce-${crypto.randomUUID()}`;
    await fetch(`${world.bapiUrl}/__nonce`, {
      method: 'POST',
      body: JSON.stringify({ nonce: id, directives: [`__session=${await token(claims)}; Path=/`, `__client_uat=${uat}; Path=/`] }),
    });
    return id;
  };
  const handshake = async (key) =>
    signJwt({ handshake: [`__session=${await token({ sub: 'user_hs' }, key)}; Path=/; Secure; SameSite=Lax`, `__client_uat=${uat}; Path=/; Secure`] }, key, { kid: KID });
  return {
    'signed-out': async () => ({}),
    'client-uat-zero': async () => ({ cookies: ['__client_uat=0'] }),
    active: async () => ({ cookies: await session() }),
    'active-bearer': async () => ({ headers: { authorization: `Bearer ${await token()}` } }),
    'active-org-admin': async () => ({ cookies: await session(orgClaims('admin')) }),
    'active-org-member': async () => ({ cookies: await session(orgClaims('member')) }),
    pending: async () => ({ cookies: await session({ sts: 'pending' }) }),
    'pending-org-admin': async () => ({ cookies: await session({ sts: 'pending', ...orgClaims('admin') }) }),
    'active-org-admin-redirect-count-3': async () => ({ cookies: [...(await session(orgClaims('admin'))), '__clerk_redirect_count=3'] }),
    expired: async () => ({ cookies: [`__session=${await token(expiredClaims)}`, `__client_uat=${now - 900}`] }),
    'expired-refresh': async () => ({ cookies: [`__session=${await token(expiredClaims)}`, `__client_uat=${now - 900}`, `__refresh_${suffix}=refresh-token`] }),
    'expired-redirect-count-3': async () => ({ cookies: [`__session=${await token(expiredClaims)}`, `__client_uat=${now - 900}`, '__clerk_redirect_count=3'] }),
    'uat-only': async () => ({ cookies: [`__client_uat=${uat}`] }),
    'uat-newer-than-token': async () => ({ cookies: [`__session=${await token({ iat: now - 20 })}`, `__client_uat=${now - 5}`] }),
    'foreign-key': async () => ({ cookies: await session({}, world.foreignKey) }),
    'other-azp': async () => ({ cookies: await session({ azp: 'https://elsewhere.example' }) }),
    'handshake-nonce': async () => ({ query: { __clerk_handshake_nonce: await nonce({ sub: 'user_nonce', sid: 'sess_nonce' }) } }),
    // Back from the handshake that activated the organization the URL named (`other`).
    'handshake-nonce-org-other': async () => ({
      query: { __clerk_handshake_nonce: await nonce({ o: { id: 'org_other', slg: 'other', rol: 'admin', per: '', fpm: '' } }) },
    }),
    'handshake-token': async () => ({ query: { __clerk_handshake: await handshake(world.instanceKey) } }),
    'handshake-token-foreign': async () => ({ query: { __clerk_handshake: await handshake(world.foreignKey) } }),
    // Satellites: a page load asking for a sync with the primary, and one back from it, with a session.
    'active-needs-sync': async () => ({ cookies: await session(), query: { __clerk_synced: 'false' } }),
    'active-synced': async () => ({ cookies: await session(), query: { __clerk_synced: 'true' } }),
    // Development instances (`instance: 'development'` scenarios): the dev-browser token in a cookie.
    'dev-browser': async () => ({ cookies: ['__clerk_db_jwt=dvb_abc'] }),
    'dev-active': async () => ({ cookies: [...(await session()), '__clerk_db_jwt=dvb_abc'] }),
    'dev-active-org-admin': async () => ({ cookies: [...(await session(orgClaims('admin'))), '__clerk_db_jwt=dvb_abc'] }),
    'dev-pending': async () => ({ cookies: [...(await session({ sts: 'pending' })), '__clerk_db_jwt=dvb_abc'] }),
    'dev-expired': async () => ({ cookies: [`__session=${await token(expiredClaims)}`, `__client_uat=${now - 900}`, '__clerk_db_jwt=dvb_abc'] }),
    'dev-other-redirect-url': async () => ({ cookies: ['__clerk_db_jwt=dvb_abc'], query: { __clerk_redirect_url: 'https://evil.example/x' } }),
  };
}
