// Clerk's control components in the origin's HTML (`components: true`): every element for every
// session state (signed out, pending, active with and without organization claims, a machine
// token), with and without `treat-pending-as-signed-out`, against the real origin on 127.0.0.1.
// The expected tables are written from Clerk's React components (`@clerk/react`'s
// controlComponents.tsx: SignedIn shows with a user id, SignedOut with none, Protect shows its
// children for a user id whose has(conditions) passes, else its fallback; user ids read through
// useAuth({ treatPendingAsSignedOut }), default true), not from the gateway's code.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { validateConfig } from '../../src/config/validate';
import type { PageSpec } from '../page-spec';
import { mintToken, originSaw, scopedBackendApi, send, type SendOptions } from '../helpers';

const config = defineConfig({
  components: true,
  routes: [
    { match: '/plain(.*)', protect: false, components: false },
    { match: '/api(.*)', protect: false, accept: ['session_token', 'api_key'] },
  ],
});

/** The origin answers `spec` (test/servers.ts `servePage`): POSTed to it through the gateway. */
function page(spec: PageSpec, options: SendOptions = {}, path = '/page'): Promise<Response> {
  return send(`${path}?__origin=page`, { config, method: 'POST', body: JSON.stringify(spec), headers: { 'content-type': 'application/json' }, ...options });
}

const MARKERS = `
<clerk-signed-in>[in]</clerk-signed-in>
<clerk-signed-in treat-pending-as-signed-out="false">[in-p]</clerk-signed-in>
<clerk-signed-out>[out]</clerk-signed-out>
<clerk-signed-out treat-pending-as-signed-out="false">[out-p]</clerk-signed-out>
<clerk-protect>[prot]<clerk-fallback>[prot-fb]</clerk-fallback></clerk-protect>
<clerk-protect treat-pending-as-signed-out="false">[prot-p]<clerk-fallback>[prot-p-fb]</clerk-fallback></clerk-protect>
<clerk-protect role="org:admin">[admin]<clerk-fallback>[admin-fb]</clerk-fallback></clerk-protect>
<clerk-protect role="org:admin" treat-pending-as-signed-out="false">[admin-p]<clerk-fallback>[admin-p-fb]</clerk-fallback></clerk-protect>
<clerk-protect permission="org:invoices:manage">[perm]<clerk-fallback>[perm-fb]</clerk-fallback></clerk-protect>
<clerk-protect feature="export">[feat]<clerk-fallback>[feat-fb]</clerk-fallback></clerk-protect>
<clerk-protect plan="pro">[plan]<clerk-fallback>[plan-fb]</clerk-fallback></clerk-protect>
<clerk-protect role="org:admin" plan="pro">[admin-plan]<clerk-fallback>[admin-plan-fb]</clerk-fallback></clerk-protect>
user=<clerk-value name="user-id"></clerk-value>;
user-p=<clerk-value name="user-id" treat-pending-as-signed-out="false"></clerk-value>;
org=<clerk-value name="org-slug"></clerk-value>;
`;
const ALL = ['in', 'in-p', 'out', 'out-p', 'prot', 'prot-fb', 'prot-p', 'prot-p-fb', 'admin', 'admin-fb', 'admin-p', 'admin-p-fb', 'perm', 'perm-fb', 'feat', 'feat-fb', 'plan', 'plan-fb', 'admin-plan', 'admin-plan-fb'];
const SIGNED_OUT = ['out', 'out-p', 'prot-fb', 'prot-p-fb', 'admin-fb', 'admin-p-fb', 'perm-fb', 'feat-fb', 'plan-fb', 'admin-plan-fb'];

// An organization admin with the invoices:manage permission, the user's feature "export" and plan "pro".
const ADMIN_CLAIMS = { o: { id: 'org_1', rol: 'admin', slg: 'acme', per: 'manage', fpm: '1' }, fea: 'o:invoices,u:export', pla: 'u:pro' };

const STATES: { name: string; options: () => Promise<SendOptions>; shown: string[]; values: [string, string, string] }[] = [
  { name: 'signed out', options: async () => ({}), shown: SIGNED_OUT, values: ['', '', ''] },
  {
    name: 'pending (with an admin organization in its claims)',
    options: async () => ({ bearer: await mintToken({ claims: { sts: 'pending', ...ADMIN_CLAIMS } }) }),
    // Signed out for every element but those with treat-pending-as-signed-out="false", which see the session and its has().
    shown: ['in-p', 'out', 'prot-fb', 'prot-p', 'admin-fb', 'admin-p', 'perm-fb', 'feat-fb', 'plan-fb', 'admin-plan-fb'],
    values: ['', 'user_1', ''],
  },
  {
    name: 'active, organization admin with the feature and plan',
    options: async () => ({ bearer: await mintToken({ claims: ADMIN_CLAIMS }) }),
    shown: ['in', 'in-p', 'prot', 'prot-p', 'admin', 'admin-p', 'perm', 'feat', 'plan', 'admin-plan'],
    values: ['user_1', 'user_1', 'acme'],
  },
  {
    name: 'active, no organization, plan pro only',
    options: async () => ({ bearer: await mintToken({ claims: { pla: 'u:pro' } }) }),
    // Clerk's has() needs every dimension asked (@clerk/shared's createCheckAuthorization): the plan alone does not pass { role, plan }.
    shown: ['in', 'in-p', 'prot', 'prot-p', 'admin-fb', 'admin-p-fb', 'perm-fb', 'feat-fb', 'plan', 'admin-plan-fb'],
    values: ['user_1', 'user_1', ''],
  },
  {
    name: 'machine token (API key)',
    options: async () => ({ env: scopedBackendApi('components').env, bearer: 'ak_valid_scopes_x' }),
    shown: SIGNED_OUT,
    values: ['', '', ''],
  },
];

/** Reads a body chunk by chunk, as text; `error` when the stream failed (malformed markup). */
async function readChunks(response: Response): Promise<{ chunks: string[]; text: string; error?: unknown }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    return { chunks, text: chunks.join(''), error };
  }
  return { chunks, text: chunks.join('') };
}

/** The origin's answer, streamed in exactly these chunks (an injected origin fetch). */
function chunked(chunks: string[], headers: HeadersInit = { 'content-type': 'text/html' }): SendOptions['fetch'] {
  return async () => {
    const encoder = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
        else controller.close();
      },
    });
    return new Response(body, { headers });
  };
}

/** A signed-out GET of a page the injected origin streams in `chunks`. */
async function signedOutPage(chunks: string[], headers?: HeadersInit) {
  return readChunks(await send('/page', { config, fetch: chunked(chunks, headers) }));
}

describe('control components: element × session state × treat-pending-as-signed-out × conditions', () => {
  for (const state of STATES) {
    it(state.name, async () => {
      const response = await page({ chunks: [`<!doctype html><body>${MARKERS}</body>`] }, await state.options());
      expect(response.status).toBe(200);
      const text = await response.text();
      const shown = ALL.filter((marker) => text.includes(`[${marker}]`));
      expect(shown.sort()).toEqual([...state.shown].sort());
      expect(text).not.toMatch(/clerk-/i);
      const [user, userPending, org] = state.values;
      expect(text).toContain(`user=${user};`);
      expect(text).toContain(`user-p=${userPending};`);
      expect(text).toContain(`org=${org};`);
    });
  }
});

describe('what a rewritten answer says, and what is never rewritten', () => {
  it('a rewritten page is private, varies on the credentials, and loses Content-Length, ETag and Last-Modified', async () => {
    const headers = { 'cache-control': 'public, max-age=600, s-maxage=3600', vary: 'Accept-Encoding', etag: '"abc"', 'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT', 'x-origin': 'kept' };
    const response = await page({ chunks: ['<clerk-signed-out>hi</clerk-signed-out>'], headers });
    expect(await response.text()).toBe('hi');
    expect(response.headers.get('cache-control')).toBe('private, max-age=600');
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie, Authorization');
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('last-modified')).toBeNull();
    expect(response.headers.get('content-length')).toBeNull();
    expect(response.headers.get('x-origin')).toBe('kept');
  });

  it('no-store stays as the origin said', async () => {
    const response = await page({ chunks: ['<p>x</p>'], headers: { 'cache-control': 'no-store' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('JSON, plain text and a route not opted in are passed through untouched, headers and bytes', async () => {
    const body = '<clerk-signed-in>SECRET</clerk-signed-in>';
    for (const [contentType, path] of [['application/json', '/page'], ['text/plain', '/page'], ['text/html', '/plain/page'], ['image/svg+xml', '/page']] as const) {
      const response = await page({ chunks: [body], contentType, headers: { etag: '"same"', 'cache-control': 'public, max-age=60' } }, {}, path);
      expect(await response.text(), `${contentType} ${path}`).toBe(body);
      expect(response.headers.get('etag')).toBe('"same"');
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    }
  });

  it('a page without components keeps every byte (only the caching headers change)', async () => {
    const html = '<!DOCTYPE html>\n<html><HEAD><title>T &amp; "q"</title></HEAD><body class=x data-a=\'1\'><p>é ✓ <br/><img src=a.png></p><!-- c --></body></html>';
    const response = await page({ chunks: [html.slice(0, 30), html.slice(30)] });
    expect(await response.text()).toBe(html);
  });

  it('HTML with a charset, in any case, and application/xhtml+xml are rewritten', async () => {
    for (const contentType of ['text/html; charset=ISO-8859-1', 'TEXT/HTML;charset=utf-8', 'application/xhtml+xml']) {
      const response = await page({ chunks: ['a<clerk-signed-in>SECRET</clerk-signed-in>b'], contentType });
      expect(await response.text(), contentType).toBe('ab');
      expect(response.headers.get('content-type')).toBe(contentType);
    }
  });

  it('a gzip-encoded page is rewritten and stays gzip-encoded on the way out', async () => {
    const response = await page({ chunks: ['<p>a</p><clerk-signed-in>SECRET</clerk-signed-in><clerk-signed-out>visible</clerk-signed-out>'], gzip: true });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe('<p>a</p>visible');
  });

  it('a brotli page is rewritten too; one the platform cannot decode (deflate, zstd) is withheld whole', async () => {
    const br = await page({ chunks: ['<p>a</p><clerk-signed-in>SECRET</clerk-signed-in>b'], encoding: 'br' });
    expect(await br.text()).toBe('<p>a</p>b');
    for (const encoding of ['deflate', 'zstd']) {
      const response = await page({ chunks: ['<p>a</p><clerk-signed-in>SECRET</clerk-signed-in>b'], encoding });
      const { chunks, error } = await readChunks(response);
      expect(error, encoding).toBeDefined();
      expect(chunks, encoding).toEqual([]);
      expect(response.headers.get('content-encoding')).toBeNull();
    }
  });

  it('a Range request asks the origin for the whole page (a range could start inside a hidden branch); a 206 anyway is withheld', async () => {
    const seen = await originSaw(await send('/echo', { config, headers: { range: 'bytes=30-', 'if-range': '"x"' } }));
    expect(seen.headers.range).toBeUndefined();
    expect(seen.headers['if-range']).toBeUndefined();
    const plain = await originSaw(await send('/plain/echo', { config, headers: { range: 'bytes=30-' } }));
    expect(plain.headers.range).toBe('bytes=30-');
    const partial = await page({ chunks: ['SECRET</clerk-signed-in>after'], status: 206, headers: { 'content-range': 'bytes 30-58/59' } });
    expect(partial.status).toBe(206);
    const { chunks, error } = await readChunks(partial);
    expect(error).toBeDefined();
    expect(chunks).toEqual([]);
  });

  it('a charset the rewriter cannot parse (UTF-16, an unknown one) is withheld whole', async () => {
    for (const charset of ['utf-16', 'x-unknown']) {
      const response = await send('/page', { config, fetch: chunked(['<p>a</p><clerk-signed-in>SECRET</clerk-signed-in>'], { 'content-type': `text/html; charset=${charset}` }) });
      const { chunks, error } = await readChunks(response);
      expect(error, charset).toBeDefined();
      expect(chunks, charset).toEqual([]);
    }
  });

  it('an answer without Content-Type (browsers sniff it), or with HTML in a list, is resolved too', async () => {
    for (const contentType of [null, 'text/plain, text/html']) {
      const response = await page({ chunks: ['<p>a</p><clerk-signed-in>SECRET</clerk-signed-in>b'], contentType });
      expect(await response.text(), String(contentType)).toBe('<p>a</p>b');
    }
  });

  it('the origin is asked only for encodings the rewriter gets decoded (gzip, br), where components are on', async () => {
    const ask = async (acceptEncoding: string, path = '/echo') => {
      const response = await send(path, { config, headers: { 'accept-encoding': acceptEncoding } });
      return (await originSaw(response)).headers['accept-encoding'];
    };
    expect(await ask('gzip, deflate, br, zstd')).toBe('gzip, br');
    expect(await ask('deflate;q=1, br;q=0, gzip;q=0.5')).toBe('gzip;q=0.5');
    expect(await ask('deflate')).toBe('identity');
    // A rule without components forwards the client's own.
    expect(await ask('gzip, deflate, br, zstd', '/plain/echo')).toBe('gzip, deflate, br, zstd');
  });

  it('a 10 MB page streams through with every hidden branch removed', async () => {
    const block = `<div>${'x'.repeat(9_000)}</div><clerk-signed-in>SECRET</clerk-signed-in><clerk-signed-out>[o]</clerk-signed-out>`;
    const times = Math.ceil((10 * 1024 * 1024) / block.length);
    const { text, error } = await readChunks(await page({ chunks: ['<body>', block, '</body>'], repeat: { index: 1, times } }));
    expect(error).toBeUndefined();
    expect(text).not.toContain('SECRET');
    expect(text.split('[o]').length - 1).toBe(times);
    expect(text.length).toBe(13 + times * (block.length - '<clerk-signed-in>SECRET</clerk-signed-in><clerk-signed-out></clerk-signed-out>'.length));
  });

  it('clerk-value text is HTML-escaped (as text content: <, > and &; it never stands in an attribute)', async () => {
    const token = await mintToken({ claims: { o: { id: 'org_1', rol: 'admin', slg: '<img/src=x/onerror=alert(1)>&"\'' } } });
    const response = await page({ chunks: ['<p><clerk-value name="org-slug"></clerk-value></p>'] }, { bearer: token });
    expect(await response.text()).toBe('<p>&lt;img/src=x/onerror=alert(1)&gt;&amp;"\'</p>');
  });
});

describe('streaming: the first byte goes out before the page ends; a hidden branch never does', () => {
  it('a slow chunked origin: the part before the branch arrives while the origin holds the rest', async () => {
    const hold = `components-${Date.now()}`;
    const response = await page({ chunks: ['<p>before</p><clerk-signed-in>SECRET-1 ', 'SECRET-2</clerk-signed-in><p>after</p>'], hold });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const first = decoder.decode((await reader.read()).value);
    // The origin has not written the rest yet: this byte did not wait for the page to end.
    expect(first).toContain('before');
    expect(first).not.toContain('SECRET');
    await fetch(`http://127.0.0.1:${(await import('../helpers')).testEnv.TEST_ORIGIN_PORT}/__release?id=${hold}`);
    const chunks = [first];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    for (const chunk of chunks) expect(chunk).not.toContain('SECRET');
    expect(chunks.join('')).toBe('<p>before</p><p>after</p>');
  });

  it('a component split at every byte of the page, and the page sent a byte at a time', async () => {
    const html = '<p>a</p><clerk-signed-in treat-pending-as-signed-out="false">SECRET<b>SECRET</b></clerk-signed-in><CLERK-PROTECT ROLE="org:admin">SECRET<clerk-fallback>fb</clerk-fallback></CLERK-PROTECT>z';
    for (let i = 1; i < html.length; i++) {
      const { text, chunks, error } = await signedOutPage([html.slice(0, i), html.slice(i)]);
      expect(error, `split at ${i}`).toBeUndefined();
      expect(text, `split at ${i}`).toBe('<p>a</p>fbz');
      for (const chunk of chunks) expect(chunk).not.toContain('SECRET');
    }
    const bytes = await signedOutPage([...html]);
    expect(bytes.text).toBe('<p>a</p>fbz');
  });
});

describe('attacks on the markup', () => {
  it('upper- and mixed-case tags and attributes are the same elements', async () => {
    const { text } = await signedOutPage(['<CLERK-SIGNED-IN>S</CLERK-SIGNED-IN><Clerk-Signed-Out Treat-Pending-As-Signed-Out="false">o</clerk-signed-out>']);
    expect(text).toBe('o');
  });

  it('a component in a comment, <script>, <style>, <template>, <textarea>, <title> or an attribute value is text, left as written', async () => {
    const inert = [
      '<!-- <clerk-signed-in>c</clerk-signed-in> -->',
      '<script>var s = "<clerk-signed-in>x</clerk-signed-in>"; </clerk-signed-out></script>',
      '<style>/* <clerk-signed-in> */ p{}</style>',
      '<textarea><clerk-signed-in>t</clerk-signed-in></textarea>',
      '<title><clerk-signed-in>t</clerk-signed-in></title>',
      '<div title="<clerk-signed-in>a</clerk-signed-in>" data-x=\'<clerk-protect role="org:admin">\'>d</div>',
    ].join('');
    const { text, error } = await signedOutPage([inert]);
    expect(error).toBeUndefined();
    expect(text).toBe(inert);
  });

  it('<template> content is parsed as HTML: a component there is resolved like any other', async () => {
    const { text } = await signedOutPage(['<template><clerk-signed-in>SECRET</clerk-signed-in>t</template>']);
    expect(text).toBe('<template>t</template>');
  });

  it('an unclosed hidden component hides everything after it', async () => {
    const { text } = await signedOutPage(['<p>a</p><clerk-signed-in>SECRET', '<p>more SECRET</p></body></html>']);
    expect(text).toBe('<p>a</p>');
  });

  it('an unclosed shown component stops the stream at the end (logged)', async () => {
    const { text, error } = await signedOutPage(['<p>a</p><clerk-signed-out>b', '<p>c</p>']);
    expect(error).toBeDefined();
    expect(text).not.toContain('clerk-');
  });

  it('a stray closing tag does not end a hidden branch early', async () => {
    const { text } = await signedOutPage(['<clerk-signed-in>S1</clerk-signed-out>S2</CLERK-signed-in >after']);
    expect(text).toBe('after');
  });

  it('misnesting (a component closed by its parent\'s end tag) withholds the rest of the page', async () => {
    const token = await mintToken();
    const html = '<p>a</p><clerk-signed-in><clerk-protect role="org:admin">ADMIN</clerk-signed-in>REST</clerk-protect><p>tail</p>';
    const { chunks, error } = await readChunks(await send('/page', { config, bearer: token, fetch: chunked([html]) }));
    expect(error).toBeDefined();
    for (const chunk of chunks) expect(chunk).not.toMatch(/ADMIN|REST|tail/);
    const inDiv = await signedOutPage(['<div><clerk-signed-in>SECRET</div>REST</clerk-signed-in>x']);
    expect(inDiv.error).toBeDefined();
    expect(inDiv.text).not.toMatch(/SECRET|REST/);
  });

  it('unknown or empty attributes, a bad treat-pending-as-signed-out, a stray fallback: malformed, the rest withheld', async () => {
    const token = await mintToken();
    for (const html of [
      '<clerk-protect rol="org:admin">ADMIN</clerk-protect>REST',
      '<clerk-protect role="">ADMIN</clerk-protect>REST',
      '<clerk-signed-in treat-pending-as-signed-out="no">ADMIN</clerk-signed-in>REST',
      '<clerk-protect role="org:admin"><div><clerk-fallback>x</clerk-fallback></div></clerk-protect>REST',
      '<clerk-fallback>x</clerk-fallback>REST',
      '<clerk-value name="email"></clerk-value>REST',
    ]) {
      const { text, error } = await readChunks(await send('/page', { config, bearer: token, fetch: chunked(['<p>a</p>', html]) }));
      expect(error, html).toBeDefined();
      expect(text, html).not.toMatch(/ADMIN|REST/);
    }
  });

  it('a fallback shown: the rest of <clerk-protect> is hidden at any depth (elements, text, comments)', async () => {
    const html = '<clerk-protect role="org:admin"><div><p>SECRET <b>deep</b></p><!--SECRET--></div>SECRET<clerk-fallback><div><b>fb</b><!--c--></div></clerk-fallback>SECRET<i>SECRET</i></clerk-protect>';
    const member = await readChunks(await send('/page', { config, bearer: await mintToken(), fetch: chunked([html]) }));
    expect(member.text).toBe('<div><b>fb</b><!--c--></div>');
    const admin = await readChunks(await send('/page', { config, bearer: await mintToken({ claims: { o: { id: 'org_1', rol: 'admin' } } }), fetch: chunked([html]) }));
    expect(admin.text).toBe('<div><p>SECRET <b>deep</b></p><!--SECRET--></div>SECRETSECRET<i>SECRET</i>');
  });

  it('deeply nested components: hidden at any depth, shown without a wrapper', async () => {
    const depth = 2000;
    const nested = `${'<clerk-signed-in><clerk-protect>'.repeat(depth)}DEEP${'</clerk-protect></clerk-signed-in>'.repeat(depth)}`;
    const out = await signedOutPage(['<p>', nested, '</p>']);
    expect(out.error).toBeUndefined();
    expect(out.text).toBe('<p></p>');
    const shown = await readChunks(await send('/page', { config, bearer: await mintToken(), fetch: chunked(['<p>', nested, '</p>']) }));
    expect(shown.text).toBe('<p>DEEP</p>');
    // A fallback shown inside a fallback inside a hidden branch stays hidden.
    const mixed = await signedOutPage(['<clerk-signed-in><clerk-protect role="org:a">x<clerk-fallback>SECRET</clerk-fallback></clerk-protect></clerk-signed-in>', '<clerk-protect role="org:a">x<clerk-fallback><clerk-protect>y<clerk-fallback>fb</clerk-fallback></clerk-protect></clerk-fallback></clerk-protect>']);
    expect(mixed.text).toBe('fb');
  });
});

describe('components in routes.config.ts', () => {
  it('is off unless asked; a rule overrides the config', () => {
    const off = validateConfig({ routes: [{ match: '/a', protect: false }] });
    const on = validateConfig({ components: true, routes: [{ match: '/a', protect: false, components: false }] });
    expect(off.ok && off.config.components).toBe(false);
    expect(on.ok && on.config.components).toBe(true);
    expect(on.ok && on.config.routes[0]?.components).toBe(false);
  });

  it('a value that is not a boolean is refused, naming the rule and the field', () => {
    const result = validateConfig({ components: 'yes', routes: [{ match: '/a', protect: false, components: 1 }] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual(['config.components must be true or false, got "yes"', 'route #1 ("/a"): components must be true or false, got number']);
  });
});
