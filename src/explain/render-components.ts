// `npm run components -- render`: a page as each session state gets it, through the gateway's own
// decision (`viewerOf`, `resolveComponent`) and rewriter (`componentRewriter`), never copies; the
// sessions are `routes explain`'s (`sessionFor`, from the same flags). Runs in workerd
// (scripts/components.mjs), where HTMLRewriter is.
import type { AuthState } from '../auth/result';
import { viewerOf } from '../decision/components';
import { componentRewriter } from '../proxy/components/rewrite';
import { sessionFor } from './explain';
import type { SessionFlags } from './report';

/** The session states a page is rendered for. */
export const RENDER_STATES = ['signed-out', 'pending', 'active', 'machine'] as const;
export type RenderState = (typeof RENDER_STATES)[number];

/** What one state gets: the page as the browser would, and the problem that stopped it, if any. */
export interface Rendered {
  state: RenderState;
  html: string;
  problem?: string;
}

function authFor(state: RenderState, flags: SessionFlags): AuthState {
  switch (state) {
    case 'signed-out':
      return { kind: 'signed-out', failure: { code: 'ERR_NO_CREDENTIALS' }, headers: [] };
    case 'machine':
      return { kind: 'machine', principal: { tokenKind: 'api_key', id: 'ak_explain', subject: 'user_explain', scopes: [] }, headers: [] };
    case 'pending':
    case 'active':
      return sessionFor(state, flags).auth;
  }
}

/** `html` as `state` gets it from a rule with `components` on. */
export async function renderComponents(html: string, state: RenderState, flags: SessionFlags = {}): Promise<Rendered> {
  let problem: string | undefined;
  const rewriter = componentRewriter(viewerOf(authFor(state, flags)), { onProblem: (p) => (problem = p) });
  const reader = (rewriter.transform(new Response(html, { headers: { 'content-type': 'text/html' } })).body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let out = '';
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) out += decoder.decode(chunk.value, { stream: true });
  } catch {
    // The rewriter stopped the page at the problem: what came out before it is what a browser gets.
  }
  return { state, html: out, ...(problem !== undefined ? { problem } : {}) };
}
