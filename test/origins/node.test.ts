// Origins conformance, Node frameworks (Express 4 and 5, Fastify, Koa), part of `npm test`: the
// corpus of test/origins/corpus.ts goes through the real gateway (workerd) to each framework,
// started by test/origins/global-setup.mjs on 127.0.0.1. Per class, every request is judged by
// what the framework ran and believed; failures list framework, request and what was seen.
import { describe, expect, it } from 'vitest';

import { CLASS_NAMES, type ClassId } from './corpus';
import { expectClassClean, expectControls, originsSuite } from './harness';

const suite = originsSuite();
const NODE = ['express4', 'express5', 'fastify', 'koa'];
const CLASSES: ClassId[] = [1, 2, 3, 4, 5, 6];

describe('origins: Node frameworks behind the gateway', () => {
  it('the framework origins were started', () => {
    expect(suite, 'ORIGINS_SUITE binding missing: is test/origins/global-setup.mjs in vitest.config.ts globalSetup?').toBeDefined();
    for (const name of NODE) expect(suite!.origins[name]?.port, `${name}: ${suite!.origins[name]?.skipped ?? 'not started'}`).toBeTypeOf('number');
  });

  describe.each(NODE)('%s', (name) => {
    const port = () => suite!.origins[name]!.port!;
    it('controls: protected routes reach their handlers with a session, and only with one', async () => {
      await expectControls(name, port());
    });
    it.each(CLASSES.map((c) => [c, CLASS_NAMES[c]] as const))('class %i: %s', async (cls) => {
      await expectClassClean(suite!, name, port(), cls);
    });
  });
});
