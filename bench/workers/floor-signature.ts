// The check nothing can skip, for the floor Workers (verify-floor.ts, forward-floor.ts): an RS256
// `crypto.subtle.verify` of a session token's bytes, decoded by the gateway's own decoder, with the
// key imported once per isolate.
import { base64UrlBytes } from '../../src/auth/jwt';

/** A floor Worker's bindings. */
export interface FloorEnv {
  ORIGIN_URL: string;
  /** SPKI PEM on one line, as CLERK_JWT_KEY. */
  CLERK_JWT_KEY: string;
}

let key: Promise<CryptoKey> | undefined;
const encoder = new TextEncoder();

/** Whether `token`'s signature holds under `pem`. */
export async function signatureHolds(token: string, pem: string): Promise<boolean> {
  key ??= crypto.subtle.importKey('spki', base64UrlBytes(pem.replace(/-----[^-]+-----|\s/g, '')), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
  const dot = token.lastIndexOf('.');
  return crypto.subtle.verify('RSASSA-PKCS1-v1_5', await key, base64UrlBytes(token.slice(dot + 1)), encoder.encode(token.slice(0, dot)));
}
