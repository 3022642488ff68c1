/**
 * The one check for every setting and route option that is "a path on this host or an absolute
 * URL" (`SIGN_OUT_REDIRECT_URL`, `CLERK_SIGN_IN_URL`, `unauthorizedUrl`): a browser must land
 * where the text says. A path must start with one `/` and hold no `\` (browsers read `/\x` as
 * `//x`, another host) and no white space or control characters (URL parsing drops them, so
 * `/\t/evil.example` would leave the site too).
 */
export type PathOrUrl = { kind: 'path'; value: string } | { kind: 'absolute'; url: URL };

const UNSAFE = /[\x00-\x20\x7f\\]/;

/** The path or absolute http(s) URL `value` names, or `undefined` when it is neither (or could leave the site). */
export function parsePathOrUrl(value: unknown): PathOrUrl | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.startsWith('/')) return !value.startsWith('//') && !UNSAFE.test(value) ? { kind: 'path', value } : undefined;
  if (!/^https?:\/\//i.test(value) || /[\x00-\x20\x7f]/.test(value) || !URL.canParse(value)) return undefined;
  return { kind: 'absolute', url: new URL(value) };
}

/** What every such setting and option says when refused. */
export const PATH_OR_URL_EXPECTED = 'must be an absolute http(s) URL or a path starting with "/" (one slash, no "\\", no white space)';

/**
 * An absolute http(s) URL as `new URL` reads it, for settings that can only be one (`ORIGIN_URL`,
 * `CLERK_API_URL`, the origins of `CLERK_AUTHORIZED_PARTIES` and `ASSERTION_ISSUER`): they are
 * where the gateway itself connects or what it compares origins with, never where a browser is
 * sent, so the look-alike spellings `parsePathOrUrl` refuses cannot send anyone elsewhere.
 */
export function parseHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}
