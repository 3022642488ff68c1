// The shared tier's contract (src/auth/limits/shared-cache.ts), against workerd's Cache API and
// against caches that fail or hang: keys are hashes, lapsed entries are misses, and every call
// ends by its deadline and fails open (a miss, or a dropped write), never a throw.
import { describe, expect, it } from 'vitest';

import type { Timer } from '../../../../src/auth/limits/clerk-deadline';
import { JwksGate } from '../../../../src/auth/limits/jwks-gate';
import { SharedCache } from '../../../../src/auth/limits/shared-cache';
import { MachineVerdictCache } from '../../../../src/auth/machine/verdict-cache';

const T0 = Date.now();
const TOKEN = 'ak_secret_token_value';

/** A timer the test fires by hand: deadlines never depend on the machine's speed. */
function manualTimer(): { timer: Timer; fire: () => void } {
  const pending = new Set<() => void>();
  return {
    timer: (callback) => {
      pending.add(callback);
      return () => pending.delete(callback);
    },
    fire: () => {
      for (const callback of [...pending]) callback();
      pending.clear();
    },
  };
}

/** A Cache whose calls are recorded and can be made to throw or hang. */
function fakeCache(behaviour: 'throw' | 'hang' | 'ok', real?: Cache) {
  const seen: { op: string; url: string; body?: string }[] = [];
  const act = async <T>(op: string, url: string, run: () => Promise<T>, body?: string): Promise<T> => {
    seen.push({ op, url, ...(body ? { body } : {}) });
    if (behaviour === 'throw') throw new Error(`cache ${op} failed`);
    if (behaviour === 'hang') return new Promise<T>(() => undefined);
    return run();
  };
  const cache = {
    match: (req: RequestInfo) => act('match', String(req), () => real!.match(req)),
    put: async (req: RequestInfo, res: Response) => {
      const body = await res.clone().text();
      return act('put', String(req), () => real!.put(req, res), body);
    },
  } as unknown as Cache;
  return { cache, seen };
}

describe('SharedCache', () => {
  it('stores under a SHA-256 of scope and key, never the token, and reads back until the entry lapses', async () => {
    const real = await caches.open(`test-${crypto.randomUUID()}`);
    const { cache, seen } = fakeCache('ok', real);
    const shared = new SharedCache({ scope: 'instance-a', cache: async () => cache });
    await shared.put('machine-verdict', TOKEN, { kind: 'machine' }, T0 + 10_000, T0);
    expect(seen[0]!.url).toMatch(/^https:\/\/edge-auth-gateway\.invalid\/machine-verdict\/[0-9a-f]{64}$/);
    expect(JSON.stringify(seen)).not.toContain(TOKEN);
    expect(await shared.get('machine-verdict', TOKEN, T0 + 9_999)).toEqual({ value: { kind: 'machine' }, until: T0 + 10_000 });
    expect(await shared.get('machine-verdict', TOKEN, T0 + 10_000)).toBeUndefined();
    // Another instance's scope, or another kind, is another key.
    expect(await new SharedCache({ scope: 'instance-b', cache: async () => real }).get('machine-verdict', TOKEN, T0)).toBeUndefined();
    expect(await shared.get('jwks', TOKEN, T0)).toBeUndefined();
  });

  it('fails open when the cache throws: a read misses, a write is dropped, nothing throws', async () => {
    const { cache } = fakeCache('throw');
    const shared = new SharedCache({ scope: 's', cache: async () => cache });
    await expect(shared.put('jwks', 'jwks', [1], T0 + 1000, T0)).resolves.toBeUndefined();
    await expect(shared.get('jwks', 'jwks', T0)).resolves.toBeUndefined();
    const unopened = new SharedCache({ scope: 's', cache: () => Promise.reject(new Error('no cache')) });
    await expect(unopened.get('jwks', 'jwks', T0)).resolves.toBeUndefined();
    await expect(unopened.put('jwks', 'jwks', [1], T0 + 1000, T0)).resolves.toBeUndefined();
  });

  it('ends every call at its deadline when the cache hangs', async () => {
    const { cache } = fakeCache('hang');
    const { timer, fire } = manualTimer();
    const shared = new SharedCache({ scope: 's', cache: async () => cache, timer });
    const read = shared.get('jwks', 'jwks', T0);
    const write = shared.put('jwks', 'jwks', [1], T0 + 1000, T0);
    await new Promise((r) => setTimeout(r, 0));
    fire();
    await expect(read).resolves.toBeUndefined();
    await expect(write).resolves.toBeUndefined();
  });

  it('reads garbage in the cache as a miss', async () => {
    const real = await caches.open(`test-${crypto.randomUUID()}`);
    const { cache, seen } = fakeCache('ok', real);
    const shared = new SharedCache({ scope: 's', cache: async () => cache });
    await shared.put('jwks', 'jwks', 'x', T0 + 1000, T0);
    expect(await shared.get('jwks', 'jwks', T0)).toEqual({ value: 'x', until: T0 + 1000 });
    const url = seen[0]!.url;
    for (const body of ['not json', 'null', '{"value":1}', '{"until":"later","value":1}']) {
      await real.put(url!, new Response(body, { headers: { 'cache-control': 'max-age=60' } }));
      expect(await shared.get('jwks', 'jwks', T0), body).toBeUndefined();
    }
  });

  it('without the Cache API (Node, a test without caches), every read misses', async () => {
    const shared = new SharedCache({ scope: 's', cache: undefined });
    await shared.put('jwks', 'jwks', [1], T0 + 1000, T0);
    expect(await shared.get('jwks', 'jwks', T0)).toBeUndefined();
  });

  it('a failing tier changes no answer: the gate still fetches and admits, a machine token is still asked about', async () => {
    const { cache } = fakeCache('throw');
    const shared = new SharedCache({ scope: 's', cache: async () => cache });
    let fetches = 0;
    const gate = new JwksGate({
      secretKey: 'sk_test_x',
      apiUrl: 'https://api.test',
      shared,
      fetch: (async () => {
        fetches++;
        return Response.json({ keys: [{ kid: 'ins_a', kty: 'RSA' }] });
      }) as typeof fetch,
    });
    const token = `${btoa(JSON.stringify({ alg: 'RS256', kid: 'ins_a' }))}.e30.sig`;
    expect(await gate.admits([token])).toBe('admitted');
    expect(fetches).toBe(1);
    expect(await new MachineVerdictCache(shared).fromShared(TOKEN, T0)).toBeUndefined();
  });

  it('a machine verdict of another shape in the tier is a miss; a good one is kept no longer than it holds there', async () => {
    const real = await caches.open(`test-${crypto.randomUUID()}`);
    const shared = new SharedCache({ scope: 's', cache: async () => real });
    const verdicts = new MachineVerdictCache(shared);
    for (const value of [{ kind: 'signed-in' }, { kind: 'machine', principal: { tokenKind: 'api_key', id: 1, subject: 'u', scopes: [] } }, { kind: 'signed-out', failure: { code: 'ERR_NO_CREDENTIALS' } }]) {
      await shared.put('machine-verdict', TOKEN, value, T0 + 5_000, T0);
      expect(await verdicts.fromShared(TOKEN, T0), JSON.stringify(value)).toBeUndefined();
    }
    const principal = { tokenKind: 'api_key', id: 'ak_1', subject: 'user_1', scopes: ['a'] };
    await shared.put('machine-verdict', TOKEN, { kind: 'machine', principal, headers: [] }, T0 + 5_000, T0);
    expect(await verdicts.fromShared(TOKEN, T0 + 1_000)).toEqual({ kind: 'machine', principal, headers: [] });
    expect(verdicts.get(TOKEN, T0 + 4_999)).toBeDefined();
    expect(verdicts.get(TOKEN, T0 + 5_000)).toBeUndefined();
  });
});
