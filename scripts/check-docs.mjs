#!/usr/bin/env node
// `node scripts/check-docs.mjs`: every setting, route option and code the source defines must appear
// in the docs (README.md and docs/**/*.md), in code formatting (an inline `code` span or a fenced
// block), so a new setting or code without documentation fails CI; and every command, repository
// path and relative link in the docs (and SECURITY.md, verifiers/**/*.md) must work as written
// (scripts/lib/doc-commands.mjs). Exits 1 listing what is missing or broken, 2 when the source no
// longer has the shape this script reads (update the extractors below).
//
//   --by-file   also say, for README.md, SECURITY.md and each docs file, which names it lacks
//   --list      also print every name read from the source
//
// Node 20, no dependencies, no TypeScript: the names are read from the source with a small lexer
// (strings, comments, regular expressions and brackets) and regular expressions.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { docCommandProblems } from './lib/doc-commands.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rel = (file) => relative(ROOT, file).split('\\').join('/');

class ShapeError extends Error {}

function read(file) {
  const path = join(ROOT, file);
  if (!existsSync(path)) throw new ShapeError(`${file} does not exist`);
  return readFileSync(path, 'utf8');
}

// ---------------------------------------------------------------------------------------------
// A small TypeScript lexer: enough to skip strings, template literals, comments and regular
// expression literals while matching brackets, and to strip comments.

const REGEX_BEFORE = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_AFTER_WORDS = /(?:^|[^\w$.])(?:return|typeof|case|do|else|in|of|void|yield|await|throw|delete|new)$/;

/**
 * Walks `src` from `start`, calling `visit(i, kind)` for each code character (kind `code`) and
 * skipping the others; returns early when `visit` returns a number (that index).
 */
function lex(src, start, visit) {
  let i = start;
  let lastSignificant = '';
  let lastIndex = -1;
  const templateDepth = []; // brace depth at which each open `${` of a template literal resumes
  let braces = 0;
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      i = end === -1 ? src.length : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end === -1 ? src.length : end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = skipQuoted(src, i, c);
      const stop = visit(i, 'string', src.slice(i + 1, end - 1));
      if (typeof stop === 'number') return stop;
      i = end;
      lastSignificant = c;
      lastIndex = end - 1;
      continue;
    }
    if (c === '`' || (c === '}' && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === braces)) {
      if (c === '}') templateDepth.pop();
      // Inside a template literal: up to its end or the next `${`.
      let j = i + 1;
      while (j < src.length && src[j] !== '`' && !(src[j] === '$' && src[j + 1] === '{')) j += src[j] === '\\' ? 2 : 1;
      if (src[j] === '$') {
        templateDepth.push(braces);
        i = j + 2;
      } else i = j + 1;
      lastSignificant = '`';
      lastIndex = i - 1;
      continue;
    }
    if (c === '/') {
      const before = src.slice(Math.max(0, lastIndex - 10), lastIndex + 1);
      if (lastIndex === -1 || REGEX_BEFORE.has(lastSignificant) || REGEX_AFTER_WORDS.test(before)) {
        i = skipRegex(src, i);
        lastSignificant = '/';
        lastIndex = i - 1;
        continue;
      }
    }
    if (c === '{') braces += 1;
    if (c === '}') braces -= 1;
    const stop = visit(i, 'code', c);
    if (typeof stop === 'number') return stop;
    if (!/\s/.test(c)) {
      lastSignificant = c;
      lastIndex = i;
    }
    i += 1;
  }
  return -1;
}

function skipQuoted(src, i, quote) {
  let j = i + 1;
  while (j < src.length && src[j] !== quote && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
  return j + 1;
}

function skipRegex(src, i) {
  let j = i + 1;
  let inClass = false;
  while (j < src.length && src[j] !== '\n') {
    const c = src[j];
    if (c === '\\') j += 2;
    else if (c === '[') (inClass = true), (j += 1);
    else if (c === ']') (inClass = false), (j += 1);
    else if (c === '/' && !inClass) break;
    else j += 1;
  }
  j += 1;
  while (j < src.length && /[a-z]/i.test(src[j])) j += 1; // flags
  return j;
}

const OPEN = { '{': '}', '[': ']', '(': ')' };

/** The index just past the bracket that closes the one at `open`. */
function closing(src, open) {
  const stack = [];
  const end = lex(src, open, (i, kind, c) => {
    if (kind !== 'code') return undefined;
    if (OPEN[c]) stack.push(OPEN[c]);
    else if (c === '}' || c === ']' || c === ')') {
      if (stack.pop() !== c) throw new ShapeError(`unbalanced "${c}"`);
      if (stack.length === 0) return i + 1;
    }
    return undefined;
  });
  if (end === -1) throw new ShapeError('unclosed bracket');
  return end;
}

/** From `start` up to the first `;` outside brackets (or the end of the text). */
function statement(src, start) {
  let depth = 0;
  const end = lex(src, start, (i, kind, c) => {
    if (kind !== 'code') return undefined;
    if (OPEN[c]) depth += 1;
    else if (c === '}' || c === ']' || c === ')') depth -= 1;
    else if (c === ';' && depth === 0) return i;
    return undefined;
  });
  return src.slice(start, end === -1 ? src.length : end);
}

/** The string literals of `src` (single or double quoted), outside comments. */
function stringLiterals(src) {
  const out = [];
  lex(src, 0, (_i, kind, value) => {
    if (kind === 'string') out.push(value);
    return undefined;
  });
  return out;
}

/**
 * `src` with comments replaced by spaces. With `flatten`, the insides of brackets are blanked too;
 * with `flatten: 'calls'`, only those of call arguments, index brackets and braces (grouping
 * parentheses stay, so `return (a ? 'x' : 'y')` keeps its literals).
 */
function blank(src, { flatten = false } = {}) {
  const out = Array.from(src, (c) => (c === '\n' ? '\n' : ' '));
  const stack = []; // for each open bracket: whether its inside is blanked
  let hidden = 0;
  let previous = '';
  lex(src, 0, (i, kind, value) => {
    if (kind === 'string') {
      if (hidden === 0) {
        const text = src.slice(i, i + value.length + 2);
        for (let k = 0; k < text.length; k += 1) out[i + k] = text[k];
      }
      previous = "'";
      return undefined;
    }
    const c = value;
    if (flatten && (c === '}' || c === ']' || c === ')')) {
      if (stack.pop()) hidden -= 1;
    }
    if (hidden === 0) out[i] = c;
    if (flatten && OPEN[c]) {
      const opaque = flatten !== 'calls' || c !== '(' || /[\w$)\]]/.test(previous);
      stack.push(opaque);
      if (opaque) hidden += 1;
    }
    if (!/\s/.test(c)) previous = c;
    return undefined;
  });
  return out.join('');
}

/** The `{ … }` body (without the braces) that follows the first match of `head` in `src`. */
function bodyAfter(src, head, what) {
  const m = head.exec(src);
  if (!m) throw new ShapeError(`${what} not found`);
  const open = src.indexOf('{', m.index + m[0].length - 1);
  if (open === -1) throw new ShapeError(`${what}: no body`);
  return src.slice(open + 1, closing(src, open) - 1);
}

// ---------------------------------------------------------------------------------------------
// What the source defines.

/** Property names of `interface Env` (or `type Env = { … }`) in src/env.ts. */
function settings() {
  const file = 'src/env.ts';
  const body = bodyAfter(read(file), /\b(?:interface\s+Env\b[^{]*\{|type\s+Env\s*=\s*\{)/, `${file}: interface Env`);
  const flat = blank(body, { flatten: true });
  const names = [];
  for (const m of flat.matchAll(/(?:^|[;,\n])\s*(?:readonly\s+)?(?:'([^']+)'|"([^"]+)"|([A-Za-z_$][\w$]*))\s*\??\s*:/g)) {
    names.push(m[1] ?? m[2] ?? m[3]);
  }
  if (names.length === 0) throw new ShapeError(`${file}: interface Env has no properties this script can read`);
  return names.map((name) => ({ name, from: `${file} (Env)` }));
}

/** The keys of `CONFIG_KEYS`, `ROUTE_KEYS`, `PROTECT_KEYS` and `FORWARD_KEYS` in src/config/validate.ts. */
function routeOptions() {
  const file = 'src/config/validate.ts';
  const src = read(file);
  const out = [];
  for (const table of ['CONFIG_KEYS', 'ROUTE_KEYS', 'PROTECT_KEYS', 'FORWARD_KEYS']) {
    const m = new RegExp(`\\b${table}\\b[^=;]*=`).exec(src);
    if (!m) throw new ShapeError(`${file}: ${table} not found`);
    const open = src.indexOf('[', m.index + m[0].length);
    if (open === -1) throw new ShapeError(`${file}: ${table} is not a list of strings`);
    const keys = stringLiterals(src.slice(open, closing(src, open)));
    if (keys.length === 0) throw new ShapeError(`${file}: ${table} has no keys`);
    for (const name of keys) out.push({ name, from: `${file} (${table})` });
  }
  return out;
}

/** Resolves `./x` or `../x` imported from `file` to a .ts file in the repository. */
function resolveImport(file, specifier) {
  const base = join(dirname(file), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    const path = join(ROOT, candidate);
    if (existsSync(path) && statSync(path).isFile()) return rel(path);
  }
  throw new ShapeError(`${file}: cannot resolve import "${specifier}"`);
}

/**
 * The string literals of the union `type name = …` in `file`, following other type names it
 * lists (in the same file, or imported from a relative path) to their own unions.
 */
function unionLiterals(file, name, seen = new Set()) {
  const key = `${file}#${name}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const src = read(file);
  const m = new RegExp(`\\btype\\s+${name}\\b\\s*(?:<[^=]*>)?\\s*=`).exec(src);
  if (!m) {
    // Imported from another module?
    for (const imp of src.matchAll(/\bimport\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"](\.[^'"]+)['"]/g)) {
      const names = imp[1].split(',').map((s) => s.replace(/^\s*type\s+/, '').trim().split(/\s+as\s+/));
      const found = names.find((parts) => (parts[1] ?? parts[0]) === name);
      if (found) return unionLiterals(resolveImport(file, imp[2]), found[0], seen);
    }
    throw new ShapeError(`${file}: type ${name} not found`);
  }
  const union = blank(statement(src, m.index + m[0].length));
  const out = stringLiterals(union).map((value) => ({ name: value, from: `${file} (${name})` }));
  for (const ref of union.replace(/(['"])(?:\\.|(?!\1).)*\1/g, ' ').matchAll(/\b([A-Z][A-Za-z0-9_]*)\b/g)) {
    out.push(...unionLiterals(file, ref[1], seen));
  }
  return out;
}

/** Every `ERR_*` code the gateway answers with (`ReasonCode`) and the public `error` strings. */
function reasonCodes() {
  const file = 'src/respond/reasons.ts';
  const codes = unionLiterals(file, 'ReasonCode');
  const bad = codes.filter((c) => !/^ERR_[A-Z0-9_]+$/.test(c.name));
  if (bad.length > 0) throw new ShapeError(`${file}: ReasonCode lists ${bad.map((c) => c.name).join(', ')}, not ERR_* codes`);
  if (codes.length === 0) throw new ShapeError(`${file}: ReasonCode has no codes`);
  const errors = [];
  for (const m of blank(read(file)).matchAll(/\berror\s*:\s*(['"])([^'"]+)\1/g)) errors.push({ name: m[2], from: `${file} (error)` });
  if (errors.length === 0) throw new ShapeError(`${file}: no public error strings (error: '…') found`);
  return { codes, errors };
}

/**
 * Public auth reasons (`X-Auth-Reason`): the literals `publicAuthReason` returns, including the
 * values of tables it reads (`CLERK_PUBLIC[…]`), plus the reasons `decide()` sets itself.
 */
function publicAuthReasons() {
  const file = 'src/auth/result.ts';
  const src = read(file);
  const body = bodyAfter(src, /\bfunction\s+publicAuthReason\b[^{]*\{/, `${file}: function publicAuthReason`);
  const out = [];
  const code = blank(body);
  for (const m of code.matchAll(/\breturn\b/g)) {
    // The literals a return statement can yield: not call arguments, not compared values.
    const returned = blank(statement(code, m.index + m[0].length), { flatten: 'calls' })
      .replace(/(['"])(?:\\.|(?!\1).)*\1(?=\s*(?:[!=]==?|\bin\b))/g, ' ')
      .replace(/(?:[!=]==?)\s*(['"])(?:\\.|(?!\1).)*\1/g, ' ');
    for (const value of stringLiterals(returned)) if (value) out.push({ name: value, from: `${file} (publicAuthReason)` });
  }
  for (const m of code.matchAll(/\b([A-Z][A-Z0-9_]*)\s*\[/g)) {
    const table = m[1];
    const body2 = bodyAfter(src, new RegExp(`\\bconst\\s+${table}\\b[^=]*=\\s*\\{`), `${file}: const ${table}`);
    for (const v of blank(body2).matchAll(/:\s*(['"])([^'"]+)\1/g)) out.push({ name: v[2], from: `${file} (${table})` });
  }
  if (out.length === 0) throw new ShapeError(`${file}: publicAuthReason returns no literal this script can read`);

  const decideFile = 'src/decision/decide.ts';
  const decideReasons = [...blank(read(decideFile)).matchAll(/\breason\s*[:=]\s*(['"])([a-z][a-z0-9_]*)\1/g)];
  if (decideReasons.length === 0) throw new ShapeError(`${decideFile}: no reason: '…' / reason = '…' literals found`);
  for (const m of decideReasons) out.push({ name: m[2], from: `${decideFile} (decide)` });
  return out;
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/**
 * Internal codes a log line can carry as `reason`: the `AuthFailure` codes (src/auth/result.ts),
 * the decision codes (src/decision/decide.ts), and any upper-case literal assigned to a `reason`
 * anywhere in src/ (`trace.reason = 'HANDSHAKE'`).
 */
function internalCodes() {
  const out = [];
  const resultFile = 'src/auth/result.ts';
  const resultSrc = read(resultFile);
  const head = /\btype\s+AuthFailure\b\s*=/.exec(resultSrc);
  if (!head) throw new ShapeError(`${resultFile}: type AuthFailure not found`);
  const failures = blank(statement(resultSrc, head.index + head[0].length));
  for (const m of failures.matchAll(/\bcode\s*:\s*(['"])([A-Z][A-Z0-9_]*)\1/g)) out.push({ name: m[2], from: `${resultFile} (AuthFailure)` });
  if (out.length === 0) throw new ShapeError(`${resultFile}: AuthFailure has no code: '…' members`);

  const decideFile = 'src/decision/decide.ts';
  for (const value of stringLiterals(read(decideFile))) {
    if (/^(?:ERR|REDIRECT)_[A-Z0-9_]+$/.test(value)) out.push({ name: value, from: `${decideFile} (Decision)` });
  }
  for (const file of sourceFiles('src')) {
    for (const m of blank(read(file)).matchAll(/\breason\s*(?:\?\?=|\|\|=|=(?![=>]))\s*(['"])([A-Z][A-Z0-9_]*)\1/g)) {
      out.push({ name: m[2], from: `${file} (reason)` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the docs say: the text of inline code spans and fenced code blocks, HTML comments removed.

function docFiles() {
  const out = ['README.md'];
  const walk = (dir) => {
    if (!existsSync(join(ROOT, dir))) return;
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) out.push(path);
    }
  };
  walk('docs');
  return out;
}

/** The code in a Markdown text: fenced blocks, then inline spans of the remaining text. */
function codeOf(markdown) {
  const text = markdown.replace(/<!--[\s\S]*?-->/g, ' ');
  const spans = [];
  const prose = [];
  let fence = null;
  for (const line of text.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
      else spans.push(line);
    } else if (m) fence = m[1];
    else prose.push(line);
  }
  const rest = prose.join('\n');
  for (const m of rest.matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)) spans.push(m[2].trim());
  return spans;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How a name must appear in code to count as documented. */
function documented(kind, name) {
  const word = escape(name);
  if (kind === 'route option') {
    // The key itself as a span (`name`), or used as a key (name: …, protect.name).
    const key = new RegExp(`(?<![\\w$-])${word}\\s*\\??\\s*:|\\.${word}(?![\\w$])`);
    return (spans) => spans.some((s) => s === name || key.test(s));
  }
  // Lower-case public codes must not count as part of a longer word (handshake-nonce).
  const pattern = /^[a-z]/.test(name) ? new RegExp(`(?<![\\w-])${word}(?![\\w-])`) : new RegExp(`(?<![\\w$])${word}(?![\\w$])`);
  return (spans) => spans.some((s) => pattern.test(s));
}

function dedupe(list) {
  const byName = new Map();
  for (const item of list) {
    const known = byName.get(item.name);
    if (known) {
      if (!known.from.includes(item.from)) known.from.push(item.from);
    } else byName.set(item.name, { name: item.name, from: [item.from] });
  }
  return [...byName.values()];
}

function main() {
  const byFile = process.argv.includes('--by-file');
  let groups;
  try {
    const { codes, errors } = reasonCodes();
    const publicReasons = publicAuthReasons();
    const answered = dedupe(codes);
    const answeredNames = new Set(answered.map((c) => c.name));
    groups = [
      { kind: 'setting', items: dedupe(settings()) },
      { kind: 'route option', items: dedupe(routeOptions()) },
      { kind: 'code', items: answered },
      { kind: 'public error', items: dedupe(errors) },
      { kind: 'auth reason', items: dedupe(publicReasons) },
      { kind: 'log reason', items: dedupe(internalCodes()).filter((c) => !answeredNames.has(c.name)) },
    ];
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    console.error(`check-docs: cannot read the source: ${error.message}. Update scripts/check-docs.mjs to the new shape.`);
    process.exit(2);
  }

  const files = docFiles();
  const spansByFile = new Map(files.map((file) => [file, codeOf(read(file))]));
  const allSpans = [...spansByFile.values()].flat();
  const missing = [];
  for (const group of groups) {
    group.covered = 0;
    for (const item of group.items) {
      item.test = documented(group.kind, item.name);
      if (item.test(allSpans)) group.covered += 1;
      else missing.push(`  ${group.kind} ${item.name}  (${item.from.join(', ')})`);
    }
  }

  if (process.argv.includes('--list')) {
    for (const group of groups) console.log(`${group.kind}: ${group.items.map((item) => item.name).join(', ')}`);
  }
  if (byFile) {
    const perFile = [files[0], ...(existsSync(join(ROOT, 'SECURITY.md')) ? ['SECURITY.md'] : []), ...files.slice(1)];
    for (const file of perFile) {
      const spans = spansByFile.get(file) ?? codeOf(read(file));
      const lacks = groups.flatMap((g) => g.items.filter((item) => !item.test(spans)).map((item) => `${g.kind} ${item.name}`));
      console.log(`${file}: ${lacks.length === 0 ? 'names everything' : `lacks ${lacks.length}: ${lacks.join(', ')}`}`);
    }
  }

  const of = (...kinds) => {
    const chosen = groups.filter((g) => kinds.includes(g.kind));
    const covered = chosen.reduce((n, g) => n + g.covered, 0);
    const total = chosen.reduce((n, g) => n + g.items.length, 0);
    return covered === total ? `${total}` : `${covered} of ${total}`;
  };
  const summary =
    `docs cover ${of('setting')} settings, ${of('route option')} route options, ` +
    `${of('code', 'public error', 'auth reason', 'log reason')} codes ` +
    `(ERR_* answers ${of('code')}, public errors ${of('public error')}, X-Auth-Reason values ${of('auth reason')}, ` +
    `other log reasons ${of('log reason')}) in ${files.join(', ')}`;

  if (missing.length > 0) {
    console.error(`check-docs: missing from the docs (in code formatting) — ${missing.length}:`);
    console.error(missing.join('\n'));
    console.error(`check-docs: ${summary}. Document each missing name (a \`code\` span is enough), or remove it from the source.`);
  }

  const checked = commandFiles();
  const broken = docCommandProblems(
    checked.map((path) => ({ path, text: read(path) })),
    project(),
  );
  if (broken.length > 0) {
    console.error(`check-docs: commands, paths or links in the docs that do not work as written — ${broken.length}:`);
    console.error(broken.map((problem) => `  ${problem}`).join('\n'));
  }
  if (missing.length > 0 || broken.length > 0) process.exit(1);
  console.log(`check-docs: ${summary}`);
  console.log(`check-docs: every command, repository path and relative link runs or resolves in ${checked.join(', ')}`);
}

/** The files whose commands and links are checked: the docs, SECURITY.md and the verifiers' README. */
function commandFiles() {
  const extra = ['SECURITY.md', ...markdownUnder('verifiers')].filter((file) => existsSync(join(ROOT, file)));
  return [...docFiles(), ...extra];
}

function markdownUnder(dir) {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { recursive: true })
    .map((name) => `${dir}/${String(name).split('\\').join('/')}`)
    .filter((file) => file.endsWith('.md'))
    .sort();
}

/** What the commands check needs to know about the repository. */
function project() {
  const { scripts = {} } = JSON.parse(read('package.json'));
  const binDir = join(ROOT, 'node_modules', '.bin');
  const bins = new Set(existsSync(binDir) ? readdirSync(binDir) : []);
  const inside = (path) => !path.split('/').includes('..') && !path.startsWith('/');
  return {
    scripts,
    bins,
    exists: (path) => path === '' || (inside(path) && existsSync(join(ROOT, path))),
    source: (path) => (inside(path) && existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile() ? readFileSync(join(ROOT, path), 'utf8') : undefined),
  };
}

main();
