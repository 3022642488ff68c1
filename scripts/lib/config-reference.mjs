// The "Configuration reference" of docs/configuration.md against the exported interfaces of
// src/config/types.ts: one table per interface, a row for every field and none for a field that
// does not exist, and the default column agreeing with the field's JSDoc `@default`. Used by
// `npm run check:docs` (scripts/check-docs.mjs), which reads the interfaces with the TypeScript
// parser (scripts/lib/ts-source.mjs); kept free of `node:` imports and of `typescript` so
// test/unit/docs/config-reference.test.ts runs it inside workerd.

/**
 * The interfaces the reference documents, and how their fields are named in it: a rule's fields
 * and the config's own bare (`match`, `defaultPolicy`), nested ones by their path from the rule or
 * the config (`protect.role`, `protect.reverification.level`, `origin.stripPrefix`, `forward.claims`).
 */
export const TABLES = Object.freeze({
  GatewayConfig: '',
  RouteRule: '',
  ProtectOptions: 'protect.',
  ReverificationConfig: 'protect.reverification.',
  OriginOptions: 'origin.',
  ForwardOptions: 'forward.',
  CorsOptions: 'cors.',
});

/** Cells of a Markdown table row, split on `|` not escaped as `\|`. */
function cells(line) {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

const headingLevel = (line) => /^#+/.exec(line)[0].length;

/** The lines of the "Configuration reference" section (its heading excluded), or `undefined`. */
function referenceSection(lines) {
  const start = lines.findIndex((line) => /^#{2,6}\s+Configuration reference\s*$/.test(line));
  if (start === -1) return undefined;
  const level = headingLevel(lines[start]);
  const end = lines.findIndex((line, k) => k > start && /^#+\s/.test(line) && headingLevel(line) <= level);
  return lines.slice(start + 1, end === -1 ? lines.length : end);
}

/** The rows of the option | meaning | default table starting at `lines[t]`, or a problem. */
function tableAt(lines, t, name, doc) {
  const header = cells(lines[t]).map((cell) => cell.toLowerCase());
  if (header.join(' | ') !== 'option | meaning | default') {
    return { problem: `${doc}, Configuration reference, \`${name}\`: the table's columns are "${header.join(' | ')}", expected "option | meaning | default"` };
  }
  const rows = [];
  for (let r = t + 2; r < lines.length && lines[r].startsWith('|'); r += 1) {
    const [option = '', , defaultValue = ''] = cells(lines[r]);
    rows.push({ option: option.replace(/^`|`$/g, ''), defaultValue });
  }
  return { rows };
}

/**
 * The tables of the "Configuration reference" section of `markdown`: for each heading in it that
 * names an interface of `TABLES` in backticks, the first table below it (up to the next heading).
 * Problems carry the interface they are `about` (none: the whole section).
 */
export function readReferenceTables(markdown, doc = 'docs/configuration.md') {
  const problems = [];
  const tables = new Map();
  const lines = referenceSection(markdown.split('\n'));
  if (!lines) return { tables, problems: [{ text: `${doc} has no "Configuration reference" heading` }] };
  for (let k = 0; k < lines.length; k += 1) {
    const name = /^#+\s+.*?`([A-Za-z_$][\w$]*)`/.exec(lines[k])?.[1];
    if (!name || !Object.hasOwn(TABLES, name)) continue;
    if (tables.has(name)) problems.push({ about: name, text: `${doc}, Configuration reference: two headings name \`${name}\`` });
    let t = k + 1;
    while (t < lines.length && !lines[t].startsWith('|') && !/^#+\s/.test(lines[t])) t += 1;
    if (t >= lines.length || !lines[t].startsWith('|')) {
      problems.push({ about: name, text: `${doc}, Configuration reference: no table under the \`${name}\` heading` });
      continue;
    }
    const { rows, problem } = tableAt(lines, t, name, doc);
    if (problem) problems.push({ about: name, text: problem });
    else tables.set(name, rows);
  }
  return { tables, problems };
}

/** A default as compared: no backticks or quotes, white space collapsed, no final period, lower case. */
export function normalizeDefault(value) {
  return value.replace(/[`'"]/g, '').replace(/\s+/g, ' ').trim().replace(/\.$/, '').toLowerCase();
}

/** What is wrong with the row of one field (`undefined`: nothing). */
function fieldProblem(field, option, row, where) {
  const documented = normalizeDefault(row.defaultValue);
  if (!field.optional) {
    return documented === 'required' ? undefined : `${where}: \`${option}\` is required in the type; its default column says "${row.defaultValue}", expected "required"`;
  }
  if (field.defaultValue !== undefined) {
    return documented === normalizeDefault(field.defaultValue)
      ? undefined
      : `${where}: \`${option}\` has default "${row.defaultValue}", but its JSDoc says @default ${field.defaultValue}`;
  }
  return documented === '' || documented === 'required' ? `${where}: \`${option}\` is optional; its default column says "${row.defaultValue}" (say what happens without it)` : undefined;
}

/** Every way one interface's `fields` and its table's `rows` disagree. */
function tableProblems(name, prefix, fields, rows, where, types) {
  const problems = [];
  const byOption = new Map();
  for (const row of rows) {
    if (byOption.has(row.option)) problems.push(`${where}: \`${row.option}\` has two rows`);
    byOption.set(row.option, row);
  }
  for (const field of fields) {
    const option = `${prefix}${field.name}`;
    const row = byOption.get(option);
    const problem = row ? fieldProblem(field, option, row, where) : `${where}: no row for \`${option}\` (${name}.${field.name} in ${types})`;
    if (problem) problems.push(problem);
  }
  const known = new Set(fields.map((field) => `${prefix}${field.name}`));
  for (const row of rows) {
    if (!known.has(row.option)) problems.push(`${where}: row \`${row.option}\` names no field of ${name} in ${types} (known: ${[...known].join(', ')})`);
  }
  return problems;
}

/**
 * Every way the reference tables of `markdown` (one document, or several read as one) and
 * `interfaces` (name → fields, as scripts/lib/ts-source.mjs's `exportedInterfaces` reads them)
 * disagree, each said in full: for the interfaces in `only` (default: all), and whatever concerns
 * the whole section. `doc` and `types` name the two files in the messages.
 */
export function compareReference(interfaces, markdown, { only = Object.keys(TABLES), doc = 'docs/configuration.md', types = 'src/config/types.ts' } = {}) {
  const reads = (typeof markdown === 'string' ? [markdown] : markdown).map((text) => readReferenceTables(text, doc));
  const anySection = reads.some((read) => read.problems.every((p) => p.about !== undefined));
  const problems = reads
    .flatMap((read) => read.problems)
    .filter((p) => (p.about === undefined ? !anySection : only.includes(p.about)))
    .map((p) => p.text);
  const tables = new Map();
  for (const read of reads) for (const [name, rows] of read.tables) tables.set(name, [...(tables.get(name) ?? []), ...rows]);
  for (const [name, prefix] of Object.entries(TABLES)) {
    if (!only.includes(name)) continue;
    const fields = interfaces.get(name);
    const rows = tables.get(name);
    const where = `${doc}, Configuration reference, table \`${name}\``;
    if (!fields) problems.push(`${types} has no \`export interface ${name}\``);
    else if (!rows) problems.push(`${where}: missing (a heading naming \`${name}\` with an option | meaning | default table under it)`);
    else problems.push(...tableProblems(name, prefix, fields, rows, where, types));
  }
  return problems;
}
