import { base64UrlBytes, base64UrlJson, headerJson, jsonObject, jwsSegments, urlAlphabetBytes, utf8Json, type JwtJson } from '../jwt';

// The hot path of a first-seen session token reads its compact JWS here, once: what `jose`'s
// compactVerify checked before the signature (the JWS's shape, `alg` among the allowed ones,
// `crit` and `b64`), without jose's generic machinery (every segment decoded to bytes, decoded
// again as text, buffers concatenated, the key re-checked on every call). The signature is then
// checked with `crypto.subtle.verify` on the bytes read here (src/auth/session/signature.ts).

/** A compact JWS whose shape holds, ready for the signature check. */
export interface CompactJws {
  /** The protected header: a plain JSON object whose `alg` is one of the allowed ones. */
  header: Record<string, unknown> & { alg: string };
  /** `BASE64URL(header) '.' BASE64URL(payload)`, the bytes the signature covers. */
  signingInput: Uint8Array;
  signature: Uint8Array<ArrayBuffer>;
  /** The payload segment, still encoded: parsed only once the signature holds. */
  payloadSegment: string;
  /** The payload's JSON as decoded before (`JwtJson`), taken instead of decoding the segment again. */
  payloadJson?: unknown;
  /** The segments are base64url characters only (`JwtJson.urlSafe`). */
  urlSafe: boolean;
}

// @clerk/backend's own decoder (`base64url.parse(…, { loose: true })`): the URL alphabet only,
// any trailing `=`, no length that leaves a lone character. jose refuses `=`, Clerk does not:
// the signature covers the segments as sent, so accepting what Clerk accepts changes no verdict.
const SEGMENT = /^[A-Za-z0-9_-]*=*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether the last character of a segment `end` characters long (its `=` left out) leaves bits
 * unused: Clerk's "Unexpected end of data". `atob` alone would ignore them, making the token malleable.
 */
function bitsLeftOver(segment: string, end: number): boolean {
  const rest = end % 4;
  return rest !== 0 && (ALPHABET.indexOf(segment[end - 1]!) & (rest === 2 ? 0b1111 : 0b11)) !== 0;
}

/**
 * The segment without its trailing `=`, or `undefined` where Clerk's decoder throws: a character
 * outside the URL alphabet, a length of 4n+1, or bits left over in the last character.
 */
function canonicalSegment(segment: string, urlSafe: boolean): string | undefined {
  if (!urlSafe && !SEGMENT.test(segment)) return undefined;
  let end = segment.length;
  while (end > 0 && segment.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end % 4 === 1 || bitsLeftOver(segment, end)) return undefined;
  return end === segment.length ? segment : segment.slice(0, end);
}

/**
 * The bytes of one segment as Clerk decodes it, or `undefined` where Clerk's decoder throws.
 * `decoded`: what `urlAlphabetBytes` gave for it before (`JwtJson.signature`).
 */
export function segmentBytes(segment: string, urlSafe = false, decoded?: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | undefined {
  // Without `=` (every token Clerk signs), the native decoder checks the alphabet: no RegExp pass.
  const bytes = decoded ?? urlAlphabetBytes(segment);
  if (bytes) return bitsLeftOver(segment, segment.length) ? undefined : bytes;
  const canonical = canonicalSegment(segment, urlSafe);
  return canonical === undefined ? undefined : base64UrlBytes(canonical);
}

/**
 * The JSON object a segment holds as Clerk decodes it, or `undefined`. `decoded`: the segment's JSON
 * as `base64UrlJson` read it before, taken when the segment is canonical as it stands (the same text
 * decoded the same way).
 */
function segmentObject(segment: string, urlSafe: boolean, decoded?: unknown): Record<string, unknown> | undefined {
  if (decoded !== undefined) {
    const canonical = canonicalSegment(segment, urlSafe);
    if (canonical === undefined) return undefined;
    if (canonical === segment) return jsonObject(decoded);
    return jsonObjectOf(() => base64UrlJson(canonical));
  }
  const bytes = segmentBytes(segment, urlSafe);
  return bytes && jsonObjectOf(() => utf8Json(bytes));
}

/** The JSON object `read` returns, or `undefined` when it throws or returns anything else. */
function jsonObjectOf(read: () => unknown): Record<string, unknown> | undefined {
  try {
    return jsonObject(read());
  } catch {
    return undefined;
  }
}

/**
 * `crit` as jose's validateCrit and validateB64 take it, for the one extension jose recognizes
 * (`b64`): absent, or a non-empty list of `b64` with `b64: true` (the payload base64url-encoded, as
 * without it). Anything else is refused: an unknown critical extension must not be ignored (RFC
 * 7515 §4.1.11), and `b64: false` (an unencoded payload) is a reading of the token Clerk does not
 * share (it base64url-decodes every payload).
 */
function critHolds(header: Record<string, unknown>): boolean {
  const { crit } = header;
  if (crit === undefined) return true;
  return Array.isArray(crit) && crit.length > 0 && crit.every((name) => name === 'b64') && header.b64 === true;
}

const encoder = new TextEncoder();

/** {@link headerJson}, or `undefined` where it throws (not base64 JSON). */
function headerOf(segment: string): { json: unknown; urlSafe: boolean } | undefined {
  try {
    return headerJson(segment);
  } catch {
    return undefined;
  }
}

/**
 * The parts of a compact JWS, or `undefined` when it is not one the gateway checks a signature on:
 * not three segments, a segment Clerk cannot decode, a protected header that is not a JSON object,
 * an `alg` not in `algorithms`, or `crit` other than the `b64` extension with `b64: true`.
 * `json`: the header's and payload's JSON (and signature bytes) as the bearer's kind was told from
 * them (`bearerKind` of this very token: they are taken for its segments without comparing).
 */
export function readCompactJws(token: string, algorithms: readonly string[], json?: JwtJson): CompactJws | undefined {
  // A bearer's segments were split with its JSON; an empty header would decode to no JSON object anyway.
  const parts = json?.parts ?? jwsSegments(token);
  if (!parts) return undefined;
  const [headerSegment, payloadSegment, signatureSegment] = parts;
  const urlSafe = json?.urlSafe === true;
  const signature = segmentBytes(signatureSegment, urlSafe, json?.signature);
  if (!signature) return undefined;
  // A cookie's token comes without JSON read before: its header is read as a bearer's is, so the
  // instance's one header is decoded once, not once per token.
  // A header atob cannot read (Clerk's decoder takes any number of trailing `=`) is read here alone.
  const known = json ? { json: json.header, urlSafe } : headerOf(headerSegment);
  // JSON.parse makes only plain objects: jose's isObject (no array, no null) is jsonObject's test.
  const header = segmentObject(headerSegment, known?.urlSafe ?? false, known?.json);
  if (!header || typeof header.alg !== 'string' || !algorithms.includes(header.alg) || !critHolds(header)) return undefined;
  return {
    header: header as CompactJws['header'],
    signingInput: encoder.encode(token.slice(0, headerSegment.length + 1 + payloadSegment.length)),
    signature,
    payloadSegment,
    payloadJson: json?.payload,
    urlSafe,
  };
}

/** The payload of a JWS whose signature held: a JSON object, or `undefined` where Clerk could not decode one. */
export function payloadObject(jws: CompactJws): Record<string, unknown> | undefined {
  return segmentObject(jws.payloadSegment, jws.urlSafe, jws.payloadJson);
}
