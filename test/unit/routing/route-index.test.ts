// The route index (src/routing/route-index.ts): the literal prefix it reads from each compiled
// RegExp, and the cases where a wrong bucket would pick another rule than a scan of every rule.
// Equivalence over generated tables: test/property/route-index.test.ts.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../../src/config';
import type { CompiledConfig, CompiledRoute } from '../../../src/config/types';
import { compilePattern } from '../../../src/routing/compile';
import { firstMatch, matchRoute } from '../../../src/routing/match';
import { ANY_SEGMENT as ANY, buildRouteIndex, candidateLists, literalPrefix, routeIndex } from '../../../src/routing/route-index';

/** The name of the rule `firstMatch` picks for a GET on app.example.com, or 'none'. */
function winner(config: CompiledConfig, path: string, method = 'GET', host = 'app.example.com'): string {
  return firstMatch(config, path, method, host)?.name ?? 'none';
}

describe('literalPrefix', () => {
  it.each([
    ['/', '/'],
    ['/api', '/api'],
    ['/Dashboard(.*)', '/dashboard'],
    ['/api/:path*', '/api'],
    // A parameter that spans its segment, followed by `/`, is any segment; the prefix goes on.
    ['/orgs/:org/(.*)', `/orgs/${ANY}/`],
    ['/orgs/:org/Project-3/(.*)', `/orgs/${ANY}/project-3/`],
    ['/orgs/:org', '/orgs/'],
    ['/orgs/:org?/x', '/orgs'],
    ['/orgs/:org+/x', '/orgs/'],
    ['/orgs/:org(\\d+)/x', '/orgs/'],
    ['/orgs/a:org/x', '/orgs/a'],
    ['/:a/:b/c', `/${ANY}/${ANY}/c`],
    ['/tenant-1/(.*)', '/tenant-1/'],
    ['/api/v1/Resource/:id', '/api/v1/resource/'],
    ['/item/:id?', '/item'],
    ['/:locale/dashboard', `/${ANY}/dashboard`],
    ['/:locale-x/y', '/'],
    ['/a\\(b', '/a(b'],
    ['/a\\:b/c', '/a:b/c'],
    ['/x.y', '/x.y'],
    ['/ab{c}d', '/abcd'],
    ['/a{-:x}?', '/a'],
    ['/x/(a|b)', '/x/'],
    ['/Straße(.*)', '/stra'],
  ])('%s → %s', (pattern, prefix) => {
    expect(literalPrefix(compilePattern(pattern))).toBe(prefix);
  });

  it('none where no text is certain', () => {
    for (const regexp of [
      compilePattern('(.*)'),
      /\/admin/i, // not anchored
      /^\/a|^\/b/i, // top-level alternation
      /^\/kelvin/iu, // u: K (U+212A) folds to k
      new RegExp('^\\/kelvin', 'iv'),
      /^\/admin/im, // m: ^ after a line break
      /^\/admin/gi,
    ]) {
      expect(literalPrefix(regexp) ?? 'none', String(regexp)).toMatch(/^(none|)$/);
    }
  });

  it('stops before a quantified character or an optional group, and inside alternation', () => {
    expect(literalPrefix(/^\/ab?c/i)).toBe('/a');
    expect(literalPrefix(/^\/ab*c/i)).toBe('/a');
    expect(literalPrefix(/^\/ab{0,1}c/i)).toBe('/a');
    expect(literalPrefix(/^\/ab+c/i)).toBe('/a');
    expect(literalPrefix(/^(?:\/api)?\/x/i)).toBe('');
    expect(literalPrefix(/^\/(?:a|b)\/x/i)).toBe('/');
    expect(literalPrefix(/^\/(?:a(?:b|c))d/i)).toBe('/a');
    expect(literalPrefix(/^\/(?<seg>ad)min\//i)).toBe('/admin/');
    expect(literalPrefix(/^\/(?=x)x/i)).toBe('/');
    expect(literalPrefix(/^\/a[)|]b/i)).toBe('/a');
    expect(literalPrefix(/^\/a\db/i)).toBe('/a');
    expect(literalPrefix(/^\/é\/x/i)).toBe('/');
  });
});

describe('matching through the index', () => {
  const config = defineConfig({
    routes: [
      { match: '/dash', protect: false, name: 'dash' },
      { match: '/dashboard(.*)', protect: true, name: 'dashboard' },
      { match: '/api', protect: true, name: 'api' },
      { match: '/api/:path*', protect: true, name: 'api-any', methods: ['POST'] },
      { match: /^\/api\/v(\d+)\/admin/i, protect: true, name: 'regexp' },
      { match: '/tenant-1/(.*)', protect: true, name: 'tenant-1' },
      { match: '/tenant-10/(.*)', protect: true, name: 'tenant-10', hosts: ['*.example.com'] },
      { match: '/:locale/help', protect: false, name: 'locale-help' },
      { match: '/a\\(b', protect: true, name: 'escaped' },
      { match: '/Straße(.*)', protect: true, name: 'strasse' },
      { match: '/', protect: false, name: 'root' },
      { match: '/(.*)', protect: true, name: 'catch-all', hosts: ['admin.example.com'] },
    ],
  });

  it.each([
    ['/dash', 'dash'],
    ['/DASH/', 'dash'],
    ['/dashb', 'none'],
    ['/dashboardxyz', 'dashboard'],
    ['/DashBoard/a/b', 'dashboard'],
    ['/api', 'api'],
    ['/api/', 'api'],
    ['/API#', 'api'],
    ['/api/v2/admin', 'regexp'],
    ['/api/v2/other', 'none'],
    ['/apix', 'none'],
    ['/tenant-1/x', 'tenant-1'],
    ['/tenant-10/x', 'tenant-10'],
    ['/tenant-100/x', 'none'],
    ['/TENANT-1/', 'tenant-1'],
    ['/tenant-1', 'none'],
    ['/en/help', 'locale-help'],
    ['/api/help', 'locale-help'],
    ['/a(b', 'escaped'],
    ['/a(b/', 'escaped'],
    ['/ab', 'none'],
    ['/straße/x', 'strasse'],
    ['/STRAßE', 'strasse'],
    ['/STRASSE', 'none'],
    ['/', 'root'],
    ['', 'none'],
    ['dashboard', 'none'],
  ])('%s → %s', (path, name) => {
    expect(winner(config, path)).toBe(name);
  });

  it('methods and hosts move on to the next candidate in file order', () => {
    expect(winner(config, '/api/x', 'POST')).toBe('api-any');
    expect(winner(config, '/api/x', 'GET')).toBe('none');
    expect(winner(config, '/tenant-10/x', 'GET', 'example.com')).toBe('none');
    expect(winner(config, '/tenant-10/x', 'GET', 'admin.example.com')).toBe('tenant-10');
    expect(winner(config, '/nothing', 'GET', 'admin.example.com')).toBe('catch-all');
    expect(winner(config, '/dash', 'GET', 'admin.example.com')).toBe('dash');
  });

  it('non-ASCII never reaches an ASCII bucket, except through a u-flag RegExp, which is never bucketed', () => {
    const kelvin = defineConfig({
      routes: [
        { match: '/kelvin(.*)', protect: true, name: 'pattern' },
        { match: /^\/skelvin/iu, protect: true, name: 'unicode' },
        { match: /^\/sk/i, protect: true, name: 'plain' },
      ],
    });
    // Without u, the `i` flag never folds K (U+212A) or ſ (U+017F) into ASCII: a scan finds no rule either.
    expect(winner(kelvin, '/\u212aelvin')).toBe('none');
    expect(winner(kelvin, '/\u017f\u212aelvin')).toBe('unicode');
    expect(winner(kelvin, '/S\u212a')).toBe('none');
    // toLowerCase would turn İ into two characters; the index lower-cases ASCII only.
    expect(winner(kelvin, '/\u0130kelvin')).toBe('none');
  });

  it('orders candidates by their place in the table, not by bucket', () => {
    const mixed = defineConfig({
      routes: [
        { match: /^\/b/i, protect: false, name: 'first' },
        { match: '/b(.*)', protect: true, name: 'second' },
        { match: /x|^\/b/i, protect: true, name: 'third' },
        { match: ['/c', '/b'], protect: true, name: 'fourth' },
      ],
    });
    expect(winner(mixed, '/b')).toBe('first');
    const lists = candidateLists(routeIndex(mixed), '/b');
    expect([...new Set(lists.flat())].sort()).toEqual([0, 1, 2, 3]);
    for (const list of lists) expect([...list]).toEqual([...list].sort((a, b) => a - b));
  });

  it('rules appended by the runtime (index -1) are found by their place in the list', () => {
    const base = defineConfig({ routes: [{ match: '/app(.*)', protect: true, name: 'app' }], defaultPolicy: 'protect' });
    const signIn: CompiledRoute = { ...(base.routes[0] as CompiledRoute), index: -1, name: 'sign-in', protect: false, patterns: ['/sign-in'], regexps: [compilePattern('/sign-in'), compilePattern('/sign-in/(.*)')] };
    const withSignIn: CompiledConfig = { ...base, routes: [...base.routes, signIn] };
    expect(winner(withSignIn, '/sign-in/factor-one')).toBe('sign-in');
    expect(winner(withSignIn, '/elsewhere')).toBe('defaultPolicy');
    // The original table keeps its own index: the appended rule is not in it.
    expect(winner(base, '/sign-in')).toBe('defaultPolicy');
  });

  it('is built once per rule list', () => {
    expect(routeIndex(config)).toBe(routeIndex(config));
    expect(routeIndex({ ...config })).toBe(routeIndex(config));
    expect(routeIndex({ ...config, routes: [...config.routes] })).not.toBe(routeIndex(config));
  });

  it('matchRoute over many readings agrees with the rule each reading gets', () => {
    expect(matchRoute(config, ['/dash', '/dashboard'])?.name).toBe('dashboard');
  });

  it('two thousand rules: only the rules sharing the path\'s prefix are candidates', () => {
    const rules = Array.from({ length: 2000 }, (_, i) => ({ match: i % 2 ? `/tenant-${i}/(.*)` : `/docs-${i}(.*)`, protect: true }));
    const big = defineConfig({ routes: [...rules, { match: '/dashboard(.*)', protect: true, name: 'dashboard' }] });
    const index = buildRouteIndex(big.routes);
    expect(candidateLists(index, '/tenant-1999/x').flat()).toEqual([1999]);
    expect(candidateLists(index, '/docs-1998x').flat()).toEqual([1998]);
    expect(candidateLists(index, '/dashboard').flat()).toEqual([2000]);
    expect(candidateLists(index, '/about').flat()).toEqual([]);
    expect(winner(big, '/Dashboard/x')).toBe('dashboard');
  });
});
