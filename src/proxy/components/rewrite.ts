// Clerk's control components resolved in a streaming HTMLRewriter: the wiring only; what each
// element shows is `resolveComponent` (src/decision/components.ts). A branch that does not apply
// is removed by the rewriter itself (`remove()`), so none of it is ever written out, whatever the
// chunking. HTMLRewriter's tokenizer already keeps comments, `<script>`, `<style>`, `<template>`
// contents and attribute values from being read as elements. Malformed markup (an element closed
// by another's end tag, an unknown attribute, a fallback outside its `<clerk-protect>`, an element
// left open at the end) stops the stream at that point: nothing after it leaves the edge.
import { isComponentTag, resolveComponent, COMPONENT_TAGS, type ComponentTag, type Viewer } from '../../decision/components';

/** Thrown into the response stream when the markup cannot be decided safely. */
export class ComponentMarkupError extends Error {
  override name = 'ComponentMarkupError';
}

/** One open component: whether its content is shown, and for `<clerk-protect>` whether its fallback is. */
interface Frame {
  tag: ComponentTag;
  content: boolean;
  fallback: boolean;
}

/** Options for {@link componentRewriter}. */
export interface ComponentRewriterOptions {
  /** Called once with the problem before the stream is stopped (for the log). @default none */
  onProblem?: (problem: string) => void;
}

const ELEMENTS = COMPONENT_TAGS.join(', ');

/** An HTMLRewriter that resolves the components for `viewer`. One per response: it holds the open elements. */
export function componentRewriter(viewer: Viewer, options: ComponentRewriterOptions = {}): HTMLRewriter {
  const stack: Frame[] = [];
  let directFallback = false;
  const shown = () => stack[stack.length - 1]?.content ?? true;
  const fail = (problem: string): never => {
    options.onProblem?.(problem);
    throw new ComponentMarkupError(`clerk components: ${problem}; the rest of the page is withheld`);
  };
  const open = (el: Element, frame: Frame) => {
    stack.push(frame);
    el.onEndTag((end) => {
      // An end tag of another name closed this one implicitly: the author's nesting is not the parser's.
      if (end.name !== frame.tag || stack[stack.length - 1] !== frame) fail(`<${frame.tag}> is closed by </${end.name}>`);
      stack.pop();
    });
  };
  const component = (el: Element) => {
    const tag = el.tagName.toLowerCase();
    if (!isComponentTag(tag)) return;
    const direct = directFallback;
    directFallback = false;
    const parent = shown();
    const resolved = resolveComponent(tag, new Map(el.attributes as Iterable<[string, string]>), viewer);
    if (resolved.kind === 'malformed') return fail(resolved.problem);
    if (tag === 'clerk-fallback') {
      const protect = stack[stack.length - 1];
      if (!direct || protect?.tag !== 'clerk-protect') return fail('<clerk-fallback> must be a direct child of <clerk-protect>');
      open(el, { tag, content: protect.fallback, fallback: false });
    } else if (resolved.kind === 'value') {
      open(el, { tag, content: false, fallback: false });
      if (parent) el.replace(resolved.text, { html: false });
      else el.remove();
      return;
    } else {
      const content = parent && resolved.kind === 'show';
      open(el, { tag, content, fallback: parent && resolved.kind === 'fallback' });
    }
    const frame = stack[stack.length - 1] as Frame;
    if (frame.content || frame.fallback) el.removeAndKeepContent();
    else el.remove();
  };
  // Inside a <clerk-protect> whose fallback shows, its other content is hidden piece by piece: its
  // text (any depth) and its child elements, each removed whole (deeper ones need no call of their
  // own). Each handler call costs workerd ~6-9 µs (docs/components.md), so one handler sees every
  // direct child: it notes a direct <clerk-fallback> (registered first: it runs before `component`).
  const hideText = (chunk: Text | Comment) => {
    if (!shown()) chunk.remove();
  };
  return new HTMLRewriter()
    .on('clerk-protect > *', {
      element: (el) => {
        const tag = el.tagName.toLowerCase();
        if (tag === 'clerk-fallback') directFallback = true;
        else if (!isComponentTag(tag) && !shown()) el.remove();
      },
    })
    .on(ELEMENTS, { element: component })
    .on('clerk-protect', { text: hideText, comments: hideText })
    .onDocument({ end: () => void (stack.length > 0 && fail(`<${(stack[stack.length - 1] as Frame).tag}> is never closed`)) });
}
