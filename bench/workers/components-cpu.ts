// bench/components-cpu.mjs's Worker: transforms one page `n` times inside workerd with the
// gateway's own component rewriter (or a stand-in), so the driver can read workerd's CPU time per
// page from /proc. `GET /?variant=…&n=…&page=components|plain`.
import { COMPONENT_TAGS, viewerOf } from '../../src/decision/components';
import { componentRewriter } from '../../src/proxy/components/rewrite';
import { htmlPage } from '../lib/html-page.mjs';

const pages = { components: htmlPage(true), plain: htmlPage(false) } as const;
const claims = { sub: 'user_bench', sid: 'sess_bench', iss: 'https://clerk.bench.test', azp: 'http://bench.test', v: 2, exp: 2_000_000_000, iat: 1_700_000_000, nbf: 1_700_000_000 };
const auth = {
  kind: 'signed-in',
  identity: { userId: 'user_bench', sessionId: 'sess_bench', status: 'active', claims },
  sessionToken: 'x.y.z',
  headers: {},
} as unknown as Parameters<typeof viewerOf>[0];

const variants: Record<string, (response: Response) => Response> = {
  // The page streamed as it is: what reading the body costs.
  stream: (response) => response,
  // The rewriter's parse with a selector nothing matches.
  parse: (response) => new HTMLRewriter().on('clerk-nothing', { element: () => {} }).transform(response),
  // A no-op element handler on each component element (15 on the components page): what one
  // handler call costs workerd, whatever the handler does.
  calls: (response) => new HTMLRewriter().on(COMPONENT_TAGS.join(', '), { element: () => {} }).transform(response),
  // The gateway's rewriter, a viewer per page (as src/proxy/forward-decision.ts does).
  components: (response) => componentRewriter(viewerOf(auth)).transform(response),
};

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const variant = variants[url.searchParams.get('variant') ?? ''];
    const page = pages[(url.searchParams.get('page') ?? 'components') as keyof typeof pages];
    if (!variant || page === undefined) return new Response('no such variant or page', { status: 400 });
    const n = Number(url.searchParams.get('n') ?? '100');
    let bytes = 0;
    // `origin=<url>`: the page fetched from there each time (a network stream, as the gateway reads it).
    const origin = url.searchParams.get('origin');
    for (let i = 0; i < n; i++) {
      const source = origin ? await fetch(`${origin}/${url.searchParams.get('page') ?? 'components'}`) : new Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } });
      const response = variant(source);
      bytes += (await response.arrayBuffer()).byteLength;
    }
    return new Response(String(bytes));
  },
};
