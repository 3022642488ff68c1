// Service Bindings resolved once, when the runtime is built (src/runtime/bindings.ts): requests reach
// a rule's binding through the runtime's map, never by reading the Worker's env again.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../../src/config';
import { originTarget } from '../../../src/proxy/origin-target';
import { resolveBindings, serviceBinding } from '../../../src/runtime/bindings';

const fetcher = (name: string) => ({ fetch: async () => new Response(name) }) as unknown as Fetcher;

const config = defineConfig({
  routes: [
    { match: '/billing(.*)', protect: true, origin: { binding: 'BILLING', stripPrefix: '/billing' } },
    { match: '/bills(.*)', protect: true, origin: { binding: 'BILLING' } },
    { match: '/search(.*)', protect: false, origin: { binding: 'SEARCH' } },
    { match: '/about', protect: false },
  ],
});

/** The env as a Proxy that counts every read of each name. */
function countingEnv(values: Record<string, unknown>): { env: object; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const env = new Proxy(values, {
    get(target, name) {
      if (typeof name === 'string') reads.set(name, (reads.get(name) ?? 0) + 1);
      return target[name as string];
    },
  });
  return { env, reads };
}

describe('resolveBindings', () => {
  it('looks each rule’s binding up once, and originTarget then never reads env', async () => {
    const { env, reads } = countingEnv({ BILLING: fetcher('billing'), SEARCH: fetcher('search'), ORIGIN_URL: 'https://origin.example' });
    const { bindings, problems } = resolveBindings(env, config);
    expect(problems).toEqual([]);
    expect([...bindings.keys()].sort()).toEqual(['BILLING', 'SEARCH']);
    const readsAtBuild = new Map(reads);
    for (let i = 0; i < 5; i++) {
      const target = originTarget(config.routes[0]?.origin, 'https://origin.example', bindings, 'https://gateway.test', '/billing/invoices', '?page=2');
      expect(target.url).toBe('https://gateway.test/invoices?page=2');
      expect(target.target).toBe('/invoices?page=2');
      expect(await (await (target.fetch as typeof fetch)(target.url)).text()).toBe('billing');
    }
    expect(reads).toEqual(readsAtBuild);
  });

  it('names every rule whose binding the Worker lacks, with the fix', () => {
    const { bindings, problems } = resolveBindings({ SEARCH: 'not a binding' }, config);
    expect(bindings.size).toBe(0);
    expect(problems).toEqual([
      expect.stringMatching(/^route #1 \(\/billing\(\.\*\)\): origin\.binding "BILLING" is not a Service Binding of this Worker; add \[\[services\]\] binding = "BILLING"/),
      expect.stringMatching(/^route #2 \(\/bills\(\.\*\)\): origin\.binding "BILLING" is not a Service Binding/),
      expect.stringMatching(/^route #3 \(\/search\(\.\*\)\): origin\.binding "SEARCH" is not a Service Binding/),
    ]);
  });

  it('serviceBinding: an object with a fetch method, nothing else', () => {
    expect(serviceBinding({ A: fetcher('a') }, 'A')).toBeDefined();
    for (const value of [undefined, null, 'x', {}, { fetch: 'no' }]) expect(serviceBinding({ A: value }, 'A')).toBeUndefined();
  });
});

describe('originTarget with a binding the runtime does not hold', () => {
  it('throws (answered 500, never forwarded elsewhere)', () => {
    expect(() => originTarget(config.routes[0]?.origin, 'https://origin.example', new Map(), 'https://gateway.test', '/billing/x', '')).toThrow(/origin\.binding "BILLING" was not resolved/);
  });
});
