// The repository's TypeScript as the compiler's parser reads it (`typescript`, a dev dependency):
// syntax trees only, no program and no type checking, so reading a file takes milliseconds. Used by
// `npm run check:docs` (scripts/check-docs.mjs) and its readers; Node only (the `typescript`
// module, about 9 MB, is too large to load inside workerd, where the unit tests run).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

export { ts };

/** The source no longer has the shape a reader expects: the script, not the docs, needs updating. */
export class ShapeError extends Error {}

/**
 * Files of the repository at `root`, by paths relative to it: their text, their syntax trees
 * (parsed once), relative imports resolved, and the .ts files under a folder.
 */
export function repository(root) {
  const trees = new Map();
  const rel = (path) => relative(root, path).split('\\').join('/');
  const read = (file) => {
    const path = join(root, file);
    if (!existsSync(path)) throw new ShapeError(`${file} does not exist`);
    return readFileSync(path, 'utf8');
  };
  const sourceFile = (file) => {
    if (!trees.has(file)) trees.set(file, ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS));
    return trees.get(file);
  };
  /** `./x` or `../x` imported from `file`, as a .ts file of the repository. */
  const resolveImport = (file, specifier) => {
    const base = join(dirname(file), specifier);
    for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
      const path = join(root, candidate);
      if (existsSync(path) && statSync(path).isFile()) return rel(path);
    }
    throw new ShapeError(`${file}: cannot resolve import "${specifier}"`);
  };
  const tsFiles = (dir) => {
    const out = [];
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) out.push(...tsFiles(path));
      else if (entry.name.endsWith('.ts')) out.push(path);
    }
    return out;
  };
  return { read, sourceFile, resolveImport, tsFiles };
}

/** The nodes at or below `root` for which `test` holds, in source order. */
export function findAll(root, test) {
  const out = [];
  const visit = (node) => {
    if (test(node)) out.push(node);
    ts.forEachChild(node, visit);
  };
  visit(root);
  return out;
}

export const isStringLike = (node) => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);

/** A property's or declaration's name as text (identifiers and quoted names). */
export function nameText(name) {
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
}

/** The first declaration `const name = …` below `root`. */
export function variable(root, name) {
  return findAll(root, (node) => ts.isVariableDeclaration(node) && nameText(node.name) === name)[0];
}

/** `prop: 'literal'` in object literals below `root`, for the property `prop`. */
export function propertyLiterals(root, prop) {
  return findAll(root, (node) => ts.isPropertyAssignment(node) && nameText(node.name) === prop && isStringLike(node.initializer)).map(
    (node) => node.initializer.text,
  );
}

const ASSIGNMENTS = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken]);

/** Literals assigned to a property or variable named `prop` (`x.reason = '…'`, `reason ??= '…'`). */
export function assignedLiterals(root, prop) {
  const target = (left) => (ts.isIdentifier(left) && left.text === prop) || (ts.isPropertyAccessExpression(left) && left.name.text === prop);
  return findAll(root, (node) => ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind) && isStringLike(node.right) && target(node.left)).map(
    (node) => node.right.text,
  );
}

/** A member's JSDoc `@default`, as written (the tag's text, trimmed), or `undefined`. */
function jsdocDefault(member) {
  const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
  return tag ? ts.getTextOfJSDocComment(tag.comment)?.trim() || undefined : undefined;
}

/**
 * The fields of every `export interface X { … }` at the top of `tree`: each property or method
 * with its name, whether it is optional, and its JSDoc `@default`.
 */
export function exportedInterfaces(tree) {
  const out = new Map();
  for (const statement of tree.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    const fields = statement.members
      .filter((member) => (ts.isPropertySignature(member) || ts.isMethodSignature(member)) && nameText(member.name) !== undefined)
      .map((member) => ({ name: nameText(member.name), optional: member.questionToken !== undefined, defaultValue: jsdocDefault(member) }));
    out.set(statement.name.text, fields);
  }
  return out;
}
