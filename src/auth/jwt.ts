// The gateway's one reading of JWTs before their signature is checked (which `kid`, which kind of
// token, when it expires), as loose as @clerk/backend's own decoding: base64url or base64, padded
// or not. jose's decoders do not fit: they refuse `+` and `/`, and a header that is not an object.

// workerd's native decoder (TC39 Uint8Array.fromBase64), where the runtime has it: one call instead
// of a loop over atob's string. Absent (older Node), the loop does the same.
const fromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string, options: { alphabet: 'base64url' }) => Uint8Array<ArrayBuffer> }).fromBase64;

/**
 * Bytes of a base64url (or base64) string; throws on invalid input. Base64url text (every JWT
 * segment) is decoded natively, about 8 k instructions less than two replaces and `atob` on a
 * 450-character payload (bench:instructions' way of counting); anything else (padding, `+` and
 * `/`, white space, no native decoder) as `atob` reads it.
 */
export function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  return urlAlphabetBytes(text) ?? atobBytes(text);
}

/** Bytes of a base64url or base64 string as `atob` reads it (white space skipped, padding checked); throws on invalid input. */
function atobBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The bytes of `text` when it is base64url characters only (no `=`, no white space) of a length
 * other than 4n+1, decoded natively; `undefined` for any other text, or where the runtime has no
 * native decoder. Bits left over in the last character are not checked. No RegExp scans the text:
 * the decoder refuses other characters, and white space it skips or padding shows in the byte
 * count, given the 4n+1 check first (`"AAAA\n"` decodes to the 3 bytes 5 characters would give).
 */
export function urlAlphabetBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!fromBase64 || text.length % 4 === 1) return undefined;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64(text, { alphabet: 'base64url' });
  } catch {
    return undefined;
  }
  // Every 4 characters are 3 bytes, 2 or 3 left over 1 or 2: fewer bytes means characters were skipped or were padding.
  return bytes.length === Math.floor((text.length * 3) / 4) ? bytes : undefined;
}

const decoder = new TextDecoder();

/** The JSON that `bytes`, read as UTF-8, hold; throws on invalid JSON. */
export function utf8Json(bytes: Uint8Array): unknown {
  return JSON.parse(decoder.decode(bytes));
}

/**
 * The JSON a base64url (or base64) segment holds ({@link base64UrlBytes}), its bytes read as
 * UTF-8, parsed; throws on invalid base64 or JSON.
 */
export function base64UrlJson(text: string): unknown {
  return utf8Json(base64UrlBytes(text));
}

/** `value` if it is a JSON object (not `null`, not an array), else `undefined`. */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * The JSON of a compact JWS's header and payload segments as {@link base64UrlJson} reads them,
 * decoded once for a request: the bearer's kind is told from them, and the signature check takes
 * them for segments it reads the same way (src/auth/session/compact-jws.ts) instead of decoding
 * them again (each a call into the runtime), with the signature's bytes.
 * `payload` is `undefined` when that segment is not base64 JSON (JSON itself never is).
 */
export interface JwtJson {
  /** The token's three segments, as {@link jwsSegments} splits it. */
  parts: [string, string, string];
  header: unknown;
  payload: unknown;
  /** Every segment is base64url characters only, no `=` (Clerk's JWT format, {@link isJwtFormat}): not tested again. Always true from {@link jwtJson}. */
  urlSafe: boolean;
  /** The signature segment's bytes as {@link urlAlphabetBytes} reads them, when it could (its leftover bits are not checked yet). */
  signature: Uint8Array<ArrayBuffer> | undefined;
}

// @clerk/backend's test for a JWT (src/tokens/machine.ts), which tells a session or machine JWT
// from an opaque machine token.
const JWT_FORMAT = /^[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+$/;

/** Whether `token` is in Clerk's JWT format: three non-empty segments of base64url characters. */
export function isJwtFormat(token: string): boolean {
  return JWT_FORMAT.test(token);
}

// The header segment read last, and its JSON, frozen (it is shared). An instance signs every session
// token with the same flat header (`alg`, `kid`, `typ`, `cat`): a first-seen token's header is then
// not decoded again (calls into the runtime). The same text decodes to the same value, so this
// changes no reading of any token. Only a flat object is kept: freezing one cannot fail (a
// recursive freeze of a deeply nested header overflowed the stack, read as "not a JWT", and let
// the token past the JWKS gate), and any other header is read anew. `urlSafe`: the segment is
// base64url characters only, as the native decoder found.
let lastHeader: { segment: string; json: Record<string, unknown>; urlSafe: boolean } | undefined;

/**
 * The JSON of a JWS header segment as {@link base64UrlJson} reads it (the last flat one kept), and
 * whether the segment is base64url characters only; throws where base64UrlJson throws.
 */
export function headerJson(segment: string): { json: unknown; urlSafe: boolean } {
  if (lastHeader?.segment === segment) return lastHeader;
  const bytes = urlAlphabetBytes(segment);
  const json = utf8Json(bytes ?? atobBytes(segment));
  const urlSafe = bytes !== undefined;
  const header = jsonObject(json);
  if (header && Object.values(header).every((value) => value === null || typeof value !== 'object')) lastHeader = { segment, json: Object.freeze(header), urlSafe };
  return { json, urlSafe };
}

/** The three segments of a compact JWS, or `undefined` for any other count of dots or an empty header. */
export function jwsSegments(token: string): [string, string, string] | undefined {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return undefined;
  return [token.slice(0, first), token.slice(first + 1, second), token.slice(second + 1)];
}

/** The three segments of a token and its header's JSON, or `undefined` when its header is empty or not base64 JSON. */
function readHeader(token: string): { parts: [string, string, string]; header: unknown; urlSafe: boolean } | undefined {
  const parts = jwsSegments(token);
  if (!parts) return undefined;
  try {
    const { json, urlSafe } = headerJson(parts[0]);
    return { parts, header: json, urlSafe };
  } catch {
    return undefined;
  }
}

/**
 * {@link JwtJson} of a token in Clerk's JWT format ({@link isJwtFormat}), or `undefined` for any
 * other token and one whose header is not base64 JSON. The format is told by the native decoder
 * as it decodes the segments (no RegExp pass over the whole token), with the RegExp only where the
 * decoder declines (a segment of 4n+1 characters, which the format allows).
 */
export function jwtJson(token: string): JwtJson | undefined {
  const read = readHeader(token);
  if (!read) return undefined;
  const [, payloadSegment, signatureSegment] = read.parts;
  const payloadBytes = urlAlphabetBytes(payloadSegment);
  const signature = urlAlphabetBytes(signatureSegment);
  const decoded = read.urlSafe && payloadBytes !== undefined && signature !== undefined && payloadSegment !== '' && signatureSegment !== '';
  if (!decoded && !isJwtFormat(token)) return undefined;
  let payload: unknown;
  try {
    payload = utf8Json(payloadBytes ?? atobBytes(payloadSegment));
  } catch {
    payload = undefined;
  }
  return { parts: read.parts, header: read.header, payload, urlSafe: true, signature };
}

/**
 * The parts and protected header of a compact JWS, or undefined if its header is not JSON. A header
 * that is JSON but not an object (`[]`, `"x"`) comes back as an empty header: @clerk/backend
 * decodes such a token too, and reads no `kid` or `alg` from it.
 */
export function splitJwt(token: string): { parts: [string, string, string]; header: Record<string, unknown> } | undefined {
  const read = readHeader(token);
  return read && { parts: read.parts, header: jsonObject(read.header) ?? {} };
}

/**
 * The payload of a compact JWS, unverified, or `undefined` when its second segment is not base64url
 * JSON. JSON that is not an object comes back empty, as {@link splitJwt} does for headers: Clerk
 * decodes such a token and reads no claim from it. For guesses made before verification (whether
 * Clerk will refresh it), never for a decision.
 */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  try {
    return jsonObject(base64UrlJson(token.split('.')[1] ?? '')) ?? {};
  } catch {
    return undefined;
  }
}
