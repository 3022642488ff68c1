// Every command, repository path and relative link in the docs works as written. Used by
// `npm run check:docs` (scripts/check-docs.mjs), which gives it the files and the project; kept free
// of `node:` imports so test/unit/docs/doc-commands.test.ts runs it inside workerd.
//
// What counts as a command: the lines of `sh`/`bash`/`shell`/`zsh` fenced blocks, the `$ ` lines of
// `console` blocks, and inline code spans that start with `npm `, `node ` or `npx `. Each is split
// at `&&`, `||` and `;` (blocks also at `|`), leading `VAR=value` assignments are skipped, and:
// - `npm run <script>` names a script of package.json; `npm test` needs a `test` script; other npm
//   subcommands must be ones npm has (install, ci, …);
// - `node <file>` names a file that exists;
// - `npx <tool>` names a tool in node_modules/.bin, and such a tool is never run bare (`wrangler …`:
//   node_modules/.bin is on the PATH only inside npm scripts);
// - the arguments after `npm run <script> --` (or after `node <file>`), when the script runs
//   `node <file>` last: every `--flag` / `-f` and a leading subcommand word (`explain`, `new`) must
//   appear in that file's source (or a file it imports from the repository) as a string literal
//   or a `parseArgs` option name. Cheap, and it catches a renamed or removed flag.
// Repository paths: inline spans that start with src/, test/, scripts/, bench/, demo/, verifiers/,
// docs/ or .ci/ must exist. Links: `[text](target)` outside code, relative targets must exist, and
// `#anchor` must be a heading (GitHub's slug) or an `<a id>` of the target Markdown file.

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh']);
const NPM_COMMANDS = new Set(['install', 'i', 'ci', 'test', 't', 'run', 'run-script', 'exec', 'view', 'ls', 'outdated', 'audit', 'version', 'init', 'start', 'uninstall', 'update']);
const PATH_SPAN = /^(?:\.\/)?(?:src|test|scripts|bench|demo|verifiers|docs|\.ci)\/[\w./@+-]*$/;

/**
 * A Markdown text split into fenced blocks (with their info string and first line number) and the
 * prose around them (the blocks blanked, so line numbers stay right). HTML comments are blanked.
 */
export function splitMarkdown(text) {
  const source = text.replace(/<!--[\s\S]*?-->/g, (m) => m.replace(/[^\n]/g, ' '));
  const blocks = [];
  const prose = [];
  let fence = null;
  source.split('\n').forEach((line, index) => {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence.marker[0] && m[1].length >= fence.marker.length && line.trim() === m[1]) fence = null;
      else fence.block.lines.push(line);
      prose.push('');
    } else if (m) {
      const block = { lang: m[2].toLowerCase(), line: index + 2, lines: [] };
      blocks.push(block);
      fence = { marker: m[1], block };
      prose.push('');
    } else prose.push(line);
  });
  return { blocks, prose: prose.join('\n') };
}

/** The inline code spans of prose, with their line numbers; `\|` (escaped in tables) read as `|`. */
export function inlineSpans(prose) {
  const out = [];
  for (const m of prose.matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)) {
    const line = prose.slice(0, m.index).split('\n').length;
    out.push({ text: m[2].trim().replace(/\\\|/g, '|'), line });
  }
  return out;
}

/** Prose with inline code blanked: what links are read from. */
function withoutSpans(prose) {
  return prose.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (m) => m.replace(/[^\n]/g, ' '));
}

/** The commands a file gives: `{ text, line }`, one per simple command. */
export function commandsOf(text) {
  const { blocks, prose } = splitMarkdown(text);
  const out = [];
  const split = (command, line, pipes) => {
    const parts = command.split(pipes ? /&&|\|\||;|\|/ : /&&|\|\||;/);
    for (const part of parts) if (part.trim()) out.push({ text: part.trim().replace(/\s+/g, ' '), line });
  };
  for (const block of blocks) {
    const shell = SHELL_LANGS.has(block.lang);
    if (!shell && block.lang !== 'console') continue;
    let pending = '';
    let start = block.line;
    block.lines.forEach((raw, k) => {
      let line = raw;
      if (block.lang === 'console') {
        if (!pending) {
          if (!/^\s*\$ /.test(line)) return;
          line = line.replace(/^\s*\$ /, '');
        }
      }
      if (!pending) start = block.line + k;
      line = line.replace(/(^|\s)#.*$/, '$1'); // a comment (a `#` inside a word, as in a URL, stays)
      if (/\\\s*$/.test(line)) {
        pending += `${line.replace(/\\\s*$/, '')} `;
        return;
      }
      const command = (pending + line).trim();
      pending = '';
      if (command) split(command, start, true);
    });
  }
  for (const span of inlineSpans(prose)) {
    if (/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:npm|node|npx)\s/.test(span.text)) split(span.text, span.line, false);
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Whitespace-separated words, with '…' and "…" kept together and their quotes removed. */
function words(command) {
  const out = [];
  for (const m of command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The file a package.json script runs last, when that is `node <file>`. */
export function nodeFileOf(script) {
  const last = script.split(/&&|\|\||;/).pop() ?? '';
  const w = words(last.trim()).filter((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word));
  return w[0] === 'node' && w[1] && !w[1].startsWith('-') ? w[1] : undefined;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `source` names the option `flag` (`--as`, `-h`) or the word `word` as a literal. */
function sourceAccepts(source, { flag, word }) {
  if (flag) {
    const name = flag.replace(/^-+/, '');
    const literal = new RegExp(`(['"\`\\s\\[(|])${escapeRe(flag)}(?![\\w-])`);
    if (literal.test(source)) return true;
    // parseArgs: `name: { type: … }` or `'name': { … }`, and `short: 'x'`.
    if (flag.startsWith('--') && new RegExp(`(?:^|[\\s{,])(['"]?)${escapeRe(name)}\\1\\s*:\\s*\\{`, 'm').test(source)) return true;
    if (!flag.startsWith('--') && new RegExp(`\\bshort\\s*:\\s*['"]${escapeRe(name)}['"]`).test(source)) return true;
    return false;
  }
  return new RegExp(`(['"\`])${escapeRe(word)}\\1`).test(source);
}

/** The arguments' problems for the script file `file`, or none when they are all accepted. */
function argumentProblems(file, args, project, label) {
  const source = sourceWithImports(file, project);
  if (source === undefined) return [`${label}: ${file} does not exist`];
  const problems = [];
  const tokens = args.map((a) => a.replace(/^[[(]+/, '').replace(/[\]),]+$/, ''));
  const first = tokens[0];
  if (first && /^[a-z][a-z-]*$/.test(first) && !sourceAccepts(source, { word: first })) {
    problems.push(`${label}: ${file} has no subcommand "${first}"`);
  }
  for (const token of tokens) {
    const m = /^(--?[A-Za-z][\w-]*)(?:=.*)?$/.exec(token);
    if (!m || token === '--') continue;
    for (const alt of m[1].split('|')) {
      if (!sourceAccepts(source, { flag: alt })) problems.push(`${label}: ${file} takes no option ${alt}`);
    }
  }
  return problems;
}

/** A file's text and that of the repository files it imports (`./x.mjs`, `../lib/y.mjs`), one level deep. */
function sourceWithImports(file, project) {
  const own = project.source(file);
  if (own === undefined) return undefined;
  const texts = [own];
  for (const m of own.matchAll(/\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const imported = project.source(joinPath(dirOf(file), m[1]));
    if (imported !== undefined) texts.push(imported);
  }
  return texts.join('\n');
}

function dirOf(path) {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** `base` joined with the relative `path`, `.` and `..` resolved; `undefined` above the root. */
export function joinPath(base, path) {
  const parts = base ? base.split('/') : [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

/** What is wrong with one command, as messages. */
export function commandProblems(command, project) {
  const w = words(command);
  // `npm run <script>`, `node <file>`: a placeholder in the prose, not a command to run.
  if (w.some((word) => /^<[^>]*>$/.test(word) && w.indexOf(word) <= 2)) return [];
  while (w.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(w[0])) w.shift();
  const [tool, sub, ...rest] = w;
  const label = `\`${command}\``;
  if (tool === 'npm') {
    if (sub === 'run' || sub === 'run-script') {
      const [name, ...more] = rest;
      if (!name || name.startsWith('-')) return [];
      const script = project.scripts[name];
      if (script === undefined) return [`${label}: package.json has no script "${name}"`];
      const dash = more.indexOf('--');
      const args = dash === -1 ? [] : more.slice(dash + 1);
      const file = nodeFileOf(script);
      return file && args.length > 0 ? argumentProblems(file, args, project, label) : [];
    }
    if (sub === 'test' || sub === 't') return project.scripts.test === undefined ? [`${label}: package.json has no script "test"`] : [];
    if (sub !== undefined && !NPM_COMMANDS.has(sub)) return [`${label}: "npm ${sub}" is not an npm command (did you mean "npm run ${sub}"?)`];
    return [];
  }
  if (tool === 'node') {
    if (!sub || sub.startsWith('-')) return [];
    if (!project.exists(sub)) return [`${label}: ${sub} does not exist`];
    return rest.length > 0 ? argumentProblems(sub, rest, project, label) : [];
  }
  if (tool !== undefined && tool !== 'npx' && project.bins.has(tool)) {
    // A dependency's own command: node_modules/.bin is on the PATH only inside npm scripts.
    return [`${label}: ${tool} is not on the PATH outside npm scripts; write \`npx ${tool}\``];
  }
  if (tool === 'npx') {
    const bin = [sub, ...rest].find((word) => word !== undefined && !word.startsWith('-'));
    if (bin && !project.bins.has(bin)) return [`${label}: no ${bin} in node_modules/.bin (not a dependency)`];
  }
  return [];
}

/** GitHub's anchor for a heading's text. */
export function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a Markdown text defines: its ATX headings (GitHub's slugs, duplicates numbered) and `<a id|name>`. */
export function anchorsOf(text) {
  const { prose } = splitMarkdown(text);
  const out = new Set();
  const seen = new Map();
  for (const line of prose.split('\n')) {
    const m = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of prose.matchAll(/<a\s[^>]*\b(?:id|name)=["']([^"']+)["']/g)) out.add(m[1]);
  return out;
}

/** The relative links of a Markdown file's prose: `{ target, line }`. */
export function linksOf(text) {
  const prose = withoutSpans(splitMarkdown(text).prose);
  const out = [];
  const lineOf = (index) => prose.slice(0, index).split('\n').length;
  for (const m of prose.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+["'][^"']*["'])?\s*\)/g)) {
    out.push({ target: m[1], line: lineOf(m.index) });
  }
  for (const m of prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) out.push({ target: m[1], line: lineOf(m.index) });
  return out.filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target));
}

/**
 * Every problem with the commands, paths and links of `files` (`{ path, text }`, paths relative to
 * the repository root). `project`: `scripts` (package.json's), `bins` (a Set of node_modules/.bin
 * names), `exists(path)` (a file or folder) and `source(path)` (a file's text, or undefined).
 */
export function docCommandProblems(files, project) {
  const problems = [];
  const anchors = new Map();
  const texts = new Map(files.map((file) => [file.path, file.text]));
  const anchorsFor = (path) => {
    if (!anchors.has(path)) {
      const text = texts.get(path) ?? project.source(path);
      anchors.set(path, text === undefined ? new Set() : anchorsOf(text));
    }
    return anchors.get(path);
  };
  for (const file of files) {
    const where = (line) => `${file.path}:${line}`;
    for (const command of commandsOf(file.text)) {
      for (const problem of commandProblems(command.text, project)) problems.push(`${where(command.line)}: ${problem}`);
    }
    for (const span of inlineSpans(splitMarkdown(file.text).prose)) {
      if (PATH_SPAN.test(span.text) && !project.exists(span.text.replace(/^\.\//, '').replace(/\/$/, ''))) {
        problems.push(`${where(span.line)}: \`${span.text}\` does not exist`);
      }
    }
    for (const link of linksOf(file.text)) {
      const [rawPath, anchor] = link.target.split('#', 2);
      let path;
      try {
        path = rawPath ? joinPath(dirOf(file.path), decodeURIComponent(rawPath)) : file.path;
      } catch {
        path = undefined;
      }
      if (path === undefined || (path !== '' && !project.exists(path.replace(/\/$/, '')))) {
        problems.push(`${where(link.line)}: link ${link.target}: ${rawPath} does not exist`);
        continue;
      }
      if (anchor && /\.md$/i.test(path) && !anchorsFor(path).has(anchor.toLowerCase())) {
        problems.push(`${where(link.line)}: link ${link.target}: ${path} has no heading for #${anchor}`);
      }
    }
  }
  return problems;
}
