import type { TokenKind } from '../../config/types';
import { jwtPayload, splitJwt } from '../jwt';

/** The machine-token kinds. */
export type MachineKind = Exclude<TokenKind, 'session_token'>;

// @clerk/backend's machine-token tests (src/tokens/machine.ts): opaque prefixes, an M2M JWT's
// `mch_` subject, an OAuth JWT's `at+jwt` type, the M2M JWT category.
const PREFIXES: [string, MachineKind][] = [
  ['mt_', 'm2m_token'],
  ['oat_', 'oauth_token'],
  ['ak_', 'api_key'],
];
const OAUTH_TYPES = ['at+jwt', 'application/at+jwt'];
const M2M_CATEGORY = 'cl_B7d4PD333AAA';
const JWT_FORMAT = /^[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+$/;

/** The machine-token kind of a bearer token, as `@clerk/backend` tells them, or `undefined` for a session token. */
export function machineTokenKind(token: string): MachineKind | undefined {
  for (const [prefix, kind] of PREFIXES) if (token.startsWith(prefix)) return kind;
  if (!JWT_FORMAT.test(token)) return undefined;
  const jwt = splitJwt(token);
  if (!jwt) return undefined;
  // Clerk gives up on a token whose payload it cannot decode: a session token, refused as such.
  const payload = jwtPayload(token);
  if (!payload) return undefined;
  const { sub } = payload;
  if (typeof sub === 'string' && sub.startsWith('mch_')) return 'm2m_token';
  if (OAUTH_TYPES.includes(jwt.header.typ as string)) return 'oauth_token';
  if (jwt.header.cat === M2M_CATEGORY) return 'm2m_token';
  return undefined;
}

/** Opaque machine tokens are verified by a Backend API call; JWT-format ones with the instance's key. */
export function isOpaque(token: string): boolean {
  return !JWT_FORMAT.test(token);
}
