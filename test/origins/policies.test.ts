// Issue 17 against Express 4 and 5 (app.all, part of `npm test`) and the Python and PHP frameworks
// (Flask, Django, `php -S`, php-fpm behind nginx and Caddy), started by `npm run test:origins`:
// preflights never run a protected handler, and PATCH never reaches the update action with less
// than PUT needs. See test/origins/policies.ts.
import { describe, it } from 'vitest';

import { originsSuite } from './harness';
import { expectPolicyClean, expectPolicyControls, methodRequests, preflightRequests } from './policies';

const suite = originsSuite();
// Express's app.all runs a handler for every method, as the issue's origins do; the other Node apps route by method.
const ORIGINS = Object.entries(suite?.origins ?? {}).filter(([name, o]) => o.kind === 'external' || (o.kind === 'node' && name.startsWith('express')));

describe('origins: preflights and unlisted methods (issue 17)', () => {
  if (ORIGINS.length === 0) {
    it.skip('not started: is test/origins/global-setup.mjs in vitest.config.ts globalSetup?', () => {});
    return;
  }
  for (const [name, origin] of ORIGINS) {
    if (origin.port === undefined) {
      it.skip(`${name}: skipped, ${origin.skipped ?? 'not started'}`, () => {});
      continue;
    }
    const port = origin.port;
    describe(`${name}${origin.detail ? ` (${origin.detail})` : ''}`, () => {
      it('controls: the invoices actions run for those who may, an allowed preflight gets the gateway’s 204', async () => {
        await expectPolicyControls(name, port);
      });
      it('an OPTIONS with preflight headers never runs a protected handler', async () => {
        await expectPolicyClean(name, port, preflightRequests());
      });
      it('a PATCH never reaches the update action with less than PUT needs', async () => {
        await expectPolicyClean(name, port, methodRequests());
      });
    });
  }
});
