// Lists the function-like nodes of a JS file with their ranges (1-based line, 1-based column) and
// a name: node bench/profile-functions/funcs.mjs <file.js> > funcs.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const ts = createRequire(import.meta.url)('typescript');
const file = process.argv[2];
const text = readFileSync(file, 'utf8');
const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
const out = [];
const nameOf = (node) => {
  if (node.name && ts.isIdentifier(node.name)) return node.name.text;
  if (node.name && (ts.isStringLiteral(node.name) || ts.isNumericLiteral(node.name))) return node.name.text;
  if (node.name && ts.isComputedPropertyName(node.name)) return `[${node.name.expression.getText(sf).slice(0, 30)}]`;
  if (ts.isConstructorDeclaration(node)) return `${node.parent?.name?.text ?? 'class'}.constructor`;
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && p.name) return p.name.getText(sf);
  if (p && ts.isBinaryExpression(p) && p.right === node) return p.left.getText(sf).slice(0, 40);
  if (p && ts.isCallExpression(p)) {
    const callee = p.expression.getText(sf);
    return `(anon → ${callee.length > 40 ? '…' + callee.slice(-40) : callee})`;
  }
  return '(anon)';
};
const visit = (node, owner) => {
  let here = owner;
  if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const s = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    const e = sf.getLineAndCharacterOfPosition(node.getEnd());
    let name = nameOf(node);
    const className = (c) => c.name?.text ?? (c.parent && ts.isVariableDeclaration(c.parent) && ts.isIdentifier(c.parent.name) ? c.parent.name.text : '(class)');
    if ((ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) && node.parent && ts.isClassLike(node.parent)) name = `${className(node.parent)}.${name}`;
    if (ts.isConstructorDeclaration(node)) name = `${className(node.parent)}.constructor`;
    if (owner && name.startsWith('(anon')) name = `${name} in ${owner}`;
    out.push({ name, start: [s.line + 1, s.character + 1], end: [e.line + 1, e.character + 1], startPos: node.getStart(sf), endPos: node.getEnd() });
    here = name.startsWith('(anon') ? owner : name;
  }
  ts.forEachChild(node, (c) => visit(c, here));
};
visit(sf, undefined);
// line starts, so that callers can turn (line, col) into offsets
const lineStarts = sf.getLineStarts();
process.stdout.write(JSON.stringify({ file, functions: out, lineStarts }));
