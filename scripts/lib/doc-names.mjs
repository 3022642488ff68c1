// The names the docs must mention, read from the source's syntax trees (scripts/lib/ts-source.mjs):
// settings, route options, `ERR_*` codes, public errors, `X-Auth-Reason` values and log reasons.
// Each reader takes the repository and the file it reads (scripts/check-docs.mjs lists them), and
// throws a ShapeError when the source no longer has the shape it expects.
import { ShapeError, assignedLiterals, findAll, isStringLike, nameText, propertyLiterals, ts, variable } from './ts-source.mjs';

/** Property names of `interface Env` (or `type Env = { … }`) in `file`. */
export function settings(repo, file) {
  const [env] = findAll(repo.sourceFile(file), (node) => (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && node.name.text === 'Env');
  if (!env) throw new ShapeError(`${file}: interface Env not found`);
  const members = ts.isInterfaceDeclaration(env) ? env.members : ts.isTypeLiteralNode(env.type) ? env.type.members : [];
  const names = members.filter((member) => ts.isPropertySignature(member)).map((member) => nameText(member.name)).filter(Boolean);
  if (names.length === 0) throw new ShapeError(`${file}: interface Env has no properties this script can read`);
  return names.map((name) => ({ name, from: `${file} (Env)` }));
}

/** The strings of the list `const table = new Set([…])` (or `[…] as const`, `Object.freeze([…])`) in `file`. */
export function keyList(repo, file, table) {
  const declaration = variable(repo.sourceFile(file), table);
  if (!declaration?.initializer) throw new ShapeError(`${file}: ${table} not found`);
  const [list] = findAll(declaration.initializer, ts.isArrayLiteralExpression);
  if (!list) throw new ShapeError(`${file}: ${table} is not a list of strings`);
  const keys = list.elements.filter(isStringLike).map((element) => element.text);
  if (keys.length === 0) throw new ShapeError(`${file}: ${table} has no keys`);
  return keys;
}

/**
 * The keys of `CONFIG_KEYS`, `ROUTE_KEYS`, `PROTECT_KEYS` and `FORWARD_KEYS` in `file`, and of the
 * condition registry in `conditionsFile` (`PROTECT_KEYS` spreads its keys, which only the
 * registry's object literal spells out).
 */
export function routeOptions(repo, file, conditionsFile) {
  const tables = ['CONFIG_KEYS', 'ROUTE_KEYS', 'PROTECT_KEYS', 'FORWARD_KEYS'].flatMap((table) => keyList(repo, file, table).map((name) => ({ name, from: `${file} (${table})` })));
  return [...tables, ...conditionKeys(repo, conditionsFile).map((name) => ({ name, from: `${conditionsFile} (CONDITIONS)` }))];
}

/** The keys of the object literal `CONDITIONS` in `file`: one per condition of `protect`. */
export function conditionKeys(repo, file) {
  const declaration = variable(repo.sourceFile(file), 'CONDITIONS');
  // `{ … } satisfies …`: the first object literal in it is the registry itself.
  const [registry] = declaration?.initializer ? findAll(declaration.initializer, ts.isObjectLiteralExpression) : [];
  if (!registry) throw new ShapeError(`${file}: CONDITIONS is not an object literal`);
  const keys = registry.properties.map((property) => nameText(property.name)).filter(Boolean);
  if (keys.length === 0) throw new ShapeError(`${file}: CONDITIONS has no keys`);
  return keys;
}

/** The reasons a condition of `protect` fails with: the `reason` literals of `ConditionFailure` in `file`. */
export function conditionReasons(repo, file) {
  const [failure] = findAll(repo.sourceFile(file), (node) => ts.isTypeAliasDeclaration(node) && node.name.text === 'ConditionFailure');
  if (!failure) throw new ShapeError(`${file}: type ConditionFailure not found`);
  const reasons = findAll(failure.type, (node) => ts.isPropertySignature(node) && nameText(node.name) === 'reason' && node.type !== undefined).flatMap((node) =>
    findAll(node.type, (type) => ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)).map((type) => type.literal.text),
  );
  if (reasons.length === 0) throw new ShapeError(`${file}: ConditionFailure names no reason literals`);
  return reasons.map((name) => ({ name, from: `${file} (ConditionFailure)` }));
}

/** `type name = …` in `file`, or where `file` imports it from (a relative path). */
function typeAlias(repo, file, name) {
  const tree = repo.sourceFile(file);
  const [alias] = findAll(tree, (node) => ts.isTypeAliasDeclaration(node) && node.name.text === name);
  if (alias) return { file, alias };
  for (const statement of tree.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const specifier = statement.moduleSpecifier.text;
    const named = statement.importClause?.namedBindings;
    if (!specifier.startsWith('.') || !named || !ts.isNamedImports(named)) continue;
    const found = named.elements.find((element) => element.name.text === name);
    if (found) return typeAlias(repo, repo.resolveImport(file, specifier), (found.propertyName ?? found.name).text);
  }
  throw new ShapeError(`${file}: type ${name} not found`);
}

/**
 * The string literals of the union `type name = …` in `file`, following other type names it
 * lists (in the same file, or imported from a relative path) to their own unions.
 */
export function unionLiterals(repo, file, name, seen = new Set()) {
  if (seen.has(`${file}#${name}`)) return [];
  seen.add(`${file}#${name}`);
  const found = typeAlias(repo, file, name);
  const out = [];
  const visit = (type) => {
    if (ts.isUnionTypeNode(type)) type.types.forEach(visit);
    else if (ts.isParenthesizedTypeNode(type)) visit(type.type);
    else if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) out.push({ name: type.literal.text, from: `${found.file} (${name})` });
    else if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) out.push(...unionLiterals(repo, found.file, type.typeName.text, seen));
  };
  visit(found.alias.type);
  return out;
}

/** Every `ERR_*` code the gateway answers with (`ReasonCode` in `file`) and the public `error` strings. */
export function reasonCodes(repo, file) {
  const codes = unionLiterals(repo, file, 'ReasonCode');
  const bad = codes.filter((c) => !/^ERR_[A-Z0-9_]+$/.test(c.name));
  if (bad.length > 0) throw new ShapeError(`${file}: ReasonCode lists ${bad.map((c) => c.name).join(', ')}, not ERR_* codes`);
  if (codes.length === 0) throw new ShapeError(`${file}: ReasonCode has no codes`);
  const errors = propertyLiterals(repo.sourceFile(file), 'error').map((name) => ({ name, from: `${file} (error)` }));
  if (errors.length === 0) throw new ShapeError(`${file}: no public error strings (error: '…') found`);
  return { codes, errors };
}

const WRAPPERS = [ts.isParenthesizedExpression, ts.isAsExpression, ts.isSatisfiesExpression, ts.isNonNullExpression];
const EITHER_SIDE = new Set([ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken]);

/** The string values of the object literal `const table = { … }` in `file`. */
function tableValues(repo, file, table) {
  const init = variable(repo.sourceFile(file), table)?.initializer;
  const object = init && ts.isAsExpression(init) ? init.expression : init;
  if (!object || !ts.isObjectLiteralExpression(object)) throw new ShapeError(`${file}: const ${table} is not an object literal`);
  return object.properties.filter((p) => ts.isPropertyAssignment(p) && isStringLike(p.initializer)).map((p) => p.initializer.text);
}

/**
 * The string literals an expression can evaluate to: both branches of `?:`, both sides of `??` and
 * `||`, the right of `&&`, and the values of a constant table read with `TABLE[…]`; never call
 * arguments or compared values.
 */
function yieldedLiterals(repo, file, expression) {
  if (!expression) return [];
  if (isStringLike(expression)) return [expression.text];
  if (WRAPPERS.some((is) => is(expression))) return yieldedLiterals(repo, file, expression.expression);
  if (ts.isConditionalExpression(expression)) return [expression.whenTrue, expression.whenFalse].flatMap((e) => yieldedLiterals(repo, file, e));
  if (ts.isBinaryExpression(expression)) {
    const op = expression.operatorToken.kind;
    const left = EITHER_SIDE.has(op) ? yieldedLiterals(repo, file, expression.left) : [];
    const right = EITHER_SIDE.has(op) || op === ts.SyntaxKind.AmpersandAmpersandToken ? yieldedLiterals(repo, file, expression.right) : [];
    return [...left, ...right];
  }
  if (ts.isElementAccessExpression(expression) && ts.isIdentifier(expression.expression)) return tableValues(repo, file, expression.expression.text);
  return [];
}

/**
 * Public auth reasons (`X-Auth-Reason`): the literals `publicAuthReason` (in `resultFile`) returns,
 * including the values of tables it reads (`CLERK_PUBLIC[…]`), plus the reasons `decide()` (in
 * `decideFile`) sets itself.
 */
export function publicAuthReasons(repo, resultFile, decideFile, conditionsFile) {
  const [fn] = findAll(repo.sourceFile(resultFile), (node) => ts.isFunctionDeclaration(node) && node.name?.text === 'publicAuthReason');
  if (!fn?.body) throw new ShapeError(`${resultFile}: function publicAuthReason not found`);
  const values = findAll(fn.body, ts.isReturnStatement).flatMap((statement) => yieldedLiterals(repo, resultFile, statement.expression));
  const out = values.filter(Boolean).map((name) => ({ name, from: `${resultFile} (publicAuthReason)` }));
  if (out.length === 0) throw new ShapeError(`${resultFile}: publicAuthReason returns no literal this script can read`);

  const decide = repo.sourceFile(decideFile);
  const decideReasons = [...propertyLiterals(decide, 'reason'), ...assignedLiterals(decide, 'reason')].filter((value) => /^[a-z][a-z0-9_]*$/.test(value));
  if (decideReasons.length === 0) throw new ShapeError(`${decideFile}: no reason: '…' / reason = '…' literals found`);
  for (const name of decideReasons) out.push({ name, from: `${decideFile} (decide)` });
  return [...out, ...conditionReasons(repo, conditionsFile)];
}

/**
 * Internal codes a log line can carry as `reason`: the `AuthFailure` codes (`resultFile`), the
 * decision codes (`decideFile`), and any upper-case literal assigned to a `reason` anywhere in
 * `srcDir` (`trace.reason = 'HANDSHAKE'`).
 */
export function internalCodes(repo, resultFile, decideFile, srcDir) {
  const out = [];
  const [failure] = findAll(repo.sourceFile(resultFile), (node) => ts.isTypeAliasDeclaration(node) && node.name.text === 'AuthFailure');
  if (!failure) throw new ShapeError(`${resultFile}: type AuthFailure not found`);
  for (const member of findAll(failure.type, ts.isPropertySignature)) {
    const literal = member.type && ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal) ? member.type.literal.text : '';
    if (nameText(member.name) === 'code' && /^[A-Z][A-Z0-9_]*$/.test(literal)) out.push({ name: literal, from: `${resultFile} (AuthFailure)` });
  }
  if (out.length === 0) throw new ShapeError(`${resultFile}: AuthFailure has no code: '…' members`);

  for (const node of findAll(repo.sourceFile(decideFile), isStringLike)) {
    if (/^(?:ERR|REDIRECT)_[A-Z0-9_]+$/.test(node.text)) out.push({ name: node.text, from: `${decideFile} (Decision)` });
  }
  for (const file of repo.tsFiles(srcDir)) {
    for (const value of assignedLiterals(repo.sourceFile(file), 'reason')) {
      if (/^[A-Z][A-Z0-9_]*$/.test(value)) out.push({ name: value, from: `${file} (reason)` });
    }
  }
  return out;
}
