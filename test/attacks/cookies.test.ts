// Attack catalogue, cookie classes: fail-open on malformed cookies (authentik CVE-2026-25748) and
// duplicate `__session` cookies. Every malformed or ambiguous cookie means signed out: a protected
// API call is refused without the origin, a protected navigation is redirected (sign-in or Clerk's
// handshake) without the origin, and a public route is forwarded as signed out with no identity.
import { describe, expect, it } from 'vitest';

import { call, expectRefusedBy, mintToken, newProbe, nowSeconds, originSaw, clientUat } from '../helpers';

async function expectSignedOut(cookie: string, label = cookie.slice(0, 80)): Promise<void> {
  await expectRefusedBy('/dashboard/api', 401, { cookie }, `${label} → /dashboard/api`);
  await expectRefusedBy('/dashboard', 307, { navigate: true, cookie }, `${label} → /dashboard`);
  const seen = await originSaw(await call('/about', { cookie }));
  expect(seen.headers['x-auth-session-status'], label).toBe('signed-out');
  expect(seen.headers['x-auth-user-id'], label).toBeUndefined();
  expect(seen.headers['x-auth-session-id'], label).toBeUndefined();
}

describe('fail-open on malformed cookies (authentik CVE-2026-25748)', () => {
  const uat = clientUat;

  it.each([
    ['garbage __session', () => `__session=garbage; __client_uat=${uat()}`],
    ['empty __session', () => `__session=; __client_uat=${uat()}`],
    ['__session without a value or =', () => `__session; __client_uat=${uat()}`],
    ['three dots', () => `__session=...; __client_uat=${uat()}`],
    ['base64 junk in three parts', () => `__session=eyJ.eyJ.eyJ; __client_uat=${uat()}`],
    ['only __client_uat', () => `__client_uat=${uat()}`],
    ['__client_uat=abc only', () => '__client_uat=abc'],
    ['cookie header garbage', () => ';;;; = ; ==; __session=; ;'],
    ['non-cookie text', () => 'this is not a cookie header'],
    ['__clerk_db_jwt garbage on a production instance', () => `__clerk_db_jwt=garbage; __client_uat=${uat()}`],
    ['__clerk_handshake garbage', () => `__clerk_handshake=garbage; __client_uat=${uat()}`],
    ['suffixed __session garbage', () => `__session_AbCdEf12=garbage; __client_uat_AbCdEf12=${uat()}`],
  ])('%s', async (_label, cookie) => {
    await expectSignedOut(cookie(), _label);
  });

  it('a valid __session with __client_uat=abc (unparseable) is never forwarded as signed in', async () => {
    await expectSignedOut(`__session=${await mintToken()}; __client_uat=abc`);
  });

  it('a valid __session with __client_uat=0 (the client signed out) is never forwarded as signed in', async () => {
    await expectSignedOut(`__session=${await mintToken()}; __client_uat=0`);
  });

  it('a valid __session with no __client_uat is never forwarded as signed in', async () => {
    await expectSignedOut(`__session=${await mintToken()}`);
  });

  it('a valid __session older than __client_uat (signed in again since) is never forwarded as signed in', async () => {
    await expectSignedOut(`__session=${await mintToken()}; __client_uat=${nowSeconds() + 30}`);
  });

  it('a valid __session with trailing junk, or truncated, is never forwarded as signed in', async () => {
    const token = await mintToken();
    await expectSignedOut(`__session=${token}x; __client_uat=${uat()}`);
    await expectSignedOut(`__session=${token.slice(0, -2)}; __client_uat=${uat()}`);
    await expectSignedOut(`__session=${token.split('.').slice(0, 2).join('.')}; __client_uat=${uat()}`);
  });

  it('control: the same valid cookie is accepted (so the cases above fail for their defect only)', async () => {
    const seen = await originSaw(await call('/dashboard/api', { cookie: `__session=${await mintToken()}; __client_uat=${uat()}` }));
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
  });
});

describe('duplicate __session cookies', () => {
  const uat = clientUat;

  // FINDING (failed at 96e0961, fixed in 4c8811f): two `__session` cookies with different values are ambiguous; Clerk's
  // cookie parser verifies the first, while the origin (or a framework behind it) may read the
  // last, so the gateway vouches for one session and the origin acts on another. The gateway
  // forwards the request signed in as the first cookie's user. Fix: treat several different
  // `__session` values as signed out before calling Clerk (the working tree's readCredentials
  // 'ambiguous' does this).
  it('two __session cookies of two valid users: signed out, neither user forwarded', async () => {
    const a = await mintToken({ claims: { sub: 'user_A', sid: 'sess_A' } });
    const b = await mintToken({ claims: { sub: 'user_B', sid: 'sess_B' } });
    await expectSignedOut(`__session=${a}; __session=${b}; __client_uat=${uat()}`, 'A then B');
    await expectSignedOut(`__session=${b}; __client_uat=${uat()}; __session=${a}`, 'B then A');
  });

  // FINDING (same cause): a valid first cookie vouches for a request whose second cookie is anything.
  it('a valid __session followed by a garbage or forged one: signed out', async () => {
    const a = await mintToken();
    const forged = await mintToken({ key: 'foreign', claims: { sub: 'user_admin' } });
    await expectSignedOut(`__session=${a}; __session=garbage; __client_uat=${uat()}`, 'valid then garbage');
    await expectSignedOut(`__session=${a}; __session=${forged}; __client_uat=${uat()}`, 'valid then forged');
  });

  it('a forged __session before a valid one: signed out', async () => {
    const a = await mintToken();
    const forged = await mintToken({ key: 'foreign', claims: { sub: 'user_admin' } });
    await expectSignedOut(`__session=${forged}; __session=${a}; __client_uat=${uat()}`, 'forged then valid');
  });

  it('two Cookie headers, each with a session: never signed in as the second', async () => {
    const a = await mintToken({ claims: { sub: 'user_A', sid: 'sess_A' } });
    const b = await mintToken({ claims: { sub: 'user_B', sid: 'sess_B' } });
    const headers = new Headers();
    headers.append('cookie', `__session=${a}; __client_uat=${uat()}`);
    headers.append('cookie', `__session=${b}; __client_uat=${uat()}`);
    const probe = newProbe('two-cookie-headers');
    const res = await call('/dashboard/api', { headers, probe });
    if (res.status === 200) {
      // If anything is forwarded, it is one verified user and the origin's Cookie names only that session.
      const seen = (await res.json()) as { headers: Record<string, string> };
      expect(seen.headers['x-auth-user-id']).not.toBe('user_B');
    } else expect(res.status).toBe(401);
  });

  it('the same __session value twice is not ambiguous: accepted', async () => {
    const a = await mintToken();
    const seen = await originSaw(await call('/dashboard/api', { cookie: `__session=${a}; __session=${a}; __client_uat=${uat()}` }));
    expect(seen.headers['x-auth-user-id']).toBe('user_1');
  });
});

describe('cookies the origin parses differently from Clerk (a second __session behind the verified one)', () => {
  // Python's SimpleCookie starts a new pair after white space, PHP's $_COOKIE splits at commas,
  // percent-decodes names and reads `.`/space/`[` as `_`; case-insensitive lookups fold `__Session`.
  // Forwarded as the verified user, the origin must see exactly one `__session`, the verified one,
  // and no name any of those parsers reads as `__session` or `__client_uat`.
  const LOOKALIKES = (forged: string, uat: number): string[] => [
    `__client_uat=${uat}, __session=${forged}`,
    `__client_uat=${uat} __session=${forged}`,
    `_.session=${forged}`,
    `_ session=${forged}`,
    `_[session=${forged}`,
    `%5F%5Fsession=${forged}`,
    `%5f_session=${forged}`,
    `__Session=${forged}`,
    `__SESSION=${forged}`,
    `__session.=${forged}`,
    `__session =${forged}`.replace(' =', '%20='),
    `__client.uat=${uat + 1000}`,
    `__CLIENT_UAT=${uat + 1000}`,
    `x="a, __session=${forged}"`,
  ];

  it('rewrites the forwarded Cookie header: one __session, the verified token; lookalikes and invalid pairs dropped', async () => {
    // Read before minting (iat = mint time - 1): read after, it can be a second past alice's iat on a slow machine.
    const uat = clientUat();
    const alice = await mintToken({ claims: { sub: 'user_alice', sid: 'sess_alice' } });
    const forged = await mintToken({ claims: { sub: 'user_mallory', sid: 'sess_mallory' } });
    for (const extra of LOOKALIKES(forged, uat)) {
      for (const cookie of [`__session=${alice}; ${extra}; keep=1`, `${extra}; __session=${alice}; __client_uat=${uat}; keep=1`]) {
        const seen = await originSaw(await call('/dashboard', { cookie: cookie.includes('__client_uat=') ? cookie : `${cookie}; __client_uat=${uat}` }));
        expect(seen.headers['x-auth-user-id'], cookie).toBe('user_alice');
        const forwarded = String(seen.headers.cookie ?? '');
        expect(forwarded, cookie).not.toContain(forged);
        expect(forwarded.match(/__session=/g), cookie).toHaveLength(1);
        expect(forwarded, cookie).toContain(`__session=${alice}`);
        expect(forwarded.toLowerCase().match(/client.uat/g)?.length ?? 0, cookie).toBeLessThanOrEqual(1);
        expect(forwarded, cookie).toContain('keep=1');
      }
    }
  });

  it('a bearer session: a cookie __session beside it is replaced by the verified token', async () => {
    const alice = await mintToken({ claims: { sub: 'user_alice', sid: 'sess_alice' } });
    const other = await mintToken({ claims: { sub: 'user_bob', sid: 'sess_bob' } });
    const seen = await originSaw(await call('/dashboard', { bearer: alice, cookie: `__session=${other}; theme=dark` }));
    expect(seen.headers['x-auth-user-id']).toBe('user_alice');
    expect(seen.headers.cookie).toBe(`__session=${alice}; theme=dark`);
  });

  it('signed out: the first __session is forwarded as sent, lookalikes dropped', async () => {
    const seen = await originSaw(await call('/about', { cookie: '__session=garbage; _.session=forged; __client_uat=0; a=b' }));
    expect(seen.headers['x-auth-session-status']).toBe('signed-out');
    expect(seen.headers.cookie).toBe('__session=garbage; __client_uat=0; a=b');
  });
});
