import type { JWTPayload, KeyInput } from 'jose';

/** Seconds since the epoch, as JWT time claims count. */
export declare function nowSeconds(): number;

export interface SessionClaimsOptions {
  sub: string;
  sid: string;
  /** `iss`: the instance's Frontend API URL. */
  issuer: string;
  /** `azp`: the origin the token is for. */
  azp: string;
  /** `sts`. @default 'active' */
  status?: 'active' | 'pending';
  /** Seconds from `now` to `exp`. @default 60 (Clerk's) */
  lifetime?: number;
  /** @default nowSeconds() */
  now?: number;
}

export interface SessionClaims {
  sub: string;
  sid: string;
  iss: string;
  azp: string;
  iat: number;
  nbf: number;
  exp: number;
  v: 2;
  sts: 'active' | 'pending';
}

/** Claims of a Clerk v2 session token issued a second before `now`, valid for `lifetime` seconds. */
export declare function sessionClaims(options: SessionClaimsOptions): SessionClaims;

/** A compact JWS of `payload` with the protected header { alg: 'RS256', typ: 'JWT' } and `header` merged over it. */
export declare function signJwt(payload: JWTPayload, key: KeyInput, header?: Record<string, unknown>): Promise<string>;

export interface MintSessionTokenOptions extends SessionClaimsOptions {
  /** The signing key: a CryptoKey, a node:crypto KeyObject or a private JWK. */
  key: KeyInput;
  kid?: string;
  /** Merged over { alg: 'RS256', typ: 'JWT', kid }. */
  header?: Record<string, unknown>;
  /** Merged over the session claims (an undefined value drops the claim). */
  claims?: Record<string, unknown>;
  /** Claims to delete. */
  omit?: string[];
}

/**
 * A session token: sessionClaims with `claims` merged over them and the names in `omit` deleted,
 * signed with `key` under `kid` (`header` merged over the protected header).
 */
export declare function mintSessionToken(options: MintSessionTokenOptions): Promise<string>;
