// The app's own pages: CLERK_TASKS_URL (where pending sessions go instead of <sign-in>/tasks) and
// CLERK_SIGN_UP_URL. On the gateway's own host both are public under defaultPolicy 'protect', as
// the sign-in page is, and a rule that keeps their visitors out is a config error naming the fix.
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import type { Env } from '../../src/env';
import { captureConsole, mintToken, originSaw, send, sessionCookie, testEnv } from '../helpers';

const ROUTES = [{ match: '/dashboard(.*)', protect: true as const }];
const config = defineConfig({ routes: ROUTES });
const protectAll = defineConfig({ routes: [{ match: '/about', protect: false as const }], defaultPolicy: 'protect' });
const OWN: Env = { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in', CLERK_SIGN_UP_URL: '/sign-up', CLERK_TASKS_URL: '/onboarding' };
const pending = async () => sessionCookie(await mintToken({ claims: { sts: 'pending' } }));

describe('CLERK_TASKS_URL', () => {
  it('sends a pending navigation there, with redirect_url, instead of <sign-in>/tasks', async () => {
    const res = await send('/dashboard?x=1', { config, env: OWN, navigate: true, cookie: await pending() });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('https://gateway.test/onboarding?redirect_url=https%3A%2F%2Fgateway.test%2Fdashboard%3Fx%3D1');
  });

  it('an absolute URL on another host is used as it is; a pending API call gets 401 naming it', async () => {
    const env = { ...testEnv, CLERK_TASKS_URL: 'https://app.example.com/setup' };
    const res = await send('/dashboard', { config, env, navigate: true, cookie: await pending() });
    expect(new URL(res.headers.get('location')!).origin + new URL(res.headers.get('location')!).pathname).toBe('https://app.example.com/setup');
    const api = await send('/dashboard/api', { config, env, cookie: await pending() });
    expect(api.status).toBe(401);
    expect(await api.text()).toContain('https://app.example.com/setup');
  });

  it('without it, pending sessions go to <sign-in>/tasks as before', async () => {
    const res = await send('/dashboard', { config, env: { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in' }, navigate: true, cookie: await pending() });
    expect(new URL(res.headers.get('location')!).pathname).toBe('/sign-in/tasks');
  });
});

describe("own pages under defaultPolicy 'protect'", () => {
  it('the sign-up and task pages on the gateway host are public (signed out and pending alike); other paths are not', async () => {
    for (const path of ['/sign-up', '/sign-up/verify-email-address', '/onboarding', '/onboarding/choose-organization', '/sign-in/factor-one']) {
      const seen = await originSaw(await send(path, { config: protectAll, env: OWN, navigate: true }));
      expect(seen.headers['x-auth-session-status'], path).toBe('signed-out');
    }
    expect((await send('/onboarding', { config: protectAll, env: OWN, navigate: true, cookie: await pending() })).status).toBe(200);
    const elsewhere = await send('/sign-upx', { config: protectAll, env: OWN, navigate: true, cookie: await pending() });
    expect(elsewhere.headers.get('location')).toMatch(/^https:\/\/gateway\.test\/onboarding\?redirect_url=/);
  });

  it('a rule that counts pending sessions as signed out on the task page is a config error (they would loop)', async () => {
    const error = captureConsole('error');
    const looping = defineConfig({ routes: [{ match: '/onboarding(.*)', protect: true }] });
    const res = await send('/about', { config: looping, env: OWN });
    expect(res.status).toBe(500);
    expect(error.text()).toContain("CLERK_TASKS_URL /onboarding: its path /onboarding is protected by route #1 (/onboarding(.*)); pending sessions would loop. Put { match: '/onboarding(.*)', protect: { treatPendingAsSignedOut: false } (or protect: false) } before that route.");
  });

  it('a task page open to pending sessions (treatPendingAsSignedOut: false) is not a loop: pending users reach it with their identity', async () => {
    const open = defineConfig({ routes: [{ match: '/onboarding(.*)', protect: { treatPendingAsSignedOut: false } }], defaultPolicy: 'protect' });
    const seen = await originSaw(await send('/onboarding', { config: open, env: OWN, navigate: true, cookie: await pending() }));
    expect(seen.headers['x-auth-session-status']).toBe('pending');
  });

  it('a protected sign-up page is a config error (nobody signed out could sign up)', async () => {
    const error = captureConsole('error');
    const res = await send('/about', { config: defineConfig({ routes: [{ match: '/sign-up(.*)', protect: true }] }), env: OWN });
    expect(res.status).toBe(500);
    expect(error.text()).toContain('CLERK_SIGN_UP_URL /sign-up: its path /sign-up is protected by route #1');
  });

  it('a page at an absolute URL on another host is not made public here, nor checked against this host', async () => {
    const env = { ...testEnv, CLERK_SIGN_IN_URL: '/sign-in', CLERK_TASKS_URL: 'https://app.example.com/onboarding' };
    const res = await send('/onboarding', { config: protectAll, env, navigate: true });
    expect(res.status).toBe(307);
  });
});
