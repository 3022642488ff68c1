// The Configuration reference check (scripts/lib/config-reference.mjs, run by `npm run check:docs`
// against docs/configuration.md and src/config/types.ts): against made-up interfaces and tables, each
// kind of disagreement is reported in full, and agreeing defaults are not. The interfaces are given
// as the check's reader (the TypeScript parser, in Node) returns them: `typescript` is too large to
// load inside workerd.
import { describe, expect, it } from 'vitest';
import { compareReference, type Field } from '../../../scripts/lib/config-reference.mjs';

const types = new Map<string, Field[]>([
  [
    'OriginOptions',
    [
      { name: 'url', optional: true, defaultValue: undefined },
      { name: 'binding', optional: true, defaultValue: 'ORIGIN_URL' },
      { name: 'stripPrefix', optional: true, defaultValue: undefined },
    ],
  ],
  ['ForwardOptions', [{ name: 'sessionToken', optional: true, defaultValue: undefined }]],
]);

const md = [
  '## Configuration reference',
  '',
  "#### `OriginOptions`: a rule's `origin`",
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

describe('the comparison', () => {
  it('says what is missing, what is extra and which default disagrees', () => {
    // `binding`'s default agrees once quotes and case are ignored.
    expect(compareReference(types, md, { only: ['OriginOptions'] })).toEqual([
      'docs/configuration.md, Configuration reference, table `OriginOptions`: no row for `origin.stripPrefix` (OriginOptions.stripPrefix in src/config/types.ts)',
      'docs/configuration.md, Configuration reference, table `OriginOptions`: row `origin.port` names no field of OriginOptions in src/config/types.ts (known: origin.url, origin.binding, origin.stripPrefix)',
    ]);
    // A table after the section's end does not count.
    expect(compareReference(types, md, { only: ['ForwardOptions'] })).toEqual([
      'docs/configuration.md, Configuration reference, table `ForwardOptions`: missing (a heading naming `ForwardOptions` with an option | meaning | default table under it)',
    ]);
    expect(compareReference(types, md, { only: ['RouteRule'] })).toEqual(['src/config/types.ts has no `export interface RouteRule`']);

    const wrong = compareReference(types, md.replace('`"origin_url"`', '`binding`'));
    expect(wrong).toContain('docs/configuration.md, Configuration reference, table `OriginOptions`: `origin.binding` has default "`binding`", but its JSDoc says @default ORIGIN_URL');
  });

  it('holds a required field to "required", an optional one without @default to a said default, and one row each', () => {
    const rules = new Map<string, Field[]>([
      [
        'RouteRule',
        [
          { name: 'match', optional: false, defaultValue: undefined },
          { name: 'name', optional: true, defaultValue: undefined },
          { name: 'scopes', optional: true, defaultValue: '[]' },
        ],
      ],
    ]);
    const table = (rows: string[]) => ['## Configuration reference', '### `RouteRule`', '| option | meaning | default |', '|---|---|---|', ...rows].join('\n');
    expect(compareReference(rules, table(['| `match` | paths | required |', '| `name` | a label | the pattern |', '| `scopes` | scopes | `[]`. |']), { only: ['RouteRule'] })).toEqual([]);
    expect(compareReference(rules, table(['| `match` | paths | none |', '| `name` | a label | |', '| `scopes` | scopes | `[]` |', '| `scopes` | again | `[]` |']), { only: ['RouteRule'] })).toEqual([
      'docs/configuration.md, Configuration reference, table `RouteRule`: `scopes` has two rows',
      'docs/configuration.md, Configuration reference, table `RouteRule`: `match` is required in the type; its default column says "none", expected "required"',
      'docs/configuration.md, Configuration reference, table `RouteRule`: `name` is optional; its default column says "" (say what happens without it)',
    ]);
    expect(compareReference(rules, table([]).replace('| option | meaning | default |', '| option | default |'), { only: ['RouteRule'] })).toEqual([
      'docs/configuration.md, Configuration reference, `RouteRule`: the table\'s columns are "option | default", expected "option | meaning | default"',
      'docs/configuration.md, Configuration reference, table `RouteRule`: missing (a heading naming `RouteRule` with an option | meaning | default table under it)',
    ]);
  });

  it('notices a missing section', () => {
    expect(compareReference(types, '# Something else')).toContain('docs/configuration.md has no "Configuration reference" heading');
  });
});
