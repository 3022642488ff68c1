import type { CompiledClaimHeader } from '../config/types';

const PRINTABLE = /^[\x20-\x7e]*$/;

/** A scalar as a header-safe string: printable ASCII as it is, anything else percent-encoded. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  return PRINTABLE.test(value) ? value.trim() : encodeURIComponent(value);
}

/**
 * A claim's value as a header: a scalar if it fits in `maxBytes` (else nothing, rather than a cut
 * value that reads as another); a list joined with `,` (items with a comma percent-encoded), cut
 * at the last whole item that fits. Objects are not sent: name a field of them with a dot path.
 */
export function headerValue(value: unknown, maxBytes: number): string | undefined {
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value) {
      const text = scalar(item)?.replace(/,/g, '%2C');
      if (!text) continue;
      const next = out ? `${out},${text}` : text;
      if (next.length > maxBytes) break;
      out = next;
    }
    return out || undefined;
  }
  const text = scalar(value);
  return text && text.length <= maxBytes ? text : undefined;
}

function claimAt(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The claim headers `forward.claims` asks for, from the verified claims: `[lower-case name, value]`. */
export function claimHeaders(claims: Readonly<Record<string, unknown>> | undefined, specs: readonly CompiledClaimHeader[]): [string, string][] {
  if (!claims) return [];
  const out: [string, string][] = [];
  for (const spec of specs) {
    const value = headerValue(claimAt(claims, spec.path), spec.maxBytes);
    if (value !== undefined) out.push([spec.header, value]);
  }
  return out;
}
