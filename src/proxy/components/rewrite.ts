// Clerk's control components resolved in a streaming HTMLRewriter: the wiring only; what each
// element shows is `resolveComponent` (src/decision/components.ts). A branch that does not apply
// is removed by the rewriter itself (`remove()`), so none of it is ever written out, whatever the
// chunking. HTMLRewriter's tokenizer already keeps comments, `<script>`, `<style>`, `<textarea>`
// contents and attribute values from being read as elements. Markup the gateway cannot decide as
// written (an element closed by another's end tag, an unknown attribute, a fallback outside its
// `<clerk-protect>`) ends the page at that point: nothing after it leaves the edge.
import { isComponentTag, resolveComponent, COMPONENT_TAGS, type ComponentTag, type Viewer } from '../../decision/components';

/** One open component: whether its content is shown, and for `<clerk-protect>` whether its fallback is. */
interface Frame {
  tag: ComponentTag;
  content: boolean;
  fallback: boolean;
}

/** Options for {@link resolveComponents}. */
export interface ComponentRewriterOptions {
  /** Called once with the first problem in the markup (for the log). @default none */
  onProblem?: (problem: string) => void;
}

const ELEMENTS = COMPONENT_TAGS.join(', ');
/** What a page cut short ends with, in place of the rest. */
export const WITHHELD_NOTE = '<!-- clerk components: malformed markup; the rest of this page was withheld (see the gateway log) -->';
/** Output held while looking for the cut, at most (bytes): past it nothing more is sent. */
const MAX_HELD_BYTES = 1024 * 1024;

/**
 * Where a page is cut: a marker no origin can guess, written by the rewriter where the problem is,
 * and the stream after the rewriter that ends the page there. The rewriter writes its output
 * after the handler that found the problem ran, so everything before the marker was before the
 * problem in the page; a marker that never comes (the problem was inside a hidden branch, whose
 * output is removed) means nothing more is sent.
 */
class Cut {
  readonly marker = `<!--clerk-cut-${crypto.randomUUID()}-->`;
  cutting = false;

  stream(): TransformStream<Uint8Array, Uint8Array> {
    const marker = new TextEncoder().encode(this.marker);
    let held = new Uint8Array(0);
    return new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, controller) => {
        if (!this.cutting) return controller.enqueue(chunk);
        const joined = new Uint8Array(held.byteLength + chunk.byteLength);
        joined.set(held);
        joined.set(chunk, held.byteLength);
        const at = indexOf(joined, marker);
        if (at >= 0) controller.enqueue(joined.subarray(0, at));
        if (at >= 0 || joined.byteLength > MAX_HELD_BYTES) {
          controller.enqueue(new TextEncoder().encode(WITHHELD_NOTE));
          controller.terminate();
        } else held = joined;
      },
      // The page ended without the marker: what is held is after the problem, and stays here.
      flush: (controller) => void (this.cutting && controller.enqueue(new TextEncoder().encode(WITHHELD_NOTE))),
    });
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.byteLength <= haystack.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Something the marker can be written before: a start tag or an end tag. */
type Place = Pick<Element, 'before'> | Pick<EndTag, 'before'>;

/** The rewriter for one response: it holds the open elements. */
function componentRewriter(viewer: Viewer, cut: Cut, options: ComponentRewriterOptions): HTMLRewriter {
  const stack: Frame[] = [];
  let directFallback = false;
  const shown = () => stack[stack.length - 1]?.content ?? true;
  const fail = (problem: string, place: Place) => {
    cut.cutting = true;
    place.before(cut.marker, { html: true });
    options.onProblem?.(problem);
  };
  const open = (el: Element, frame: Frame) => {
    stack.push(frame);
    el.onEndTag((end) => {
      // An end tag of another name closed this one implicitly: the author's nesting is not the parser's.
      if (cut.cutting) return;
      if (end.name !== frame.tag || stack[stack.length - 1] !== frame) return fail(`<${frame.tag}> is closed by </${end.name}>`, end);
      stack.pop();
    });
  };
  const component = (el: Element) => {
    const tag = el.tagName.toLowerCase();
    const direct = directFallback;
    directFallback = false;
    if (cut.cutting || !isComponentTag(tag)) return;
    const parent = shown();
    const resolved = resolveComponent(tag, new Map(el.attributes as Iterable<[string, string]>), viewer);
    if (resolved.kind === 'malformed') return fail(resolved.problem, el);
    if (tag === 'clerk-fallback') {
      const protect = stack[stack.length - 1];
      if (!direct || protect?.tag !== 'clerk-protect') return fail('<clerk-fallback> must be a direct child of <clerk-protect>', el);
      open(el, { tag, content: protect.fallback, fallback: false });
    } else if (resolved.kind === 'value') {
      open(el, { tag, content: false, fallback: false });
      if (parent) el.replace(resolved.text, { html: false });
      else el.remove();
      return;
    } else {
      open(el, { tag, content: parent && resolved.kind === 'show', fallback: parent && resolved.kind === 'fallback' });
    }
    const frame = stack[stack.length - 1] as Frame;
    if (frame.content || frame.fallback) el.removeAndKeepContent();
    else el.remove();
  };
  // Inside a <clerk-protect> whose fallback shows, its other content is hidden piece by piece.
  const hideText = (chunk: Text | Comment) => void (!shown() && chunk.remove());
  return new HTMLRewriter()
    .on('clerk-protect > clerk-fallback', { element: () => void (directFallback = true) })
    .on(ELEMENTS, { element: component })
    .on('clerk-protect', { text: hideText, comments: hideText })
    .on('clerk-protect *', { element: (el) => void (!shown() && !isComponentTag(el.tagName.toLowerCase()) && el.remove()) })
    .onDocument({
      end: (end) => {
        const left = stack[stack.length - 1];
        if (cut.cutting || !left) return;
        // Never closed: a branch that did not apply removed everything after it; one that applied was shown.
        options.onProblem?.(`<${left.tag}> is never closed`);
        end.append(WITHHELD_NOTE, { html: true });
      },
    });
}

/**
 * `response` with the components resolved for `viewer`, streamed; headers and status as they were.
 * Malformed markup ends the page where it is, with {@link WITHHELD_NOTE}.
 */
export function resolveComponents(response: Response, viewer: Viewer, options: ComponentRewriterOptions = {}): Response {
  const cut = new Cut();
  const rewritten = componentRewriter(viewer, cut, options).transform(response);
  return new Response(rewritten.body?.pipeThrough(cut.stream()) ?? null, rewritten);
}
