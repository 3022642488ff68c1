// Concurrency: many users through one isolate never see each other's identity, and a flood of
// invalid tokens does not starve valid requests.
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';

import { call, callHandler, mintToken, sessionClaims, sessionCookie, type CallOptions, type OriginRecord, clientUat } from '../helpers';

const callWorker = callHandler;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Expectation {
  id: string;
  path: string;
  options: CallOptions;
  /** Identity the origin must receive, or undefined for signed out. */
  user?: { userId: string; sessionId: string; status: 'active' | 'pending'; orgId?: string; orgSlug?: string; orgRole?: string };
  /** Status when the gateway must answer by itself. */
  refusedWith?: number;
}

/** Users, spoofers and forgers, each request tagged with its id; what each must get back. */
async function buildCases(users: number, spoofers: number, forgers: number): Promise<Expectation[]> {
  const uat = clientUat();
  const tag = crypto.randomUUID().slice(0, 8);
  const cases: Expectation[] = [];
  const tokens = await Promise.all(
    Array.from({ length: users }, (_, i) =>
      mintToken({
        claims: {
          sub: `user_${tag}_${i}`,
          sid: `sess_${tag}_${i}`,
          sts: i % 3 === 2 ? 'pending' : 'active',
          o: { id: `org_${tag}_${i}`, slg: `slug-${i}`, rol: i % 2 ? 'admin' : 'member', per: '', fpm: '' },
        },
      }),
    ),
  );
  tokens.forEach((token, i) => {
    const id = `u${i}`;
    const user = { userId: `user_${tag}_${i}`, sessionId: `sess_${tag}_${i}`, orgId: `org_${tag}_${i}`, orgSlug: `slug-${i}`, orgRole: i % 2 ? 'org:admin' : 'org:member' };
    if (i % 3 === 0) cases.push({ id, path: `/dashboard/r/${i}`, options: { bearer: token }, user: { ...user, status: 'active' } });
    else if (i % 3 === 1) cases.push({ id, path: `/forum/t/${i}`, options: { cookie: sessionCookie(token, uat) }, user: { ...user, status: 'active' } });
    else cases.push({ id, path: `/account/status/${i}`, options: { cookie: sessionCookie(token, uat) }, user: { ...user, status: 'pending' } });
  });
  // Signed-out clients claiming a real user's identity: public → signed out; protected → 401.
  for (let i = 0; i < spoofers; i++) {
    const victim = (i * 7) % users;
    const headers = { 'x-auth-user-id': `user_${tag}_${victim}`, 'x-auth-session-status': 'active', 'x-auth-org-id': `org_${tag}_${victim}` };
    cases.push(i % 2 ? { id: `s${i}`, path: `/about/${i}`, options: { headers } } : { id: `s${i}`, path: `/dashboard/${i}`, options: { headers }, refusedWith: 401 });
  }
  // Tokens forged for real users (foreign key, same kid): signed out.
  const forged = await Promise.all(Array.from({ length: forgers }, (_, i) => mintToken({ key: 'foreign', claims: { sub: `user_${tag}_${i}`, sid: `sess_${tag}_${i}` } })));
  forged.forEach((token, i) => {
    cases.push(i % 2 ? { id: `f${i}`, path: `/about/f${i}`, options: { bearer: token } } : { id: `f${i}`, path: `/dashboard/f${i}`, options: { bearer: token }, refusedWith: 401 });
  });
  // Interleave the kinds deterministically.
  return cases.map((c, i) => ({ c, k: (i * 7919) % cases.length })).sort((a, b) => a.k - b.k).map(({ c }) => c);
}

/** Fires every case at once and checks each response is its own, with its own identity or none. */
async function runInParallel(cases: Expectation[], send: (path: string, options: CallOptions) => Promise<Response>): Promise<void> {
  const responses = await Promise.all(
    cases.map(async (c) => {
      const headers = new Headers(c.options.headers);
      headers.set('x-request-tag', c.id);
      return { c, res: await send(c.path, { ...c.options, headers }) };
    }),
  );
  for (const { c, res } of responses) {
    if (c.refusedWith) {
      expect(res.status, c.id).toBe(c.refusedWith);
      await res.body?.cancel();
      continue;
    }
    expect(res.status, c.id).toBe(200);
    const seen = (await res.json()) as OriginRecord;
    // The response is the one for this request…
    expect(seen.headers['x-request-tag'], c.id).toBe(c.id);
    expect(seen.url.split('?')[0], c.id).toBe(c.path);
    // …and carries this request's identity, or none.
    const got = {
      status: seen.headers['x-auth-session-status'],
      userId: seen.headers['x-auth-user-id'],
      sessionId: seen.headers['x-auth-session-id'],
      orgId: seen.headers['x-auth-org-id'],
      orgSlug: seen.headers['x-auth-org-slug'],
      orgRole: seen.headers['x-auth-org-role'],
    };
    if (c.user) expect(got, c.id).toEqual(c.user);
    else expect(got, c.id).toEqual({ status: 'signed-out', userId: undefined, sessionId: undefined, orgId: undefined, orgSlug: undefined, orgRole: undefined });
  }
}

describe('many users in parallel through one isolate', () => {
  it('300 users (bearer, cookie, pending) + 100 identity spoofers + 60 forged tokens at once: every response carries its own identity, nothing leaks', async () => {
    // Through the Worker's fetch handler (see callWorker): 460 requests in flight together.
    await runInParallel(await buildCases(300, 100, 60), callWorker);
  });

  it('the same through exports.default.fetch (each request its own incoming event): 90 users + 30 spoofers + 20 forgers', async () => {
    await runInParallel(await buildCases(90, 30, 20), call);
  });

  it('150 users twice over (the second time from the verified-token cache): still each their own identity', async () => {
    const cases = await buildCases(150, 0, 0);
    await runInParallel(cases, callWorker);
    await runInParallel(cases, callWorker);
  });
});

describe('a flood of invalid tokens', () => {
  // Bound, stated: during a sustained flood (25 invalid-token requests always in flight, ≥ 500 in
  // all, at least 10 between two valid ones) the median latency of 50 valid requests is at most 5×
  // their median alone, plus 50 ms of absolute slack (medians alone are a few ms, and the clock in
  // workerd only advances at I/O). With a second `npm test` on the same 2-core machine, one
  // measurement in ten was 40.5 ms during the flood against 1 ms alone: a noisy neighbour. A flood
  // that starved valid requests would hold each behind hundreds of refusals: far above the bound.
  const FACTOR = 5;
  const SLACK_MS = 50;

  it(`does not slow valid requests by more than ${FACTOR}× (+${SLACK_MS} ms): median of 50 valid requests alone vs. during ≥ 500 invalid-token requests`, async () => {
    // Invalid: well-formed RS256 tokens whose signature fails, each with a different payload so
    // nothing can be cached: every one costs a full verification.
    const [h, , s] = (await mintToken({ key: 'foreign' })).split('.') as [string, string, string];
    let n = 0;
    const invalidToken = () => `${h}.${base64url.encode(JSON.stringify(sessionClaims({ sub: `user_x${n}`, sid: `sess_x${n++}` })))}.${s}`;

    let invalidSent = 0;
    let refused = 0;
    const timeValid = async (tokens: string[], between = 0) => {
      const times: number[] = [];
      for (const token of tokens) {
        const mark = invalidSent;
        while (invalidSent - mark < between) await new Promise((r) => setTimeout(r, 0));
        const t0 = performance.now();
        const res = await callWorker('/dashboard/api', { bearer: token });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        times.push(performance.now() - t0);
      }
      return times;
    };

    /** One measurement: the median alone, then during a flood (fresh valid tokens each time). */
    const measure = async (round: number) => {
      const valid = await Promise.all(Array.from({ length: 120 }, (_, i) => mintToken({ claims: { sub: `user_l${round}_${i}`, sid: `sess_l${round}_${i}` } })));
      await timeValid(valid.slice(0, 20)); // warm-up
      const alone = median(await timeValid(valid.slice(20, 70)));
      let stop = false;
      // Each flooder yields to the event loop between requests, as separate incoming requests would
      // (a refusal involves no I/O: a tight loop of them would starve everything, test included).
      const flooders = Array.from({ length: 25 }, async () => {
        while (!stop && invalidSent < 50_000) {
          await new Promise((r) => setTimeout(r, 0));
          invalidSent++;
          const res = await callWorker(invalidSent % 2 ? '/dashboard/api' : '/forum', { bearer: invalidToken() });
          if (res.status === 401) refused++;
          await res.arrayBuffer();
        }
      });
      const before = invalidSent;
      const underFlood = median(await timeValid(valid.slice(70, 120), 10));
      const during = invalidSent - before;
      stop = true;
      await Promise.all(flooders);
      console.log(`round ${round}: valid median alone ${alone.toFixed(2)} ms; during ${during} invalid-token requests ${underFlood.toFixed(2)} ms`);
      return { alone, underFlood, during };
    };

    // Wall-clock medians on a shared machine: another process can take the CPU during one phase and
    // not the other. So the bound must hold in one of up to 3 rounds: a gateway that lets a flood
    // starve valid requests fails all of them, a noisy neighbour does not fail the test.
    let result = await measure(1);
    for (let round = 2; round <= 3 && result.underFlood > FACTOR * result.alone + SLACK_MS; round++) result = await measure(round);
    expect(refused).toBe(invalidSent);
    expect(result.during).toBeGreaterThanOrEqual(500);
    expect(result.underFlood).toBeLessThanOrEqual(FACTOR * result.alone + SLACK_MS);
  }, 60_000);
});
