// The one "path on this host or absolute URL" check (src/config/url-option.ts), shared by the
// settings (CLERK_SIGN_IN_URL, SIGN_OUT_REDIRECT_URL) and the route options (unauthorizedUrl), and
// the absolute-only one of the settings the gateway itself connects to (ORIGIN_URL, CLERK_API_URL…).
import { describe, expect, it } from 'vitest';

import { parseHttpUrl, parsePathOrUrl, PATH_OR_URL_EXPECTED } from '../../../src/config/url-option';

describe('parsePathOrUrl', () => {
  it('takes a path on this host and an absolute http(s) URL', () => {
    expect(parsePathOrUrl('/')).toEqual({ kind: 'path', value: '/' });
    expect(parsePathOrUrl('/sign-in?x=1#y')).toEqual({ kind: 'path', value: '/sign-in?x=1#y' });
    expect(parsePathOrUrl('https://accounts.example.com/sign-in')).toEqual({ kind: 'absolute', url: new URL('https://accounts.example.com/sign-in') });
    expect(parsePathOrUrl('HTTP://a.example')).toEqual({ kind: 'absolute', url: new URL('http://a.example/') });
  });

  // Each of these is read by a browser as another host, or is not a place to send a browser at all.
  it.each([
    '//evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '/a\\b',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    '/a b',
    '/\x00',
    '/\x7f',
    'evil.example',
    'javascript:alert(1)',
    'data:text/html,x',
    'ftp://evil.example',
    'https:evil.example',
    'https://evil.example/\tx',
    'https://',
    '',
  ])('refuses %j', (value) => {
    expect(parsePathOrUrl(value)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 1, ['/a'], { href: '/a' }]) expect(parsePathOrUrl(value)).toBeUndefined();
  });

  it('says what it wants in one phrase, used by every setting and option', () => {
    expect(PATH_OR_URL_EXPECTED).toBe('must be an absolute http(s) URL or a path starting with "/" (one slash, no "\\", no white space)');
  });
});

describe('parseHttpUrl', () => {
  it('is an http(s) URL as new URL reads it, or undefined', () => {
    expect(parseHttpUrl('https://origin.example/base/')?.href).toBe('https://origin.example/base/');
    expect(parseHttpUrl('http://127.0.0.1:8787')?.origin).toBe('http://127.0.0.1:8787');
    for (const value of ['ftp://origin', 'not a url', '/path', 'javascript:alert(1)', '']) expect(parseHttpUrl(value), value).toBeUndefined();
  });
});
