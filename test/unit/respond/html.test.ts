import { describe, expect, it } from 'vitest';

import { wantsHtml } from '../../../src/request/accept';
import { htmlPage, signOutFormPage } from '../../../src/respond/html';

describe('wantsHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['text/html', true],
    ['application/json, text/html;q=0.5', false],
    ['text/html;q=0.5, application/json;q=0.5', true],
    ['text/html;q=0', false],
    ['*/*', false],
    ['application/json', false],
    ['', false],
  ])('%j → %s', (accept, expected) => {
    expect(wantsHtml(accept)).toBe(expected);
  });

  it('no Accept header is an API client', () => {
    expect(wantsHtml(null)).toBe(false);
  });
});

describe('htmlPage', () => {
  it('escapes everything it shows and loads nothing', () => {
    const page = htmlPage({
      status: 401,
      title: 'Sign in required',
      message: 'a <b> & "c"',
      error: 'unauthenticated',
      code: 'ERR_UNAUTHENTICATED',
      requestId: '<id>',
      link: { href: 'https://x.test/sign-in?redirect_url=https%3A%2F%2Fa"><script>', text: 'Sign in' },
    });
    expect(page).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(page).toContain('request &lt;id&gt;');
    expect(page).toContain('href="https://x.test/sign-in?redirect_url=https%3A%2F%2Fa&quot;&gt;&lt;script&gt;"');
    expect(page).toContain('<main data-code="ERR_UNAUTHENTICATED">');
    expect(page).not.toMatch(/<script|<link|src=/);
  });

  it('without a link of its own, a page links home (no dead end)', () => {
    const page = htmlPage({ status: 403, title: 'Access denied', message: 'No.', error: 'forbidden', code: 'ERR_FORBIDDEN' });
    expect(page).toContain('<p><a href="/">Go to the home page</a></p>');
    const withLink = htmlPage({ status: 401, title: 'Sign in', message: 'Sign in.', error: 'unauthenticated', code: 'ERR_UNAUTHENTICATED', link: { href: '/sign-in', text: 'Sign in' } });
    expect(withLink).toContain('<a href="/sign-in">Sign in</a>');
    expect(withLink).not.toContain('Go to the home page');
  });
});

describe('signOutFormPage', () => {
  it('one button that POSTs to the path it is given (escaped), a link home, nothing loaded', () => {
    const page = signOutFormPage('/out"><x');
    expect(page.match(/<form /g)).toHaveLength(1);
    expect(page).toContain('<form method="post" action="/out&quot;&gt;&lt;x"><button type="submit">Sign out</button></form>');
    expect(page).toContain('<a href="/">');
    expect(page).not.toMatch(/<script|<link|src=|<input/);
  });
});
