import { base64url, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';

import type { Identity, MachinePrincipal } from '../auth/result';
import type { SigningKeys } from '../settings/signing-keys';
import type { SessionStatus } from '../decision/decide';

/** Where the gateway publishes the assertion's public keys. */
export const JWKS_PATH = '/.well-known/edge-auth-gateway/jwks.json';

/** How long an assertion is valid, in seconds: long enough for a slow origin, short for a replay. */
export const ASSERTION_LIFETIME_S = 30;

const encoder = new TextEncoder();

/**
 * The request binding an assertion carries (`req`): base64url(SHA-256("<METHOD> <target>")), where
 * the target is the request-target exactly as the origin receives it (path, with `ORIGIN_URL`'s
 * prefix, and `?query` when there is one). An origin recomputes it from its raw request line.
 */
export async function requestBinding(method: string, target: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`${method} ${target}`));
  return base64url.encode(new Uint8Array(digest));
}

/** What an assertion says. */
export interface AssertionFacts {
  /** The gateway's own origin (`iss`). */
  issuer: string;
  audience: string;
  method: string;
  /** The request-target the origin receives. */
  target: string;
  status: SessionStatus;
  identity: Identity | undefined;
  principal: MachinePrincipal | undefined;
  nowMs: number;
}

/**
 * Signs `X-Auth-Assertion`: a JWT (ES256) that the gateway forwarded this request, for whom, to
 * this origin, for this method and target, for the next 30 s. The key is imported once per
 * isolate; the public keys (the current one, and during a rotation the previous one) are served
 * at {@link JWKS_PATH}.
 */
export class AssertionSigner {
  private readonly key: Promise<CryptoKey>;

  constructor(private readonly keys: SigningKeys) {
    this.key = importJWK({ ...keys.current, alg: 'ES256' }, 'ES256') as Promise<CryptoKey>;
  }

  async sign(facts: AssertionFacts): Promise<string> {
    const now = Math.floor(facts.nowMs / 1000);
    const id = facts.identity;
    const machine = facts.principal;
    const claims = {
      iss: facts.issuer,
      aud: facts.audience,
      iat: now,
      exp: now + ASSERTION_LIFETIME_S,
      sts: facts.status,
      req: await requestBinding(facts.method, facts.target),
      ...(id
        ? {
            sub: id.userId,
            sid: id.sessionId,
            ...(id.orgId ? { org_id: id.orgId } : {}),
            ...(id.orgRole ? { org_role: id.orgRole } : {}),
            ...(id.orgSlug ? { org_slug: id.orgSlug } : {}),
            ...(id.orgPermissions ? { org_permissions: id.orgPermissions } : {}),
          }
        : {}),
      ...(machine
        ? { sub: machine.subject, token_type: machine.tokenKind, scopes: machine.scopes, ...(machine.clientId ? { client_id: machine.clientId } : {}) }
        : {}),
    };
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: this.keys.current.kid, typ: 'JWT' }).sign(await this.key);
  }

  /** The public JWKS: the signing key, and the previous one during a rotation. */
  jwks(): { keys: JWK[] } {
    const { d: _private, ...current } = this.keys.current;
    const keys: JWK[] = [{ ...current, alg: 'ES256', use: 'sig' }];
    if (this.keys.previous) keys.push({ ...this.keys.previous, alg: 'ES256', use: 'sig' });
    return { keys };
  }
}
