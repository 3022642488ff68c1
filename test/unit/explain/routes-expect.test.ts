// `npm run routes -- test`: a table of expected decisions (scripts/lib/routes-expect.mjs), checked
// against the gateway's own explain(). The CLI only reads the file and turns each request into
// explain()'s input as `routes -- explain` does.
import { describe, expect, it } from 'vitest';

import { parseSettings } from '../../../src/settings/settings';
import { validateConfig } from '../../../src/config/validate';
import { explain } from '../../../src/explain/explain';
import type { ExplainRequest } from '../../../src/explain/report';
import { mismatches, parseExpectations, type Expectation } from '../../../scripts/lib/routes-expect.mjs';
import { testEnv } from '../../helpers';

const compiled = validateConfig({
  defaultPolicy: 'protect',
  routes: [
    { match: ['/', '/pricing'], protect: false, name: 'marketing' },
    { match: '/admin(.*)', protect: { role: 'org:admin' }, name: 'admin' },
  ],
});
if (!compiled.ok) throw new Error(compiled.problems.join('\n'));
const config = compiled.config;
const parsed = parseSettings({ ...testEnv, ORIGIN_URL: 'https://origin.example' });
if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
const settings = parsed.settings;

/** The table's line checked: [] when it holds. (Requests here are simple: METHOD URL and --as/--role.) */
function check(line: string): string[] {
  const [expectation] = parseExpectations(line) as [Expectation];
  const args = [...expectation.request];
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args.splice(at, 2)[1];
  };
  const as = option('--as');
  const role = option('--role');
  const [method, url] = args.length === 2 ? args : ['GET', args[0]!];
  const request: ExplainRequest = { method: method!, url: url!, session: { ...(role ? { role } : {}) }, ...(as ? { states: [as as 'active'] } : {}) };
  return mismatches(explain(config, settings, request), expectation);
}

describe('routes test: expected decisions', () => {
  it.each([
    'GET /pricing => forward',
    '/pricing => 200 api:forward',
    '/admin --as signed-out => sign-in api:401',
    '/admin --as signed-out => REDIRECT_SIGN_IN api:ERR_UNAUTHENTICATED',
    '/admin --as pending => task api:ERR_SESSION_PENDING',
    '/admin --as active --role org:member => 403 api:deny',
    '/admin --as active --role org:admin => forward',
    '/elsewhere --as signed-out => sign-in',
    '/a%2fb => 400',
  ])('holds: %s', (line) => {
    expect(check(line)).toEqual([]);
  });

  it('says what differs, per state and client', () => {
    expect(check('/admin --as active --role org:member => forward')).toEqual(['active, page: expected forward, got deny 403 ERR_FORBIDDEN']);
    expect(check('/admin => sign-in')).toEqual([
      'pending, page: expected sign-in, got redirect 307 REDIRECT_SESSION_TASK',
      'active, page: expected sign-in, got deny 403 ERR_FORBIDDEN',
    ]);
    expect(check('/a%2fb => forward')).toEqual([expect.stringMatching(/^refused before any rule: 400 /)]);
  });

  it('reads comments and blank lines, and lists every malformed line', () => {
    expect(parseExpectations('# mine\n\nGET /x => forward # public\n')).toEqual([{ line: 3, text: 'GET /x => forward # public', request: ['GET', '/x'], expected: [{ client: 'page', want: 'forward' }] }]);
    expect(() => parseExpectations('GET /x\n/y => frwd\n/z => api:401')).toThrow(/line 1: no "=>"[^]*line 2: "frwd" is not forward/);
  });
});
