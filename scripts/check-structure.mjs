// `npm run check:structure`: the shape issue 19 asked for, kept: no import circle in src/, no import
// against the layering below, src/gateway.ts under 100 lines, no function over 60 lines, Clerk's
// cookie and query names spelled in src/request/clerk-cookies.ts only. Read with
// the TypeScript compiler's own parser, so a string or comment that looks like an import is not one.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const SRC = join(ROOT, 'src');
const MAX_FUNCTION_LINES = 60;
const MAX_GATEWAY_LINES = 100;

/**
 * What a folder of src/ may not import, by the order of the request path: reading the request
 * knows nothing of what is decided from it; planning runs before any effect; deciding is pure.
 */
const FORBIDDEN = {
  request: ['auth', 'decision', 'endpoints', 'plan', 'proxy', 'respond', 'runtime', 'routing', 'gateway.ts'],
  plan: ['auth', 'endpoints', 'proxy/forward-decision.ts', 'respond/respond.ts', 'gateway.ts'],
  decision: ['endpoints', 'plan', 'proxy', 'respond', 'runtime', 'gateway.ts'],
  routing: ['auth', 'decision', 'endpoints', 'plan', 'runtime', 'gateway.ts'],
  config: ['auth', 'decision', 'endpoints', 'plan', 'proxy', 'respond', 'runtime', 'gateway.ts'],
  auth: ['decision', 'endpoints', 'plan', 'proxy', 'respond', 'gateway.ts'],
};

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The src/ files a file imports (type-only imports too: they tie the files as much). */
function importsOf(file, source) {
  const out = [];
  for (const statement of source.statements) {
    const specifier = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier.text);
    out.push(target.endsWith('.ts') ? target : `${target}.ts`);
  }
  return out;
}

/** Functions (declarations, methods, arrows) longer than the limit. */
function longFunctions(file, source) {
  const out = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name?.getText(source) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(source) : '(anonymous)');
      if (end - start + 1 > MAX_FUNCTION_LINES) out.push(`${relative(ROOT, file)}:${start + 1}: ${name} is ${end - start + 1} lines (at most ${MAX_FUNCTION_LINES})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

// Clerk's cookie and query names have one home; a literal of one anywhere else is a second copy.
const CLERK_NAMES_HOME = 'src/request/clerk-cookies.ts';
const CLERK_NAME = /^__(?:session|client_uat|clerk_|refresh)/;

/** String literals that spell one of Clerk's cookie or query names, outside their one home. */
function clerkNameCopies(file, source) {
  if (relative(ROOT, file) === CLERK_NAMES_HOME) return [];
  const out = [];
  const visit = (node) => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && CLERK_NAME.test(node.text)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      out.push(`${relative(ROOT, file)}:${line}: ${JSON.stringify(node.text)} spells a Clerk cookie or query name; use ${CLERK_NAMES_HOME}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every import circle (strongly connected component of more than one file, or a file importing itself). */
function circles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let counter = 0;
  const connect = (node) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) connect(next), low.set(node, Math.min(low.get(node), low.get(next)));
      else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = [];
    let member;
    do (member = stack.pop()), onStack.delete(member), component.push(member);
    while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.map((f) => relative(ROOT, f)).sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return found;
}

function layering(graph) {
  const problems = [];
  for (const [file, imports] of graph) {
    const folder = relative(SRC, file).split('/')[0];
    for (const target of imports) {
      const to = relative(SRC, target);
      const rule = (FORBIDDEN[folder] ?? []).find((banned) => to === banned || to.startsWith(`${banned}/`));
      if (rule) problems.push(`${relative(ROOT, file)} imports src/${to}: ${folder}/ may not import ${rule}`);
    }
  }
  return problems;
}

const graph = new Map();
const problems = [];
for (const file of sourceFiles(SRC)) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  graph.set(file, importsOf(file, source));
  problems.push(...longFunctions(file, source), ...clerkNameCopies(file, source));
}
for (const circle of circles(graph)) problems.push(`import circle: ${circle.join(' -> ')}`);
problems.push(...layering(graph));
const gatewayLines = readFileSync(join(SRC, 'gateway.ts'), 'utf8').split('\n').length - 1;
if (gatewayLines >= MAX_GATEWAY_LINES) problems.push(`src/gateway.ts is ${gatewayLines} lines (under ${MAX_GATEWAY_LINES}: it reads as the pipeline; move a step into its folder)`);

if (problems.length > 0) {
  console.error(`check:structure: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  process.exit(1);
}
console.log(`check:structure: ${graph.size} files, no import circle, layering kept, src/gateway.ts ${gatewayLines} lines, no function over ${MAX_FUNCTION_LINES} lines, Clerk's names in ${CLERK_NAMES_HOME} only`);
