import type { CompiledConfig, CompiledRoute } from '../config/types';

/**
 * Which rules can possibly match a path, found without testing every rule: the cost of matching
 * stays flat from ten rules to thousands. Built once per rule list (per isolate) and only ever
 * narrows: every rule whose pattern could match is a candidate, and the caller still tests each
 * candidate, in file order, exactly as a scan of every rule would. So the index can never change
 * which rule wins, only how many rules are looked at.
 *
 * The index reads the compiled RegExps, not the patterns as written: what it derives is then true
 * of exactly what is tested, whatever produced the RegExp (path-to-regexp, a user's RegExp, the
 * sign-in rule the runtime appends). From each it takes the text every match must start with
 * (`^\/api\/v1\/resource(?:\/([^\/#\?]+?))…` → `/api/v1/resource/`), a parameter that spans a whole
 * segment standing for any segment (`/orgs/:org/x` → `/orgs/‹any›/x`). Complete segments go into a
 * tree keyed by segment, with one extra branch for "any segment"; the rest, a segment that may
 * continue (`/dashboard(.*)` also matches `/dashboardxyz`), into a map at that tree node keyed by
 * that partial text, looked up once per distinct key length. A RegExp with no such text (`(.*)`,
 * an unanchored or `u` one) is in the list tested for every path; `/:id(\\d+)` gives only `/`.
 *
 * Case: the tree's keys and the path's lookups are lower-cased in ASCII only. Under the `i` flag
 * without `u`/`v`, an ASCII letter in a RegExp matches only itself in either case, never a
 * non-ASCII character (the spec's Canonicalize refuses to fold non-ASCII into ASCII), so the lookup
 * is exact for any path, non-ASCII included: no fallback needed. With `u` or `v`, `K` (U+212A) and
 * `ſ` (U+017F) fold to `k` and `s`: such RegExps are never indexed.
 */
export interface RouteIndex {
  readonly root: IndexNode;
  /** Positions (in `routes`) of rules with a RegExp the index cannot narrow: tested for every path. */
  readonly always: readonly number[];
}

interface IndexNode {
  /** Rules whose literal prefix ends right after this node's `/`. */
  readonly here: number[];
  /** Partial segment (lower case, no `/`) → rules whose literal prefix ends inside the segment. */
  readonly partial: Map<string, number[]>;
  /** The distinct lengths of `partial`'s keys, each looked up once. */
  lengths: number[];
  /** Complete segment (lower case) → the node after it and its `/`. */
  readonly children: Map<string, IndexNode>;
  /** The node after a parameter that spans a whole segment (`/orgs/:org/…`): reached by any segment. */
  any: IndexNode | undefined;
}

// Per rule list, not per config object: runtime.ts builds new configs around the same list.
const indexes = new WeakMap<readonly CompiledRoute[], RouteIndex>();

/** The index of these rules, built on first use. */
export function routeIndex(config: CompiledConfig): RouteIndex {
  let index = indexes.get(config.routes);
  if (!index) indexes.set(config.routes, (index = buildRouteIndex(config.routes)));
  return index;
}

export function buildRouteIndex(routes: readonly CompiledRoute[]): RouteIndex {
  const root = newNode();
  const always: number[] = [];
  routes.forEach((route, position) => {
    for (const regexp of route.regexps) {
      const prefix = literalPrefix(regexp);
      if (prefix === undefined || !prefix.startsWith('/')) {
        addTo(always, position);
        continue;
      }
      const parts = prefix.split('/');
      let node = root;
      for (let k = 1; k < parts.length - 1; k++) {
        const segment = parts[k] as string;
        if (segment === ANY_SEGMENT) {
          node = node.any ??= newNode();
          continue;
        }
        let child = node.children.get(segment);
        if (!child) node.children.set(segment, (child = newNode()));
        node = child;
      }
      const rest = parts[parts.length - 1] as string;
      if (rest === '') addTo(node.here, position);
      else {
        let list = node.partial.get(rest);
        if (!list) node.partial.set(rest, (list = []));
        addTo(list, position);
      }
    }
  });
  setLengths(root);
  return { root, always };
}

/**
 * The lists of candidate positions for one reading of the path, each ascending; a rule may be in
 * several. Every rule that can match `reading` is in at least one of them.
 */
export function candidateLists(index: RouteIndex, reading: string): (readonly number[])[] {
  const lists: (readonly number[])[] = [];
  if (index.always.length > 0) lists.push(index.always);
  // Lower-cased once: asciiLower keeps every character where it is, so slices of it line up.
  if (reading.charCodeAt(0) === SLASH) collect(index.root, asciiLower(reading), 1, lists);
  return lists;
}

/** The lists of `node` and of the nodes below it that `path` (lower-cased), from `from` on, can reach. */
function collect(start: IndexNode, path: string, from: number, lists: (readonly number[])[]): void {
  let node = start;
  let at = from;
  for (;;) {
    if (node.here.length > 0) lists.push(node.here);
    for (const length of node.lengths) {
      if (at + length > path.length) break;
      const list = node.partial.get(path.slice(at, at + length));
      if (list) lists.push(list);
    }
    if (node.children.size === 0 && !node.any) return;
    const end = path.indexOf('/', at);
    if (end < 0) return;
    // A parameter's branch is a second walk; tables rarely nest them, so the recursion stays shallow.
    if (node.any) collect(node.any, path, end + 1, lists);
    const child = node.children.get(path.slice(at, end));
    if (!child) return;
    node = child;
    at = end + 1;
  }
}

/**
 * The text, lower-cased in ASCII, that every string the RegExp matches starts with (ignoring ASCII
 * case), or `undefined` when it cannot say. Reads the source as a non-`u` RegExp (others are never
 * asked): a literal run after `^`, through groups that must match exactly once and have no `|`.
 * A whole segment of path-to-regexp's parameter (`/([^\/#\?]+?)/`: one or more characters, none
 * of them `/`) followed by `/` is `ANY_SEGMENT` in the text, and the prefix goes on after it.
 */
export function literalPrefix(regexp: RegExp): string | undefined {
  const { source, flags } = regexp;
  // `m`: `^` also matches after a line break inside the path. `u`/`v`: non-ASCII folds to ASCII.
  // `g`/`y`: test() starts at lastIndex (the validator refuses both; never guess around them).
  if (/[muvgy]/.test(flags) || source[0] !== '^' || hasAlternation(source, 1, source.length)) return undefined;
  let prefix = '';
  // The prefix before a parameter taken as a whole segment, until the `/` after it confirms it.
  let beforeParameter: string | undefined;
  const closes: number[] = [];
  let i = 1;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === ')') {
      if (closes[closes.length - 1] !== i) break;
      closes.pop();
      i++;
      continue;
    }
    if (c === '(') {
      const open = groupContentStart(source, i);
      const close = open === undefined ? undefined : closingParen(source, i);
      // An optional or repeated group may be absent; one with `|` has no single text.
      if (open === undefined || close === undefined || isQuantifier(source, close + 1)) break;
      if (prefix.endsWith('/') && beforeParameter === undefined && SEGMENT_PARAMETER.has(source.slice(open, close))) {
        beforeParameter = prefix;
        prefix += ANY_SEGMENT;
        i = close + 1;
        continue;
      }
      if (hasAlternation(source, open, close)) break;
      closes.push(close);
      i = open;
      continue;
    }
    let literal: string;
    let next: number;
    if (c === '\\') {
      // Escaped punctuation is literal; `\d`, `\b`, `\1`, `\u…` and the like are not text.
      const escaped = source[i + 1];
      if (escaped === undefined || !PUNCTUATION.test(escaped)) break;
      literal = escaped;
      next = i + 2;
    } else {
      if (!PLAIN.test(c)) break;
      literal = c;
      next = i + 1;
    }
    // `a?`, `a*`, `a{0,1}` may match no `a`.
    if (isQuantifier(source, next)) break;
    if (beforeParameter !== undefined && prefix.endsWith(ANY_SEGMENT)) {
      // The parameter spans its segment only when `/` ends it; otherwise it ends the prefix.
      if (literal !== '/') break;
      beforeParameter = undefined;
    }
    prefix += literal;
    i = next;
  }
  if (beforeParameter !== undefined && prefix.endsWith(ANY_SEGMENT)) prefix = beforeParameter;
  return asciiLower(prefix);
}

/** Stands in the prefix for one whole segment of any text: never in a literal (ASCII printable only). */
export const ANY_SEGMENT = '\u0000';
// path-to-regexp's parameter without a pattern of its own (`:org`): one or more of anything but `/`, `#`, `?`.
const SEGMENT_PARAMETER = new Set(['[^\\/#\\?]+?', '[^\\/#\\?]+']);

const SLASH = 0x2f;
// Printable ASCII that stands for itself in a RegExp source; `]` and `}` are literal there only
// by Annex B's leniency, so they end the prefix rather than being trusted.
const PLAIN = /^[ !"#%&',\-/0-9:;<=>@A-Z_`a-z~]$/;
const PUNCTUATION = /^[!-/:-@[-^`{-~]$/;
const UPPER = /[A-Z]/g;
const HAS_UPPER = /[A-Z]/;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * ASCII letters lower-cased, every other character kept, each where it was: what the `i` flag
 * (without `u`) equates. `toLowerCase` only on pure ASCII: it turns `İ` into two characters and
 * `K` (U+212A) into `k`.
 */
function asciiLower(text: string): string {
  if (!HAS_UPPER.test(text)) return text;
  return NON_ASCII.test(text) ? text.replace(UPPER, (c) => String.fromCharCode(c.charCodeAt(0) | 0x20)) : text.toLowerCase();
}

function isQuantifier(source: string, at: number): boolean {
  const c = source[at];
  return c === '*' || c === '+' || c === '?' || c === '{';
}

/** Where a group's content starts: after `(`, `(?:` or `(?<name>`; `undefined` for assertions and modifiers. */
function groupContentStart(source: string, open: number): number | undefined {
  if (source[open + 1] !== '?') return open + 1;
  if (source[open + 2] === ':') return open + 3;
  if (source[open + 2] === '<' && source[open + 3] !== '=' && source[open + 3] !== '!') {
    const end = source.indexOf('>', open + 3);
    return end < 0 ? undefined : end + 1;
  }
  return undefined;
}

/** Calls `visit` for each character outside escapes and character classes, with the paren depth. */
function scan(source: string, from: number, to: number, visit: (c: string, at: number, depth: number) => boolean): void {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // In JS a class ends at the first unescaped `]`, even right after `[` or `[^`.
      for (i++; i < to && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (visit(c, i, depth)) return;
  }
}

/** The `)` that closes the group opened at `open`. */
function closingParen(source: string, open: number): number | undefined {
  let close: number | undefined;
  scan(source, open + 1, source.length, (c, at, depth) => {
    if (c === ')' && depth === -1) close = at;
    return close !== undefined;
  });
  return close;
}

/** A `|` at the top level of `source[from, to)`. */
function hasAlternation(source: string, from: number, to: number): boolean {
  let found = false;
  scan(source, from, to, (c, _at, depth) => (found = c === '|' && depth === 0));
  return found;
}

function newNode(): IndexNode {
  return { here: [], partial: new Map(), lengths: [], children: new Map(), any: undefined };
}

/** Rules arrive in order; a rule with two patterns in one place is listed once. */
function addTo(list: number[], position: number): void {
  if (list[list.length - 1] !== position) list.push(position);
}

function setLengths(node: IndexNode): void {
  node.lengths = [...new Set([...node.partial.keys()].map((key) => key.length))].sort((a, b) => a - b);
  for (const child of node.children.values()) setLengths(child);
  if (node.any) setLengths(node.any);
}
