// One check for every setting and route option that is "a path on this host or an absolute URL"
// (src/config/url-option.ts): the settings and the route options refuse the same spellings that a
// browser would read as another host, and sign-out never sends the browser off the site.
import { describe, expect, it } from 'vitest';

import { validateConfig } from '../../src/config/validate';
import { captureConsole, mintToken, scopedBackendApi, send, sessionCookie } from '../helpers';

// Each is read by a browser as https://evil.example/ (`\` is `/`; tab and newline are dropped).
const LEAVES_THE_SITE = ['/\\evil.example', '/\\/evil.example', '//evil.example', '/\t/evil.example', '/\n/evil.example', ' //evil.example'];

describe('one URL check for settings and route options', () => {
  it.each(LEAVES_THE_SITE)('SIGN_OUT_REDIRECT_URL=%j: refused at start, sign-out answers 500 and sends nobody to evil.example', async (value) => {
    const { env } = scopedBackendApi('urlcheck');
    const errors = captureConsole('error');
    const token = await mintToken();
    const res = await send('/__gateway/sign-out', {
      env: { ...env, SIGN_OUT_REDIRECT_URL: value },
      method: 'POST',
      headers: { origin: 'https://gateway.test' },
      cookie: sessionCookie(token),
    });
    expect(res.status).toBe(500);
    expect(res.headers.get('location')).toBeNull();
    // ` //evil.example` is trimmed like every setting: then it is `//evil.example`.
    expect(errors.text()).toMatch(/SIGN_OUT_REDIRECT_URL must be an absolute http\(s\) URL or a path starting with "\/"/);
  });

  it.each(LEAVES_THE_SITE)('CLERK_SIGN_IN_URL=%j: refused at start', async (value) => {
    const errors = captureConsole('error');
    const res = await send('/dashboard', { env: { ...scopedBackendApi('urlcheck').env, CLERK_SIGN_IN_URL: value }, navigate: true });
    expect(res.status).toBe(500);
    expect(errors.text()).toMatch(/CLERK_SIGN_IN_URL must be an absolute http\(s\) URL or a path starting with "\/"/);
  });

  it.each(LEAVES_THE_SITE)('unauthorizedUrl %j: refused with the same words, config-wide and per rule', (value) => {
    const result = validateConfig({ unauthorizedUrl: value, routes: [{ match: '/a', protect: { role: 'org:admin' }, unauthorizedUrl: value }] });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^config\.unauthorizedUrl must be an absolute http\(s\) URL or a path starting with "\/"/),
      expect.stringMatching(/^route #1 \("\/a"\): unauthorizedUrl must be an absolute http\(s\) URL or a path starting with "\/"/),
    ]);
  });

  it('a plain path and an absolute URL still pass both, and sign-out goes there', async () => {
    const { env } = scopedBackendApi('urlcheck');
    for (const value of ['/goodbye', 'https://www.example.com/bye']) {
      const res = await send('/__gateway/sign-out', { env: { ...env, SIGN_OUT_REDIRECT_URL: value }, method: 'POST', headers: { origin: 'https://gateway.test' } });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(new URL(value, 'https://gateway.test').href);
      expect(validateConfig({ unauthorizedUrl: value, routes: [] }).ok).toBe(true);
    }
  });
});
