// The docs' commands check (scripts/lib/doc-commands.mjs, run by `npm run check:docs`): against a
// made-up repository, each kind of broken command, path and link is reported with its file and
// line, and the working ones are not.
import { describe, expect, it } from 'vitest';
import { anchorsOf, commandsOf, docCommandProblems, nodeFileOf, slug, type DocProject } from '../../../scripts/lib/doc-commands.mjs';

const files: Record<string, string> = {
  'scripts/routes.mjs': "import { x } from './lib/options.mjs';\nconst USAGE = 'npm run routes -- explain'; if (cmd === 'explain') {}\nparseArgs({ options: { as: { type: 'string' } } });",
  'scripts/lib/options.mjs': "export const x = ['--role'];",
  'scripts/demo.mjs': "if (process.argv.includes('--check')) {}",
  'bench/match.mjs': '',
  'docs/deploy.md': '# Deploying\n\n## 6. Keep the origin reachable only through the gateway\n\n```toml\n# Not a heading\n```\n',
  'README.md': '',
};

const project: DocProject = {
  scripts: {
    test: 'vitest run',
    demo: 'node scripts/demo.mjs',
    routes: 'node scripts/routes.mjs',
    dev: 'node scripts/check-routes.mjs && wrangler dev',
  },
  bins: new Set(['wrangler', 'vitest']),
  exists: (path) => path in files || Object.keys(files).some((file) => file.startsWith(`${path}/`)),
  source: (path) => files[path],
};

const check = (path: string, text: string) => docCommandProblems([{ path, text }], project);

describe('the docs commands check', () => {
  it('passes commands, paths and links that work', () => {
    const text = [
      '# Title',
      '',
      '```sh',
      'npm install && npm run demo',
      'npm test',
      'BENCH_ONLY=a,b node bench/match.mjs   # a comment',
      'npm run dev -- --port 9999            # wrangler takes the flags: not checked',
      '```',
      '',
      '```console',
      '$ npm run routes -- explain GET /x --as active --role org:admin',
      'output that is not a command: npm run nothing',
      '```',
      '',
      'Run `npm run demo -- --check`, read `scripts/lib/options.mjs`, `npm run <script>` is a placeholder;',
      'see [deploy](docs/deploy.md#6-keep-the-origin-reachable-only-through-the-gateway), [top](#title),',
      '[site](https://example.com/#x) and <http://localhost:8787>. `npx wrangler dev`.',
    ].join('\n');
    expect(check('README.md', text)).toEqual([]);
  });

  it('reports each broken command, path and link with its place', () => {
    const text = [
      '# Title',
      '',
      '```bash',
      'npm run demo-check',
      'npm start-demo',
      'node scripts/gone.mjs',
      'wrangler dev',
      '```',
      '',
      '`npm run demo -- --orign http://localhost:8000` and `npm run routes -- explian GET /` and',
      '`npx wranglr dev`; see `src/nowhere.ts`, [guide](docs/missing.md),',
      '[anchor](docs/deploy.md#not-a-heading) and [here](#nothing-here).',
    ].join('\n');
    expect(check('README.md', text)).toEqual([
      'README.md:4: `npm run demo-check`: package.json has no script "demo-check"',
      'README.md:5: `npm start-demo`: "npm start-demo" is not an npm command (did you mean "npm run start-demo"?)',
      'README.md:6: `node scripts/gone.mjs`: scripts/gone.mjs does not exist',
      'README.md:7: `wrangler dev`: wrangler is not on the PATH outside npm scripts; write `npx wrangler`',
      'README.md:10: `npm run demo -- --orign http://localhost:8000`: scripts/demo.mjs takes no option --orign',
      'README.md:10: `npm run routes -- explian GET /`: scripts/routes.mjs has no subcommand "explian"',
      'README.md:11: `npx wranglr dev`: no wranglr in node_modules/.bin (not a dependency)',
      'README.md:11: `src/nowhere.ts` does not exist',
      'README.md:11: link docs/missing.md: docs/missing.md does not exist',
      'README.md:12: link docs/deploy.md#not-a-heading: docs/deploy.md has no heading for #not-a-heading',
      'README.md:12: link #nothing-here: README.md has no heading for #nothing-here',
    ]);
  });

  it('resolves links relative to the file they are in', () => {
    expect(check('docs/guide.md', '[readme](../README.md) [deploy](deploy.md)')).toEqual([]);
    expect(check('docs/guide.md', '[readme](README.md)')).toEqual(['docs/guide.md:1: link README.md: README.md does not exist']);
  });

  it('reads commands only from shell blocks, console prompts and inline npm/node/npx code', () => {
    const text = ['```ts', "run('npm run nope')", '```', '```ini', 'X=npm run nope', '```', 'Say `npm run a` then:', '```sh', 'npm run b \\', '  -- --flag', '```'].join('\n');
    expect(commandsOf(text)).toEqual([
      { text: 'npm run a', line: 7 },
      { text: 'npm run b -- --flag', line: 9 },
    ]);
  });

  it("makes GitHub's anchors", () => {
    expect(slug('Routes: `routes.config.ts`')).toBe('routes-routesconfigts');
    expect(slug("The gateway's own endpoints")).toBe('the-gateways-own-endpoints');
    expect(slug('6. Keep the origin reachable')).toBe('6-keep-the-origin-reachable');
    expect([...anchorsOf('# A\n## A\n```\n# B\n```\n<a id="c"></a>')]).toEqual(['a', 'a-1', 'c']);
  });

  it('finds the node file a package.json script runs last', () => {
    expect(nodeFileOf('node scripts/check-routes.mjs && wrangler dev')).toBeUndefined();
    expect(nodeFileOf('node scripts/check-routes.mjs && node scripts/demo.mjs')).toBe('scripts/demo.mjs');
    expect(nodeFileOf('FUZZ_RUNS=1 vitest run')).toBeUndefined();
  });
});
