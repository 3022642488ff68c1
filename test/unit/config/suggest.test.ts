// Config errors suggest the field a typo meant, and name rules by their `name`.
import { describe, expect, it } from 'vitest';

import { didYouMean } from '../../../src/config/suggest';
import { validateConfig } from '../../../src/config/validate';

const ROUTE_FIELDS = ['match', 'protect', 'treatPendingAsSignedOut', 'name', 'accept', 'scopes', 'methods', 'hosts', 'onUnauthenticated', 'unauthorizedUrl', 'allowPreflight', 'origin'];

describe('didYouMean', () => {
  it.each([
    ['protected', ROUTE_FIELDS, 'protect'],
    ['rol', ['role', 'permission', 'feature', 'plan'], 'role'],
    ['mathc', ROUTE_FIELDS, 'match'],
    ['Methods', ROUTE_FIELDS, 'methods'],
    ['treatPendingAsSignedout', ['treatPendingAsSignedOut', 'role'], 'treatPendingAsSignedOut'],
    ['ur', ['url', 'binding', 'stripPrefix'], 'url'],
  ])('%s → %s', (typo, known, meant) => {
    expect(didYouMean(typo, known)).toBe(`; did you mean ${JSON.stringify(meant)}?`);
  });

  it('suggests nothing when nothing is close', () => {
    expect(didYouMean('colour', ROUTE_FIELDS)).toBe('');
    expect(didYouMean('zzz', ['role', 'plan'])).toBe('');
  });
});

describe('config errors', () => {
  it('suggest the nearest field, at every level, and name a rule by its name', () => {
    const result = validateConfig({
      defaultPolcy: 'protect',
      routes: [
        { match: '/admin(.*)', protected: true, name: 'admin area' },
        { match: '/orgs(.*)', protect: { rol: 'org:admin' } },
        { match: '/r(.*)', protect: true, origin: { ur: 'https://r.example' } },
      ],
    });
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^config\.defaultPolcy is not an option .*; did you mean "defaultPolicy"\?$/),
        expect.stringMatching(/^route #1 \("admin area"\): protected is not a route field .*; did you mean "protect"\?$/),
        expect.stringMatching(/^route #2 \("\/orgs\(\.\*\)"\): protect\.rol is not an option .*; did you mean "role"\?$/),
        expect.stringMatching(/^route #3 \("\/r\(\.\*\)"\): origin\.ur is not an option .*; did you mean "url"\?$/),
      ]),
    );
  });
});
