/// <reference types="vite/client" />
// docs/configuration.md's "Configuration reference" against the exported types of src/config/types.ts: one
// table per interface, a row for every field and none for a field that does not exist, and the
// default column agreeing with the field's JSDoc `@default`. Both files are read as text (Vite's
// `?raw`): there is no filesystem in workerd.
import { describe, expect, it } from 'vitest';
import configurationDoc from '../../../docs/configuration.md?raw';
import typesSource from '../../../src/config/types.ts?raw';
import { PROTECT_KEYS, ROUTE_KEYS } from '../../../src/config/validate';

/**
 * The interfaces the reference documents, and how their fields are named in it: a rule's fields
 * and the config's own bare (`match`, `defaultPolicy`), nested ones by their path from the rule or
 * the config (`protect.role`, `protect.reverification.level`, `origin.stripPrefix`, `forward.claims`).
 */
const TABLES: Readonly<Record<string, string>> = {
  GatewayConfig: '',
  RouteRule: '',
  ProtectOptions: 'protect.',
  ReverificationConfig: 'protect.reverification.',
  OriginOptions: 'origin.',
  ForwardOptions: 'forward.',
  CorsOptions: 'cors.',
};

interface Field {
  name: string;
  optional: boolean;
  /** The JSDoc `@default`, as written. */
  defaultValue: string | undefined;
}

/** The value of a JSDoc `@default` tag: the rest of its line, without the comment's end. */
function jsdocDefault(doc: string | undefined): string | undefined {
  const m = doc ? /@default[ \t]+([^\n]*)/.exec(doc) : null;
  if (!m) return undefined;
  return (m[1] as string).replace(/\*\/.*$/, '').trim() || undefined;
}

/**
 * The members of every `export interface X { … }` in `source`, with their JSDoc `@default`. A small
 * scanner: comments and string literals are skipped, brackets counted, so only members at the
 * interface's own level count (not `{ claim: … }` inside a type, nor `url:` in a comment).
 */
export function readInterfaces(source: string): Map<string, Field[]> {
  const out = new Map<string, Field[]>();
  for (const head of source.matchAll(/^export\s+interface\s+([A-Za-z_$][\w$]*)\b[^{]*\{/gm)) {
    const fields: Field[] = [];
    let i = (head.index as number) + head[0].length;
    let depth = 1;
    let doc: string | undefined;
    let expectMember = true;
    while (i < source.length && depth > 0) {
      const rest = source.slice(i, i + 3);
      const c = source[i] as string;
      if (rest.startsWith('/*')) {
        const end = source.indexOf('*/', i + 2);
        const stop = end === -1 ? source.length : end + 2;
        if (depth === 1 && rest === '/**') doc = source.slice(i, stop);
        i = stop;
        continue;
      }
      if (rest.startsWith('//')) {
        const end = source.indexOf('\n', i);
        i = end === -1 ? source.length : end;
        continue;
      }
      if (c === "'" || c === '"' || c === '`') {
        let j = i + 1;
        while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
        i = j + 1;
        continue;
      }
      if (depth === 1 && expectMember) {
        const member = /^(?:readonly\s+)?([A-Za-z_$][\w$]*)(\??)\s*[:(]/.exec(source.slice(i));
        if (member) {
          fields.push({ name: member[1] as string, optional: member[2] === '?', defaultValue: jsdocDefault(doc) });
          expectMember = false;
          doc = undefined;
          i += member[0].length;
          continue;
        }
      }
      if ('{([<'.includes(c)) depth += 1;
      else if ('})]'.includes(c) || (c === '>' && source[i - 1] !== '=')) depth -= 1;
      else if (depth === 1 && (c === ';' || c === ',' || c === '\n')) expectMember = true;
      if (depth === 1 && !/\s/.test(c) && c !== ';' && c !== ',') expectMember = false;
      i += 1;
    }
    if (depth !== 0) throw new Error(`interface ${head[1]}: no closing brace`);
    out.set(head[1] as string, fields);
  }
  return out;
}

/** A disagreement, and the interface it is about (none: the whole section). */
interface Problem {
  about?: string;
  text: string;
}

interface Row {
  option: string;
  defaultValue: string;
}

/** Cells of a Markdown table row, split on `|` not escaped as `\|`. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/**
 * The tables of the "Configuration reference" section of `markdown`: for each heading in it that
 * names an interface in backticks, the first table below it (up to the next heading).
 */
export function readReferenceTables(markdown: string): { tables: Map<string, Row[]>; problems: Problem[] } {
  const lines = markdown.split('\n');
  const problems: Problem[] = [];
  const tables = new Map<string, Row[]>();
  const start = lines.findIndex((line) => /^#{2,6}\s+Configuration reference\s*$/.test(line));
  if (start === -1) return { tables, problems: [{ text: 'docs/configuration.md has no "Configuration reference" heading' }] };
  const level = (/^#+/.exec(lines[start] as string) as RegExpExecArray)[0].length;
  let end = lines.findIndex((line, k) => k > start && /^#+\s/.test(line) && (/^#+/.exec(line) as RegExpExecArray)[0].length <= level);
  if (end === -1) end = lines.length;
  for (let k = start + 1; k < end; k += 1) {
    const heading = /^#+\s+.*?`([A-Za-z_$][\w$]*)`/.exec(lines[k] as string);
    if (!heading || !(heading[1] as string in TABLES)) continue;
    const name = heading[1] as string;
    if (tables.has(name)) problems.push({ about: name, text: `docs/configuration.md, Configuration reference: two headings name \`${name}\`` });
    let t = k + 1;
    while (t < end && !(lines[t] as string).startsWith('|') && !/^#+\s/.test(lines[t] as string)) t += 1;
    if (t >= end || !(lines[t] as string).startsWith('|')) {
      problems.push({ about: name, text: `docs/configuration.md, Configuration reference: no table under the \`${name}\` heading` });
      continue;
    }
    const header = cells(lines[t] as string).map((cell) => cell.toLowerCase());
    if (header.join(' | ') !== 'option | meaning | default') {
      problems.push({ about: name, text: `docs/configuration.md, Configuration reference, \`${name}\`: the table's columns are "${header.join(' | ')}", expected "option | meaning | default"` });
      continue;
    }
    const rows: Row[] = [];
    for (let r = t + 2; r < end && (lines[r] as string).startsWith('|'); r += 1) {
      const [option = '', , defaultValue = ''] = cells(lines[r] as string);
      rows.push({ option: option.replace(/^`|`$/g, ''), defaultValue });
    }
    tables.set(name, rows);
  }
  return { tables, problems };
}

/** A default as compared: no backticks or quotes, white space collapsed, no final period, lower case. */
export function normalizeDefault(value: string): string {
  return value.replace(/[`'"]/g, '').replace(/\s+/g, ' ').trim().replace(/\.$/, '').toLowerCase();
}

/**
 * Every way the tables of docs/configuration.md and the interfaces disagree, each said in full: for the interfaces
 * in `only` (default: all), and whatever concerns the whole section.
 */
export function compareReference(interfaces: Map<string, Field[]>, markdown: string | readonly string[], only: readonly string[] = Object.keys(TABLES)): string[] {
  // Several documents may each have a "Configuration reference":
  // their tables for one interface are read as one.
  const reads = (typeof markdown === 'string' ? [markdown] : markdown).map(readReferenceTables);
  const anySection = reads.some((read) => read.problems.every((p) => p.about !== undefined || !p.text.includes('no "Configuration reference" heading')));
  const problems = reads
    .flatMap((read) => read.problems)
    .filter((p) => (p.about === undefined ? !anySection : only.includes(p.about)))
    .map((p) => p.text);
  const tables = new Map<string, Row[]>();
  for (const read of reads) for (const [name, rows] of read.tables) tables.set(name, [...(tables.get(name) ?? []), ...rows]);
  for (const [name, prefix] of Object.entries(TABLES)) {
    if (!only.includes(name)) continue;
    const fields = interfaces.get(name);
    if (!fields) {
      problems.push(`src/config/types.ts has no \`export interface ${name}\``);
      continue;
    }
    const rows = tables.get(name);
    const where = `docs/configuration.md, Configuration reference, table \`${name}\``;
    if (!rows) {
      problems.push(`${where}: missing (a heading naming \`${name}\` with an option | meaning | default table under it)`);
      continue;
    }
    const byOption = new Map<string, Row>();
    for (const row of rows) {
      if (byOption.has(row.option)) problems.push(`${where}: \`${row.option}\` has two rows`);
      byOption.set(row.option, row);
    }
    for (const field of fields) {
      const option = `${prefix}${field.name}`;
      const row = byOption.get(option);
      if (!row) {
        problems.push(`${where}: no row for \`${option}\` (${name}.${field.name} in src/config/types.ts)`);
        continue;
      }
      const documented = normalizeDefault(row.defaultValue);
      if (!field.optional) {
        if (documented !== 'required') problems.push(`${where}: \`${option}\` is required in the type; its default column says "${row.defaultValue}", expected "required"`);
      } else if (field.defaultValue !== undefined) {
        if (documented !== normalizeDefault(field.defaultValue)) {
          problems.push(`${where}: \`${option}\` has default "${row.defaultValue}", but its JSDoc says @default ${field.defaultValue}`);
        }
      } else if (documented === '' || documented === 'required') {
        problems.push(`${where}: \`${option}\` is optional; its default column says "${row.defaultValue}" (say what happens without it)`);
      }
    }
    const known = new Set(fields.map((field) => `${prefix}${field.name}`));
    for (const row of rows) {
      if (!known.has(row.option)) problems.push(`${where}: row \`${row.option}\` names no field of ${name} in src/config/types.ts (known: ${[...known].join(', ')})`);
    }
  }
  return problems;
}

const interfaces = readInterfaces(typesSource);
const qualified = [...Object.entries(TABLES)].flatMap(([name, prefix]) => (interfaces.get(name) ?? []).map((field) => `${prefix}${field.name}`));

describe('the types.ts reader', () => {
  it('finds the fields of every documented interface, nested ones included', () => {
    for (const name of Object.keys(TABLES)) expect(interfaces.get(name)?.length ?? 0, `fields of ${name}`).toBeGreaterThan(0);
    expect(qualified).toEqual(
      expect.arrayContaining(['match', 'protect', 'defaultPolicy', 'protect.role', 'protect.reverification.level', 'origin.binding', 'origin.stripPrefix', 'forward.claims']),
    );
  });

  it('reads exactly the keys validation accepts for a rule and for protect', () => {
    expect(new Set(interfaces.get('RouteRule')?.map((field) => field.name))).toEqual(ROUTE_KEYS);
    expect(new Set(interfaces.get('ProtectOptions')?.map((field) => field.name))).toEqual(PROTECT_KEYS);
  });

  it('reads @default and whether a field is optional', () => {
    const field = (iface: string, name: string) => interfaces.get(iface)?.find((f) => f.name === name);
    expect(field('RouteRule', 'onUnauthenticated')).toEqual({ name: 'onUnauthenticated', optional: true, defaultValue: "'redirect'" });
    expect(field('RouteRule', 'scopes')?.defaultValue).toBe('[]');
    expect(field('GatewayConfig', 'defaultPolicy')?.defaultValue).toBe("'public'");
    expect(field('RouteRule', 'match')).toEqual({ name: 'match', optional: false, defaultValue: undefined });
  });

  it('skips comments, strings and nested types', () => {
    const found = readInterfaces(
      [
        'export interface A {',
        '  /** Not `fake: string`; { also: no } @default 5 */',
        '  one?: number;',
        '  // two: commented out',
        '  three: { inner: string; deeper: Array<{ x: 1 }> } | ((arg: string) => boolean);',
        "  four?: 'a:b' | Readonly<Record<string, { claim: string }>>;",
        '  /**',
        '   * Multi-line.',
        "   * @default ['x']",
        '   */',
        '  readonly five?: string[];',
        '  six?(value: number): void;',
        '}',
        'interface NotExported { hidden: 1 }',
      ].join('\n'),
    );
    expect([...found.keys()]).toEqual(['A']);
    expect(found.get('A')).toEqual([
      { name: 'one', optional: true, defaultValue: '5' },
      { name: 'three', optional: false, defaultValue: undefined },
      { name: 'four', optional: true, defaultValue: undefined },
      { name: 'five', optional: true, defaultValue: "['x']" },
      { name: 'six', optional: true, defaultValue: undefined },
    ]);
  });
});

describe('the comparison', () => {
  it('says what is missing, what is extra and which default disagrees', () => {
    const types = readInterfaces(
      [
        'export interface OriginOptions {',
        '  url?: string;',
        '  /** @default ORIGIN_URL */',
        '  binding?: string;',
        '  stripPrefix?: string;',
        '}',
        'export interface ForwardOptions {',
        '  sessionToken?: boolean;',
        '}',
      ].join('\n'),
    );
    const md = [
      '## Configuration reference',
      '',
      '#### `OriginOptions`: a rule\'s `origin`',
      '',
      '| option | meaning | default |',
      '|---|---|---|',
      '| `origin.url` | a URL, `a \\| b` | none |',
      '| `origin.binding` | a binding | `"origin_url"` |',
      '| `origin.port` | made up | none |',
      '',
      '## Next',
      '#### `ForwardOptions`: outside the section',
      '| option | meaning | default |',
    ].join('\n');
    // `binding`'s default agrees once quotes and case are ignored.
    expect(compareReference(types, md, ['OriginOptions'])).toEqual([
      'docs/configuration.md, Configuration reference, table `OriginOptions`: no row for `origin.stripPrefix` (OriginOptions.stripPrefix in src/config/types.ts)',
      'docs/configuration.md, Configuration reference, table `OriginOptions`: row `origin.port` names no field of OriginOptions in src/config/types.ts (known: origin.url, origin.binding, origin.stripPrefix)',
    ]);
    // A table after the section's end does not count.
    expect(compareReference(types, md, ['ForwardOptions'])).toEqual([
      'docs/configuration.md, Configuration reference, table `ForwardOptions`: missing (a heading naming `ForwardOptions` with an option | meaning | default table under it)',
    ]);
    expect(compareReference(types, md, ['RouteRule'])).toEqual(['src/config/types.ts has no `export interface RouteRule`']);

    const wrong = compareReference(types, md.replace('`"origin_url"`', '`binding`'));
    expect(wrong).toContain('docs/configuration.md, Configuration reference, table `OriginOptions`: `origin.binding` has default "`binding`", but its JSDoc says @default ORIGIN_URL');
  });

  it('notices a missing section', () => {
    expect(compareReference(interfaces, '# Something else')).toContain('docs/configuration.md has no "Configuration reference" heading');
  });
});

describe('docs/configuration.md, Configuration reference', () => {
  it.each(Object.keys(TABLES))('documents every field of %s with its default, and nothing else', (name) => {
    const problems = compareReference(interfaces, configurationDoc, [name]);
    expect(problems, `docs/configuration.md and src/config/types.ts disagree:\n${problems.join('\n')}`).toEqual([]);
  });
});
