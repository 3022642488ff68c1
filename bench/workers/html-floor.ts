// The floor under any HTMLRewriter-based resolution of the control components (docs/components.md):
// the pass-through Worker with the page streamed through a rewriter. FLOOR=parse: a selector
// that matches nothing (the parse alone); FLOOR=calls: on each component element a handler
// that does nothing but register its end tag handler: the two calls an element costs when its
// nesting is checked, whatever else the implementation does.
interface FloorEnv {
  ORIGIN_URL: string;
  FLOOR: 'parse' | 'calls';
}

const noop = () => {};

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const url = new URL(request.url);
    const response = await fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, request);
    const rewriter =
      env.FLOOR === 'calls'
        ? new HTMLRewriter().on('clerk-signed-in, clerk-signed-out, clerk-protect, clerk-fallback, clerk-value', { element: (el) => el.onEndTag(noop) })
        : new HTMLRewriter().on('clerk-nothing', { element: noop });
    return rewriter.transform(response);
  },
};
