// readSerializedUrl (src/request/read.ts): the request URL's parts read from its text, without
// `new URL`, only when that gives exactly what `URL` gives. For any string, generated from the parts
// where the two could part (schemes, userinfo, IP and punycode hosts, default ports and leading
// zeros, dot segments and escapes, characters URL encodes in paths and queries, fragments): the
// shortcut either declines or agrees with `URL` on every part the gateway reads, and never accepts
// a string `URL` refuses. Runs and seed as test/property/paths.test.ts.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { readSerializedUrl, requestUrl, type RequestUrl } from '../../src/request/read';

const bindings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const FUZZ_RUNS = Math.max(1, Number.parseInt(bindings.FUZZ_RUNS ?? '200', 10) || 200);
const FUZZ_SEED = Number.parseInt(bindings.FUZZ_SEED ?? '20261126', 10);

/** Mostly `usual`, now and then one of `odd`: most URLs are near the shortcut's edge in one part only. */
function mostly(usual: readonly string[], odd: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
}
const scheme = mostly(['http:', 'https:'], ['HTTP:', 'ws:', 'ftp:', 'file:', 'blob:', 'Https:']);
const slashes = mostly(['//'], ['/', '///', '\\\\', '']);
const userinfo = mostly([''], ['u@', 'u:p@', '@']);
const label = mostly(['a', 'gateway', 'example', 'com', 'b-c', 'x', 'a1'], ['-a', 'a-', 'A', 'xn--abc', 'xn--nxasmq6b', '1', '0', '01', '255', '256', '0x7f', '1e3', 'ä', '%41', '', 'a_b']);
const octet = mostly(['0', '1', '9', '10', '99', '100', '199', '200', '249', '250', '255'], ['00', '01', '09', '256', '300', '0x1', '1e1', '']);
const host = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(label, { minLength: 1, maxLength: 4 }), mostly([''], ['.'])).map(([labels, dot]) => labels.join('.') + dot) },
  { weight: 3, arbitrary: fc.array(octet, { minLength: 3, maxLength: 5 }).map((octets) => octets.join('.')) },
  { weight: 1, arbitrary: fc.constantFrom('[::1]', '[::ffff:127.0.0.1]', '127.1', '0177.0.0.1') },
);
const port = mostly(['', ':8080', ':8787', ':1', ':65535'], [':', ':0', ':80', ':443', ':65536', ':00080', ':99999', ':08']);
const pathPart = mostly(['a', 'dashboard', '/', 'b.c', '-', '_', '~', '@', ':', '=', '!', '$', '(', '*', '+', ','], ['.', '..', '/.', '/..', '%2e', '%2E', '%41', '%zz', '%', '\\', ' ', '"', "'", '<', '>', '{', '|', '^', '`', ';', 'é', '\t', '?', '#']);
const path = fc.array(pathPart, { maxLength: 8 }).map((parts) => `/${parts.join('')}`);
const queryPart = mostly(['a', '=', '&', '?', '/', '%20', '%', 'x=1', '__clerk_handshake=t', '+'], ["'", '"', ' ', '#', '<', '[', ']', '{', '|', 'é', '`', '^', '\\']);
const query = fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.array(queryPart, { maxLength: 6 }).map((parts) => `?${parts.join('')}`) });
const fragment = mostly([''], ['#', '#x']);
const href = fc.tuple(scheme, slashes, userinfo, host, port, path, query, fragment).map((parts) => parts.join(''));

function parts(url: RequestUrl): Record<string, unknown> {
  return { href: url.href, origin: url.origin, protocol: url.protocol, host: url.host, hostname: url.hostname, pathname: url.pathname, search: url.search, params: [...url.searchParams] };
}

describe(`readSerializedUrl against URL (seed ${FUZZ_SEED})`, () => {
  it('declines, or reads every part as URL does, for any string', () => {
    fc.assert(
      fc.property(href, (text) => {
        const read = readSerializedUrl(text);
        // `URL` refuses it: so must the shortcut, and requestUrl throws as `new URL` does.
        if (!URL.canParse(text)) {
          expect(read).toBeUndefined();
          expect(() => requestUrl(text)).toThrow(TypeError);
          return;
        }
        if (read) expect(parts(read)).toEqual(parts(new URL(text)));
        expect(parts(requestUrl(text))).toEqual(parts(new URL(text)));
      }),
      { numRuns: FUZZ_RUNS * 50, seed: FUZZ_SEED },
    );
  });

  it('reads the usual request URLs itself', () => {
    for (const text of ['https://gateway.example.com/', 'https://app.example.com/dashboard?tab=1&x=%20y', 'http://127.0.0.1:8787/api/v1/users/', 'https://a-b.example/path/to/file.min.js?']) {
      const read = readSerializedUrl(text);
      expect(read).toBeDefined();
      expect(parts(read as RequestUrl)).toEqual(parts(new URL(text)));
    }
  });

  it('leaves to URL what it would rewrite', () => {
    for (const text of ['https://EXAMPLE.com/', 'https://example.com:443/', 'http://0177.0.0.1/', 'http://[::1]/', 'https://xn--nxasmq6b.example/', 'https://example.com/a/./b', 'https://example.com/.well-known/x', 'https://example.com/a b', "https://example.com/?q='", 'https://u@example.com/', 'https://example.com/#x']) {
      expect(readSerializedUrl(text)).toBeUndefined();
      expect(parts(requestUrl(text))).toEqual(parts(new URL(text)));
    }
  });
});
