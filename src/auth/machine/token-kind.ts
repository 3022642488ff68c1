import type { TokenKind } from '../../config/types';
import { isJwtFormat, jsonObject, jwtJson, type JwtJson } from '../jwt';

/** The machine-token kinds. */
export type MachineKind = Exclude<TokenKind, 'session_token'>;

// @clerk/backend's machine-token tests (src/tokens/machine.ts): opaque prefixes, an M2M JWT's
// `mch_` subject, an OAuth JWT's `at+jwt` type, the M2M JWT category.
const PREFIXES: [string, MachineKind][] = [
  ['mt_', 'm2m_token'],
  ['oat_', 'oauth_token'],
  ['ak_', 'api_key'],
];
// The prefixes' first characters: a JWT starts with `e` (`{"` encoded), so a session token meets
// none of the three `startsWith` calls (0.6 k instructions a first-seen bearer, bench/profile-functions).
const PREFIX_FIRST = new Set(PREFIXES.map(([prefix]) => prefix.charCodeAt(0)));
const OAUTH_TYPES = ['at+jwt', 'application/at+jwt'];
const M2M_CATEGORY = 'cl_B7d4PD333AAA';

/**
 * The machine-token kind of a bearer token, as `@clerk/backend` tells them, or `undefined` for a
 * session token; with the JSON of a JWT's header and payload as decoded to tell it (`json`), which
 * the signature check of a session token takes instead of decoding them again.
 */
export function bearerKind(token: string): { kind: MachineKind | undefined; json?: JwtJson } {
  if (PREFIX_FIRST.has(token.charCodeAt(0))) for (const [prefix, kind] of PREFIXES) if (token.startsWith(prefix)) return { kind };
  // Not in Clerk's JWT format, or a header that is not base64 JSON: a session token, refused as such.
  const json = jwtJson(token);
  if (!json) return { kind: undefined };
  // Clerk gives up on a token whose payload it cannot decode: a session token, refused as such.
  // JSON that is not an object reads no claim, as a header that is not one reads no `typ` or `cat`.
  if (json.payload === undefined) return { kind: undefined, json };
  const payload = jsonObject(json.payload) ?? {};
  const header = jsonObject(json.header) ?? {};
  const { sub } = payload;
  if (typeof sub === 'string' && sub.startsWith('mch_')) return { kind: 'm2m_token', json };
  if (OAUTH_TYPES.includes(header.typ as string)) return { kind: 'oauth_token', json };
  if (header.cat === M2M_CATEGORY) return { kind: 'm2m_token', json };
  return { kind: undefined, json };
}

/** Opaque machine tokens are verified by a Backend API call; JWT-format ones with the instance's key. */
export function isOpaque(token: string): boolean {
  return !isJwtFormat(token);
}
