// Which origin answers the components are resolved in, and what a rewritten answer says about
// caching. Only HTML is rewritten; every other answer (JSON, text, images, downloads, a HEAD, a
// 204/304, a WebSocket) is returned as it came, the very same Response.
import type { HeaderReader } from '../../request/headers';
import type { Viewer } from '../../decision/components';
import { componentRewriter, type ComponentRewriterOptions } from './rewrite';
import { lastValue } from '../../runtime/last-value';

/**
 * Whether the platform's fetch decodes `coding` (lower case) for the rewriter. Anything else
 * (`deflate`, `zstd`, …) would reach it compressed: it would find no element, and the browser,
 * decoding, would show every branch. Compared, not looked up in a Set: a Set lookup with a
 * request's string makes V8 intern it first.
 */
function isDecoded(coding: string): boolean {
  return coding === 'gzip' || coding === 'br';
}

/**
 * What the origin of a rule with components is asked, over the client's request: whole pages
 * (no `Range`, `If-Range`: a range that starts inside a hidden branch has no start tag to hide it
 * by), in an encoding the platform decodes for the rewriter.
 */
export function askForWholePages(headers: Headers, client: HeaderReader): void {
  // Each `Headers` call costs a crossing into the runtime: only what the client sent is deleted.
  if (client.has('range')) headers.delete('range');
  if (client.has('if-range')) headers.delete('if-range');
  headers.set('accept-encoding', decodableAcceptEncoding(client.get('accept-encoding')));
}

/**
 * `Accept-Encoding` for the origin of a rule with components: the client's, less what the
 * rewriter could not read (`identity` when nothing is left), so the origin never picks one.
 */
export const decodableAcceptEncoding: (client: string | null) => string = lastValue(keptCodings);

// Read once per distinct value (`lastValue`): reading it cost 3.6 k instructions a request (bench/profile-functions).
function keptCodings(client: string | null): string {
  let kept = '';
  for (const part of (client ?? '').split(',')) {
    const item = part.trim();
    const semicolon = item.indexOf(';');
    const coding = (semicolon < 0 ? item : item.slice(0, semicolon)).trim().toLowerCase();
    if (isDecoded(coding) && !REFUSED.test(item)) kept = kept === '' ? item : `${kept}, ${item}`;
  }
  return kept === '' ? 'identity' : kept;
}

// `;q=0`: the client refuses that coding.
const REFUSED = /;\s*q\s*=\s*0(?:\.0*)?\s*$/i;

/**
 * Whether an answer may be read as HTML by a browser: its `Content-Type` (any member of a
 * comma-separated list) is HTML, or it has none, and browsers sniff it.
 */
export const isHtml: (contentType: string | null) => boolean = lastValue(readsAsHtml);

function readsAsHtml(contentType: string | null): boolean {
  if (contentType === null || contentType.trim() === '') return true;
  // One type (nearly every answer): read without splitting into arrays.
  if (!contentType.includes(',')) return isHtmlType(contentType);
  return contentType.split(',').some(isHtmlType);
}

function isHtmlType(type: string): boolean {
  const semicolon = type.indexOf(';');
  const essence = (semicolon < 0 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  // Compared, not looked up in a Set: a Set lookup with a new string interns it first.
  return essence === 'text/html' || essence === 'application/xhtml+xml';
}

/**
 * `Cache-Control` for an answer rewritten for one session: never storable by a shared cache.
 * `no-store` stays as it is; otherwise `public` and `s-maxage` go and `private` comes first.
 */
export function privateCacheControl(value: string | null): string {
  const directives = (value ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (directives.some((d) => d.toLowerCase() === 'no-store')) return directives.join(', ');
  const kept = directives.filter((d) => !/^(?:public|private|s-maxage\s*=.*)$/i.test(d));
  return ['private', ...kept].join(', ');
}

/** `Vary` with `Cookie` and `Authorization` added (each once; `*` already varies on everything). */
export function varyOnCredentials(value: string | null): string {
  const names = (value ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.includes('*')) return '*';
  for (const name of ['Cookie', 'Authorization']) if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
  return names.join(', ');
}

/**
 * The origin's answer with the components resolved for `viewer`, streamed; or the answer itself
 * when it is not HTML or has no body. A rewritten answer loses `Content-Length` (its length
 * changes), `ETag` and `Last-Modified` (a revalidation would bring back another session's page from
 * the browser's cache), and is `private` and varies on the credentials.
 */
export function withComponents(response: Response, viewer: Viewer, options: ComponentRewriterOptions = {}): Response {
  // The type first: most answers are not HTML, and each property read is a call into the runtime.
  if (!isHtml(response.headers.get('content-type')) || response.body === null || response.webSocket) return response;
  const encoding = response.headers.get('content-encoding')?.trim().toLowerCase();
  // The origin ignored what it was asked (askForWholePages): nothing of this page can be shown safely.
  const unreadable = response.status === 206 ? 'a partial answer (206)' : encoding && encoding !== 'identity' && !isDecoded(encoding) ? `Content-Encoding ${encoding}` : undefined;
  if (unreadable) {
    options.onProblem?.(`${unreadable} cannot be resolved; the page is withheld`);
    void response.body.cancel();
    return withheld(response);
  }
  let rewritten: Response;
  try {
    rewritten = componentRewriter(viewer, options).transform(response);
  } catch (error) {
    // A charset the rewriter cannot parse (UTF-16, an unknown name): it cannot find the elements.
    options.onProblem?.(`the page cannot be parsed (${error instanceof Error ? error.message : String(error)}); the page is withheld`);
    return withheld(response);
  }
  const headers = new Headers(rewritten.headers);
  for (const name of ['content-length', 'etag', 'last-modified', 'accept-ranges']) headers.delete(name);
  headers.set('cache-control', privateCacheControl(headers.get('cache-control')));
  headers.set('vary', varyOnCredentials(headers.get('vary')));
  return new Response(rewritten.body, { status: rewritten.status, statusText: rewritten.statusText, headers });
}

/** The answer's status and headers with a body that fails at once: nothing of it is sent. */
function withheld(response: Response): Response {
  const body = new ReadableStream({ start: (controller) => controller.error(new Error('clerk components: the page is withheld')) });
  const headers = new Headers(response.headers);
  for (const name of ['content-length', 'content-encoding', 'content-range', 'etag', 'last-modified']) headers.delete(name);
  headers.set('cache-control', 'no-store');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
