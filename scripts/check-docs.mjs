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
// Node 20; the names are read from the source's syntax tree, as the TypeScript compiler parses it
// (`typescript`, a dev dependency), not with regular expressions.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

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
// What the source defines, read with the TypeScript compiler's parser (syntax only: no program, no
// type checking, so it takes a fraction of a second).

const parsed = new Map();

/** The syntax tree of a repository file. */
function sourceFile(file) {
  if (!parsed.has(file)) parsed.set(file, ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
  return parsed.get(file);
}

/** Calls `visit` on `node` and every node below it. */
function walk(node, visit) {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

/** The nodes of `file` (or below `node`) for which `test` holds, in source order. */
function findAll(root, test) {
  const out = [];
  walk(root, (node) => {
    if (test(node)) out.push(node);
  });
  return out;
}

const isStringLike = (node) => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);

/** A property's or declaration's name as text (identifiers and quoted names). */
function nameText(name) {
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
}

/** Property names of `interface Env` (or `type Env = { … }`) in src/env.ts. */
function settings() {
  const file = 'src/env.ts';
  const [env] = findAll(sourceFile(file), (node) => (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name.text === 'Env');
  if (!env) throw new ShapeError(`${file}: interface Env not found`);
  const members = ts.isInterfaceDeclaration(env) ? env.members : ts.isTypeLiteralNode(env.type) ? env.type.members : [];
  const names = members.filter((member) => ts.isPropertySignature(member)).map((member) => nameText(member.name)).filter(Boolean);
  if (names.length === 0) throw new ShapeError(`${file}: interface Env has no properties this script can read`);
  return names.map((name) => ({ name, from: `${file} (Env)` }));
}

/**
 * The keys of `CONFIG_KEYS`, `ROUTE_KEYS`, `PROTECT_KEYS` and `FORWARD_KEYS` in src/config/validate.ts,
 * and of the condition registry `CONDITIONS` in src/policy/conditions.ts (`PROTECT_KEYS` spreads
 * its keys, which only the registry's object literal spells out).
 */
function routeOptions() {
  const file = 'src/config/validate.ts';
  const out = [];
  for (const table of ['CONFIG_KEYS', 'ROUTE_KEYS', 'PROTECT_KEYS', 'FORWARD_KEYS']) {
    const [declaration] = findAll(sourceFile(file), (node) => ts.isVariableDeclaration(node) && nameText(node.name) === table);
    if (!declaration?.initializer) throw new ShapeError(`${file}: ${table} not found`);
    // `new Set([...])`, `[...] as const`, `Object.freeze([...])`: the first list literal in it.
    const [list] = findAll(declaration.initializer, ts.isArrayLiteralExpression);
    if (!list) throw new ShapeError(`${file}: ${table} is not a list of strings`);
    const keys = list.elements.filter(isStringLike).map((element) => element.text);
    if (keys.length === 0) throw new ShapeError(`${file}: ${table} has no keys`);
    for (const name of keys) out.push({ name, from: `${file} (${table})` });
  }
  return [...out, ...conditionKeys()];
}

/** The keys of the object literal `CONDITIONS` (src/policy/conditions.ts): one per condition of `protect`. */
function conditionKeys() {
  const file = 'src/policy/conditions.ts';
  const [declaration] = findAll(sourceFile(file), (node) => ts.isVariableDeclaration(node) && nameText(node.name) === 'CONDITIONS');
  // `{ … } satisfies …`: the first object literal in it is the registry itself.
  const [registry] = declaration?.initializer ? findAll(declaration.initializer, ts.isObjectLiteralExpression) : [];
  if (!registry) throw new ShapeError(`${file}: CONDITIONS is not an object literal`);
  const keys = registry.properties.map((property) => nameText(property.name)).filter(Boolean);
  if (keys.length === 0) throw new ShapeError(`${file}: CONDITIONS has no keys`);
  return keys.map((name) => ({ name, from: `${file} (CONDITIONS)` }));
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
  const tree = sourceFile(file);
  const [alias] = findAll(tree, (node) => ts.isTypeAliasDeclaration(node) && node.name.text === name);
  if (!alias) {
    // Imported from another module?
    for (const statement of tree.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      const named = statement.importClause?.namedBindings;
      if (!specifier.startsWith('.') || !named || !ts.isNamedImports(named)) continue;
      const found = named.elements.find((element) => element.name.text === name);
      if (found) return unionLiterals(resolveImport(file, specifier), (found.propertyName ?? found.name).text, seen);
    }
    throw new ShapeError(`${file}: type ${name} not found`);
  }
  const out = [];
  const visit = (type) => {
    if (ts.isUnionTypeNode(type)) type.types.forEach(visit);
    else if (ts.isParenthesizedTypeNode(type)) visit(type.type);
    else if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) out.push({ name: type.literal.text, from: `${file} (${name})` });
    else if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) out.push(...unionLiterals(file, type.typeName.text, seen));
  };
  visit(alias.type);
  return out;
}

/** `prop: 'literal'` in object literals below `root`, for the property `prop`. */
function propertyLiterals(root, prop) {
  return findAll(root, (node) => ts.isPropertyAssignment(node) && nameText(node.name) === prop && isStringLike(node.initializer)).map(
    (node) => node.initializer.text,
  );
}

/** Every `ERR_*` code the gateway answers with (`ReasonCode`) and the public `error` strings. */
function reasonCodes() {
  const file = 'src/respond/reasons.ts';
  const codes = unionLiterals(file, 'ReasonCode');
  const bad = codes.filter((c) => !/^ERR_[A-Z0-9_]+$/.test(c.name));
  if (bad.length > 0) throw new ShapeError(`${file}: ReasonCode lists ${bad.map((c) => c.name).join(', ')}, not ERR_* codes`);
  if (codes.length === 0) throw new ShapeError(`${file}: ReasonCode has no codes`);
  const errors = propertyLiterals(sourceFile(file), 'error').map((name) => ({ name, from: `${file} (error)` }));
  if (errors.length === 0) throw new ShapeError(`${file}: no public error strings (error: '…') found`);
  return { codes, errors };
}

/**
 * The string literals an expression can evaluate to: both branches of `?:`, both sides of `??` and
 * `||`, the right of `&&`, and the values of a constant table read with `TABLE[…]`; never call
 * arguments or compared values.
 */
function yieldedLiterals(file, expression, out) {
  if (!expression) return;
  if (isStringLike(expression)) out.push(expression.text);
  else if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression) || ts.isSatisfiesExpression(expression) || ts.isNonNullExpression(expression)) {
    yieldedLiterals(file, expression.expression, out);
  } else if (ts.isConditionalExpression(expression)) {
    yieldedLiterals(file, expression.whenTrue, out);
    yieldedLiterals(file, expression.whenFalse, out);
  } else if (ts.isBinaryExpression(expression)) {
    const op = expression.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) yieldedLiterals(file, expression.left, out);
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.AmpersandAmpersandToken) {
      yieldedLiterals(file, expression.right, out);
    }
  } else if (ts.isElementAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
    const table = expression.expression.text;
    const [declaration] = findAll(sourceFile(file), (node) => ts.isVariableDeclaration(node) && nameText(node.name) === table);
    const init = declaration?.initializer && ts.isAsExpression(declaration.initializer) ? declaration.initializer.expression : declaration?.initializer;
    if (!init || !ts.isObjectLiteralExpression(init)) throw new ShapeError(`${file}: const ${table} is not an object literal`);
    for (const property of init.properties) if (ts.isPropertyAssignment(property) && isStringLike(property.initializer)) out.push(property.initializer.text);
  }
}

/**
 * Public auth reasons (`X-Auth-Reason`): the literals `publicAuthReason` returns, including the
 * values of tables it reads (`CLERK_PUBLIC[…]`), plus the reasons `decide()` sets itself.
 */
function publicAuthReasons() {
  const file = 'src/auth/result.ts';
  const [fn] = findAll(sourceFile(file), (node) => ts.isFunctionDeclaration(node) && node.name?.text === 'publicAuthReason');
  if (!fn?.body) throw new ShapeError(`${file}: function publicAuthReason not found`);
  const values = [];
  for (const statement of findAll(fn.body, ts.isReturnStatement)) yieldedLiterals(file, statement.expression, values);
  const out = values.filter(Boolean).map((name) => ({ name, from: `${file} (publicAuthReason)` }));
  if (out.length === 0) throw new ShapeError(`${file}: publicAuthReason returns no literal this script can read`);

  const decideFile = 'src/decision/decide.ts';
  const decideReasons = [
    ...propertyLiterals(sourceFile(decideFile), 'reason'),
    ...assignedLiterals(sourceFile(decideFile), 'reason'),
  ].filter((value) => /^[a-z][a-z0-9_]*$/.test(value));
  if (decideReasons.length === 0) throw new ShapeError(`${decideFile}: no reason: '…' / reason = '…' literals found`);
  for (const name of decideReasons) out.push({ name, from: `${decideFile} (decide)` });
  return [...out, ...conditionReasons()];
}

/** The reasons a condition of `protect` fails with: the `reason` literals of `ConditionFailure` beside the registry. */
function conditionReasons() {
  const file = 'src/policy/conditions.ts';
  const [failure] = findAll(sourceFile(file), (node) => ts.isTypeAliasDeclaration(node) && node.name.text === 'ConditionFailure');
  if (!failure) throw new ShapeError(`${file}: type ConditionFailure not found`);
  const reasons = findAll(failure.type, (node) => ts.isPropertySignature(node) && nameText(node.name) === 'reason' && node.type !== undefined).flatMap((node) =>
    findAll(node.type, (type) => ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)).map((type) => type.literal.text),
  );
  if (reasons.length === 0) throw new ShapeError(`${file}: ConditionFailure names no reason literals`);
  return reasons.map((name) => ({ name, from: `${file} (ConditionFailure)` }));
}

/** Literals assigned to a property or variable named `prop` (`x.reason = '…'`, `reason ??= '…'`). */
function assignedLiterals(root, prop) {
  const assignments = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken]);
  return findAll(
    root,
    (node) =>
      ts.isBinaryExpression(node) &&
      assignments.has(node.operatorToken.kind) &&
      isStringLike(node.right) &&
      ((ts.isIdentifier(node.left) && node.left.text === prop) || (ts.isPropertyAccessExpression(node.left) && node.left.name.text === prop)),
  ).map((node) => node.right.text);
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
  const [failure] = findAll(sourceFile(resultFile), (node) => ts.isTypeAliasDeclaration(node) && node.name.text === 'AuthFailure');
  if (!failure) throw new ShapeError(`${resultFile}: type AuthFailure not found`);
  for (const member of findAll(failure.type, ts.isPropertySignature)) {
    if (nameText(member.name) === 'code' && member.type && ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal) && /^[A-Z][A-Z0-9_]*$/.test(member.type.literal.text)) {
      out.push({ name: member.type.literal.text, from: `${resultFile} (AuthFailure)` });
    }
  }
  if (out.length === 0) throw new ShapeError(`${resultFile}: AuthFailure has no code: '…' members`);

  const decideFile = 'src/decision/decide.ts';
  for (const node of findAll(sourceFile(decideFile), isStringLike)) {
    if (/^(?:ERR|REDIRECT)_[A-Z0-9_]+$/.test(node.text)) out.push({ name: node.text, from: `${decideFile} (Decision)` });
  }
  for (const file of sourceFiles('src')) {
    for (const value of assignedLiterals(sourceFile(file), 'reason')) {
      if (/^[A-Z][A-Z0-9_]*$/.test(value)) out.push({ name: value, from: `${file} (reason)` });
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
