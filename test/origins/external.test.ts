// Origins conformance, Python (Flask, Django) and PHP (built-in server, php-fpm behind nginx and
// Caddy) frameworks: the same corpus as node.test.ts. These origins are started only by
// `npm run test:origins` (scripts/test-origins.mjs sets ORIGINS_EXTERNAL=1 after installing the
// Debian packages they need); in a plain `npm test` this file skips. An origin that could not be
// started is skipped with the reason in the test name (and in the run's summary).
import { describe, it } from 'vitest';

import { CLASS_NAMES, type ClassId } from './corpus';
import { expectClassClean, expectControls, originsSuite } from './harness';

const suite = originsSuite();
const EXTERNAL = Object.entries(suite?.origins ?? {}).filter(([, o]) => o.kind === 'external');
const CLASSES: ClassId[] = [1, 2, 3, 4, 5, 6];

describe('origins: Python and PHP frameworks behind the gateway', () => {
  if (EXTERNAL.length === 0) {
    it.skip('not started: run `npm run test:origins` for Flask, Django, php -S, nginx + php-fpm and Caddy + php-fpm', () => {});
    return;
  }
  for (const [name, origin] of EXTERNAL) {
    if (origin.port === undefined) {
      it.skip(`${name}: skipped, ${origin.skipped ?? 'not started'}`, () => {});
      continue;
    }
    const port = origin.port;
    describe(`${name}${origin.detail ? ` (${origin.detail})` : ''}`, () => {
      it('controls: protected routes reach their handlers with a session, and only with one', async () => {
        await expectControls(name, port);
      });
      it.each(CLASSES.map((c) => [c, CLASS_NAMES[c]] as const))('class %i: %s', async (cls) => {
        await expectClassClean(suite!, name, port, cls);
      });
    });
  }
});
