const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/** What an HTML refusal page shows: no internals, only what the visitor can act on. */
export interface HtmlPage {
  status: number;
  title: string;
  message: string;
  /** The public error, for support. */
  error: string;
  /** The reason code, as the JSON body's `code`: on `<main data-code>` for scripts and tests. */
  code: string;
  requestId?: string;
  /** A way on: sign in, finish the task. */
  link?: { href: string; text: string };
}

/** Where a page without a way on of its own sends the visitor: no page is a dead end. */
export const HOME_LINK = { href: '/', text: 'Go to the home page' } as const;

function pageHead(title: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escape(title)}</title>` +
    `<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;color:#222;background:#f6f6f7}` +
    `main{max-width:32rem;padding:2rem}h1{font-size:1.4rem;margin:0 0 .5rem}.meta{color:#777;font-size:.85rem}button{font:inherit;padding:.4rem 1rem}</style></head>`
  );
}

/** A small, self-contained HTML page (no scripts, no external resources); without a `link`, it links home. */
export function htmlPage(page: HtmlPage): string {
  const way = page.link ?? HOME_LINK;
  const link = `<p><a href="${escape(way.href)}">${escape(way.text)}</a></p>`;
  const id = page.requestId ? ` · request ${escape(page.requestId)}` : '';
  return (
    `${pageHead(`${page.status} ${page.title}`)}` +
    `<body><main data-code="${escape(page.code)}"><h1>${escape(page.title)}</h1><p>${escape(page.message)}</p>${link}` +
    `<p class="meta">${page.status} ${escape(page.error)}${id}</p></main></body></html>`
  );
}

/**
 * What a browser that follows a link to the sign-out path (a GET) is shown: one button that POSTs
 * there, from this page, so the same-origin check the POST gets is the one any sign-out gets.
 */
export function signOutFormPage(action: string): string {
  return (
    `${pageHead('Sign out')}<body><main data-code="sign-out"><h1>Sign out</h1><p>Sign out of this site on this browser?</p>` +
    `<form method="post" action="${escape(action)}"><button type="submit">Sign out</button></form>` +
    `<p><a href="${HOME_LINK.href}">Stay signed in</a></p></main></body></html>`
  );
}
