#!/usr/bin/env node
// `node scripts/check-docs.mjs`: the docs say what the source does.
// - Every setting, route option and code the source defines appears in the docs (README.md and
//   docs/**/*.md) in code formatting (an inline `code` span or a fenced block), so a new setting or
//   code without documentation fails CI (scripts/lib/doc-names.mjs reads them).
// - docs/configuration.md's "Configuration reference" has a table per config interface, a row per
//   field with its JSDoc `@default`, and nothing else (scripts/lib/config-reference.mjs); a rule's
//   and `protect`'s fields are exactly the keys validation accepts.
// - Every command, repository path and relative link in the docs (and SECURITY.md,
//   verifiers/**/*.md) works as written (scripts/lib/doc-commands.mjs).
// Exits 1 listing what is missing or broken, 2 when the source no longer has the shape the readers
// expect (update SOURCES below, or the reader named in the message).
//
//   --by-file   also say, for README.md, SECURITY.md and each docs file, which names it lacks
//   --list      also print every name read from the source
//
// Node 20; the source is read with the TypeScript compiler's parser (`typescript`, a dev
// dependency; scripts/lib/ts-source.mjs), not with regular expressions.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TABLES, compareReference } from './lib/config-reference.mjs';
import { docCommandProblems } from './lib/doc-commands.mjs';
import { conditionKeys, internalCodes, keyList, publicAuthReasons, reasonCodes, routeOptions, settings } from './lib/doc-names.mjs';
import { ShapeError, exportedInterfaces, repository } from './lib/ts-source.mjs';

/** Where the facts the docs must state live: the one place to change when a file moves. */
const SOURCES = {
  /** `interface Env`: the settings. */
  env: 'src/env.ts',
  /** `CONFIG_KEYS`, `ROUTE_KEYS`, `PROTECT_KEYS`, `FORWARD_KEYS`: the route options. */
  validate: 'src/config/validate.ts',
  /** The exported config interfaces, with JSDoc `@default`s: the Configuration reference. */
  configTypes: 'src/config/types.ts',
  /** `type ReasonCode` and the public `error` strings. */
  reasons: 'src/respond/reasons.ts',
  /** `type AuthFailure` and `publicAuthReason`. */
  authResult: 'src/auth/result.ts',
  /** The condition registry `CONDITIONS` (route options of `protect`) and `ConditionFailure`'s reasons. */
  conditions: 'src/policy/conditions.ts',
  /** `decide()`'s own reasons and codes. */
  decide: 'src/decision/decide.ts',
  /** Every `reason = 'CODE'` under it is a log reason. */
  srcDir: 'src',
  /** The document with the "Configuration reference" section. */
  configDoc: 'docs/configuration.md',
};

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = repository(ROOT);

// ---------------------------------------------------------------------------------------------
// What the source defines.

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

/** The names the docs must mention, by kind. */
function nameGroups() {
  const { codes, errors } = reasonCodes(repo, SOURCES.reasons);
  const answered = dedupe(codes);
  const answeredNames = new Set(answered.map((c) => c.name));
  const logReasons = internalCodes(repo, SOURCES.authResult, SOURCES.decide, SOURCES.srcDir);
  return [
    { kind: 'setting', items: dedupe(settings(repo, SOURCES.env)) },
    { kind: 'route option', items: dedupe(routeOptions(repo, SOURCES.validate, SOURCES.conditions)) },
    { kind: 'code', items: answered },
    { kind: 'public error', items: dedupe(errors) },
    { kind: 'auth reason', items: dedupe(publicAuthReasons(repo, SOURCES.authResult, SOURCES.decide, SOURCES.conditions)) },
    { kind: 'log reason', items: dedupe(logReasons).filter((c) => !answeredNames.has(c.name)) },
  ];
}

// ---------------------------------------------------------------------------------------------
// What the docs say: the text of inline code spans and fenced code blocks, HTML comments removed.

/** Markdown files under `dir`, sorted, as repository paths. */
function markdownUnder(dir) {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { recursive: true })
    .map((name) => `${dir}/${String(name).split('\\').join('/')}`)
    .filter((file) => file.endsWith('.md'))
    .sort();
}

const docFiles = () => ['README.md', ...markdownUnder('docs')];

/** The files whose commands and links are checked: the docs, SECURITY.md and the verifiers' README. */
const commandFiles = () => [...docFiles(), ...['SECURITY.md', ...markdownUnder('verifiers')].filter((file) => existsSync(join(ROOT, file)))];

/** The code in a Markdown text: fenced blocks, then inline spans of the remaining text. */
function codeOf(markdown) {
  const spans = [];
  const prose = [];
  let fence = null;
  for (const line of markdown.replace(/<!--[\s\S]*?-->/g, ' ').split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
      else spans.push(line);
    } else if (m) fence = m[1];
    else prose.push(line);
  }
  for (const m of prose.join('\n').matchAll(/(`+)([\s\S]*?[^`])\1(?!`)/g)) spans.push(m[2].trim());
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

// ---------------------------------------------------------------------------------------------
// The checks.

/** Each group's names the docs lack, as messages; counts what they cover into `group.covered`. */
function missingNames(groups, allSpans) {
  const missing = [];
  for (const group of groups) {
    group.covered = 0;
    for (const item of group.items) {
      item.test = documented(group.kind, item.name);
      if (item.test(allSpans)) group.covered += 1;
      else missing.push(`  ${group.kind} ${item.name}  (${item.from.join(', ')})`);
    }
  }
  return missing;
}

/** The reference tables against the config interfaces, and a rule's and `protect`'s fields against the keys validation accepts. */
function referenceProblems() {
  const interfaces = exportedInterfaces(repo.sourceFile(SOURCES.configTypes));
  const problems = compareReference(interfaces, repo.read(SOURCES.configDoc), { doc: SOURCES.configDoc, types: SOURCES.configTypes });
  for (const [iface, table] of [['RouteRule', 'ROUTE_KEYS'], ['ProtectOptions', 'PROTECT_KEYS']]) {
    const fields = (interfaces.get(iface) ?? []).map((field) => field.name).sort();
    const keys = [...keyList(repo, SOURCES.validate, table), ...(table === 'PROTECT_KEYS' ? conditionKeys(repo, SOURCES.conditions) : [])].sort();
    if (fields.join() !== keys.join()) {
      problems.push(`${SOURCES.configTypes} ${iface} has the fields ${fields.join(', ')}, but ${SOURCES.validate} ${table} accepts ${keys.join(', ')}`);
    }
  }
  return problems;
}

/** What the commands check needs to know about the repository. */
function project() {
  const { scripts = {} } = JSON.parse(repo.read('package.json'));
  const binDir = join(ROOT, 'node_modules', '.bin');
  const inside = (path) => !path.split('/').includes('..') && !path.startsWith('/');
  const isFile = (path) => inside(path) && existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile();
  return {
    scripts,
    bins: new Set(existsSync(binDir) ? readdirSync(binDir) : []),
    exists: (path) => path === '' || (inside(path) && existsSync(join(ROOT, path))),
    source: (path) => (isFile(path) ? repo.read(path) : undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// The report.

function printByFile(groups, spansByFile) {
  const files = [...spansByFile.keys()];
  const perFile = [files[0], ...(existsSync(join(ROOT, 'SECURITY.md')) ? ['SECURITY.md'] : []), ...files.slice(1)];
  for (const file of perFile) {
    const spans = spansByFile.get(file) ?? codeOf(repo.read(file));
    const lacks = groups.flatMap((g) => g.items.filter((item) => !item.test(spans)).map((item) => `${g.kind} ${item.name}`));
    console.log(`${file}: ${lacks.length === 0 ? 'names everything' : `lacks ${lacks.length}: ${lacks.join(', ')}`}`);
  }
}

function summary(groups, files) {
  const of = (...kinds) => {
    const chosen = groups.filter((g) => kinds.includes(g.kind));
    const covered = chosen.reduce((n, g) => n + g.covered, 0);
    const total = chosen.reduce((n, g) => n + g.items.length, 0);
    return covered === total ? `${total}` : `${covered} of ${total}`;
  };
  return (
    `docs cover ${of('setting')} settings, ${of('route option')} route options, ` +
    `${of('code', 'public error', 'auth reason', 'log reason')} codes ` +
    `(ERR_* answers ${of('code')}, public errors ${of('public error')}, X-Auth-Reason values ${of('auth reason')}, ` +
    `other log reasons ${of('log reason')}) in ${files.join(', ')}`
  );
}

/** Prints `problems` under `title` when there are any; says whether there were. */
function report(title, problems, advice) {
  if (problems.length === 0) return false;
  console.error(`check-docs: ${title} — ${problems.length}:`);
  console.error(problems.join('\n'));
  if (advice) console.error(`check-docs: ${advice}`);
  return true;
}

function main() {
  let groups;
  let reference;
  try {
    groups = nameGroups();
    reference = referenceProblems();
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    console.error(`check-docs: cannot read the source: ${error.message}. Update SOURCES in scripts/check-docs.mjs, or the reader in scripts/lib/, to the new shape.`);
    process.exit(2);
  }
  const files = docFiles();
  const spansByFile = new Map(files.map((file) => [file, codeOf(repo.read(file))]));
  const missing = missingNames(groups, [...spansByFile.values()].flat());
  if (process.argv.includes('--list')) for (const group of groups) console.log(`${group.kind}: ${group.items.map((item) => item.name).join(', ')}`);
  if (process.argv.includes('--by-file')) printByFile(groups, spansByFile);

  const checked = commandFiles();
  const broken = docCommandProblems(checked.map((path) => ({ path, text: repo.read(path) })), project());
  const failed = [
    report('missing from the docs (in code formatting)', missing, `${summary(groups, files)}. Document each missing name (a \`code\` span is enough), or remove it from the source.`),
    report(`${SOURCES.configDoc}'s Configuration reference and ${SOURCES.configTypes} disagree`, reference.map((p) => `  ${p}`)),
    report('commands, paths or links in the docs that do not work as written', broken.map((p) => `  ${p}`)),
  ];
  if (failed.some(Boolean)) process.exit(1);
  console.log(`check-docs: ${summary(groups, files)}`);
  console.log(`check-docs: the Configuration reference in ${SOURCES.configDoc} documents every field of ${Object.keys(TABLES).join(', ')} with its default`);
  console.log(`check-docs: every command, repository path and relative link runs or resolves in ${checked.join(', ')}`);
}

main();
