// Routes config validation (src/config/validate.ts, and defineConfig, which throws its problems):
// every problem is reported, naming the route and the field. What the gateway does with a bad
// setting or config: test/e2e/settings.test.ts.
import { describe, expect, it } from 'vitest';

import { ConfigError, defineConfig } from '../../../src/config';
import { validateConfig } from '../../../src/config/validate';

describe('routes config', () => {
  it('collects every problem, naming the route and the field', () => {
    const result = validateConfig({
      routes: [
        { match: '/ok(.*)', protect: true },
        { match: 'dashboard', protect: true },
        { match: '/forum(.*)', protected: true },
        { match: '/x', protect: 'yes' },
        { match: /admin/g, protect: true },
        { match: '/bad(', protect: true },
        { match: '/p', protect: { treatPendingAsSignedout: false } },
        { protect: true },
      ],
      extra: 1,
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^route #2 \("dashboard"\): match "dashboard" must start with "\/"/),
        expect.stringMatching(/^route #3 \("\/forum\(\.\*\)"\): protected is not a route field/),
        expect.stringMatching(/^route #3 .*protect must be true, false or/),
        expect.stringMatching(/^route #4 \("\/x"\): protect must be/),
        expect.stringMatching(/^route #5 \(\/admin\/g\): match \/admin\/g has the g or y flag/),
        expect.stringMatching(/^route #6 \("\/bad\("\): match "\/bad\(" is not a valid path-to-regexp v6 pattern/),
        expect.stringMatching(/^route #7 .*protect.treatPendingAsSignedout is not an option/),
        expect.stringMatching(/^route #8: match is missing/),
        expect.stringMatching(/^config.extra is not an option/),
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it('defineConfig throws a ConfigError listing the problems', () => {
    expect(() => defineConfig({ routes: [{ match: 'nope', protect: true }] })).toThrowError(ConfigError);
    expect(() => defineConfig({ routes: [{ match: 'nope', protect: true }] })).toThrowError(/route #1 \("nope"\)/);
  });

  it('accepts optional parameters (`?` modifier) and refuses RegExps that would be case-sensitive', () => {
    expect(() => defineConfig({ routes: [{ match: '/api/:id?', protect: true }] })).not.toThrow();
    const result = validateConfig({ routes: [{ match: /^\/admin/, protect: true }] });
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/lacks the i flag/)]);
  });
});

describe('treatPendingAsSignedOut on a rule', () => {
  it('compiles either spelling, or both when they agree, to the rule\'s one treatPendingAsSignedOut', () => {
    const result = validateConfig({
      routes: [
        { match: '/public', protect: false, treatPendingAsSignedOut: false },
        { match: '/nested', protect: { treatPendingAsSignedOut: false } },
        { match: '/both', protect: { treatPendingAsSignedOut: false }, treatPendingAsSignedOut: false },
        { match: '/own', protect: { role: 'org:admin' }, treatPendingAsSignedOut: false },
        { match: '/default', protect: { role: 'org:admin' } },
      ],
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.routes.map((route) => route.treatPendingAsSignedOut)).toEqual([false, false, false, false, true]);
    // Not a condition: a rule with only this option has none (and no unauthorizedUrl applies).
    expect(result.config.routes[1]?.conditions).toBeUndefined();
  });

  it('refuses a protect.treatPendingAsSignedOut that is not a boolean', () => {
    const result = validateConfig({ routes: [{ match: '/a', protect: { treatPendingAsSignedOut: 'no' } }] });
    expect(result.ok ? [] : result.problems).toEqual(['route #1 ("/a"): protect.treatPendingAsSignedOut must be true or false, got "no"']);
  });

  it('refuses a rule whose two settings disagree, or a non-boolean', () => {
    const result = validateConfig({
      routes: [
        { match: '/a', protect: { treatPendingAsSignedOut: true }, treatPendingAsSignedOut: false },
        { match: '/b', protect: false, treatPendingAsSignedOut: 'no' },
      ],
    });
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^route #1 \("\/a"\): treatPendingAsSignedOut and protect.treatPendingAsSignedOut disagree/),
      expect.stringMatching(/^route #2 \("\/b"\): treatPendingAsSignedOut must be true or false/),
    ]);
  });
});

describe('organizationSyncOptions', () => {
  const problems = (organizationSyncOptions: unknown) => {
    const result = validateConfig({ routes: [], organizationSyncOptions });
    return result.ok ? [] : result.problems;
  };

  it('compiles patterns as Clerk reads them: :id before :slug, organization patterns before personal ones', () => {
    const result = validateConfig({ routes: [], organizationSyncOptions: { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)', '/o/:id/(.*)'], personalAccountPatterns: ['/me(.*)'] } });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const target = result.config.organizationSync!.target;
    expect(target('/orgs/acme')).toEqual({ type: 'organization', slug: 'acme' });
    expect(target('/orgs/acme/settings/x')).toEqual({ type: 'organization', slug: 'acme' });
    expect(target('/o/org_1/x')).toEqual({ type: 'organization', id: 'org_1' });
    expect(target('/me/profile')).toEqual({ type: 'personal-account' });
    expect(target('/dashboard')).toBeUndefined();
    expect(result.config.organizationSync!.options.personalAccountPatterns).toEqual(['/me(.*)']);
  });

  it('is absent when not given or empty', () => {
    for (const value of [undefined, {}, { organizationPatterns: [] }]) {
      const result = validateConfig({ routes: [], organizationSyncOptions: value });
      expect(result.ok && result.config.organizationSync).toBeUndefined();
    }
  });

  it.each([
    [{ organizationPatterns: ['/orgs/:org'] }, 'names no organization: use :id'],
    [{ organizationPatterns: '/orgs/:slug' }, 'must be an array of path patterns'],
    [{ organizationPatterns: ['orgs/:slug'] }, "must be a path pattern starting with '/'"],
    [{ organizationPatterns: ['/orgs/:slug('] }, 'is not a valid pattern'],
    [{ personalAccountPattern: ['/me'] }, 'did you mean "personalAccountPatterns"'],
    [['/orgs/:slug'], 'must be an object like'],
  ])('refuses %j at startup, saying why', (value, message) => {
    expect(problems(value).join('\n')).toContain(message);
  });
});
