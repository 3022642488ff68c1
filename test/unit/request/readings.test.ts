// The readings the gateway decides on (src/request/readings.ts; issue: "decide on the reading the
// origin will make"): a path is protected if any plausible reading of it matches a protected rule.
// Each case here was forwarded as signed out before, and a real framework behind the gateway ran
// the protected handler. End to end: test/e2e/paths.test.ts.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../../src/config';
import { canonicalizePath } from '../../../src/request/canonicalize';
import { matchRoute } from '../../../src/routing/match';
import { pathReadings } from '../../../src/request/readings';

const config = defineConfig({
  routes: [
    { match: '/public(.*)', protect: false },
    { match: '/dashboard(.*)', protect: true },
    { match: '/app/:path*', protect: true },
    { match: '/item/:id?', protect: true },
    { match: '/admin/:section', protect: true },
    { match: '/api/keys(.*)', protect: true },
    { match: /^\/re(.*)$/i, protect: true },
    { match: '/status(.*)', protect: { treatPendingAsSignedOut: false } },
  ],
});

function ruleFor(raw: string) {
  const c = canonicalizePath(raw);
  if (!c.ok) return c.code;
  const name = matchRoute(config, pathReadings(c.path))?.name;
  return name ?? 'public';
}

describe('path readings', () => {
  it('an ASCII path without escapes has one reading', () => {
    expect(pathReadings('/Dashboard/x')).toEqual(['/Dashboard/x']);
  });

  it('lists the fully decoded, Clerk (decodeURI), raw, NFKC and case-folded readings', () => {
    const readings = pathReadings('/a%3Fb/%E2%84%AA');
    expect(readings[0]).toBe('/a?b/\u212a');
    expect(readings).toContain('/a%3Fb/\u212a');
    expect(readings).toContain('/a%3Fb/%E2%84%AA');
    expect(readings).toContain('/a?b/k');
    expect(readings).toContain('/A?B/\u212a');
  });

  it.each([
    // class 1: line separators; (.*) matches every character
    ['/dashboard%E2%80%A8x', '/dashboard(.*)'],
    ['/dashboard%E2%80%A9x/y', '/dashboard(.*)'],
    ['/dashboard%E2%80%A8x/%E2%80%A9x', '/dashboard(.*)'],
    ['/re%E2%80%A8x', '/^\\/re(.*)$/i'],
    // class 2: encoded ? and # inside a segment (Clerk's reading keeps them)
    ['/app/a%3Fb', '/app/:path*'],
    ['/app/%23', '/app/:path*'],
    ['/app/x/%3F/y', '/app/:path*'],
    ['/item/%3F', '/item/:id?'],
    ['/admin/x%23y', '/admin/:section'],
    // class 3: case folding and NFKC into ASCII
    ['/api/%E2%84%AAeys', '/api/keys(.*)'],
    ['/da%C5%BFhboard', '/dashboard(.*)'],
    ['/%EF%BC%A4%EF%BC%A1%EF%BC%B3%EF%BC%A8board', '/dashboard(.*)'],
    ['/%C4%B1tem/x', '/item/:id?'],
    ['/%EF%AC%86atus', '/status(.*)'],
  ])('%s is read as protected by %s', (raw, rule) => {
    expect(ruleFor(raw)).toBe(rule);
  });

  it.each([
    ['/API/%E2%84%AAEYS', '/api/keys(.*)'],
    ['/%C5%BFtatus', '/status(.*)'],
    ['/admin/x%3Fy', '/admin/:section'],
  ])('%s case-folds or keeps escapes into %s', (raw, rule) => {
    expect(ruleFor(raw)).toBe(rule);
  });

  it('the strictest rule wins over a public carve-out another reading lands on', () => {
    // Fully decoded, `/public\u212a` is under the carve-out; lower-cased it is still public; the
    // strict reading decides only among rules that a reading actually matches.
    expect(ruleFor('/public/%E2%84%AA')).toBe('/public(.*)');
    // `ſtatus` is public as written; upper-cased it is `/STATUS`, a protected rule.
    expect(ruleFor('/%C5%BFtatus/x')).toBe('/status(.*)');
  });

  it.each([
    ['/dashboard/%E2%80%A8', 'ERR_PATH_AMBIGUOUS_SEGMENT'],
    ['/x%C2%A0/dashboard', 'ERR_PATH_AMBIGUOUS_SEGMENT'],
    ['/public%EF%BC%8F..%EF%BC%8Fdashboard', 'ERR_PATH_NORMALIZATION'],
    ['/public/%EF%BC%8E%EF%BC%8E/dashboard', 'ERR_PATH_NORMALIZATION'],
    ['/dashboard%EF%BC%9Fx', 'ERR_PATH_NORMALIZATION'],
    ['/x/a%E2%80%A4', 'ERR_PATH_NORMALIZATION'],
  ])('%s is refused (%s): no rule can be matched against it unambiguously', (raw, code) => {
    expect(ruleFor(raw)).toBe(code);
  });

  it('plain public paths stay public, and non-ASCII that folds elsewhere stays public', () => {
    expect(ruleFor('/about')).toBe('public');
    expect(ruleFor('/%C3%A9t%C3%A9')).toBe('public');
    expect(ruleFor('/api/%E2%84%AAiwi')).toBe('public');
  });
});
