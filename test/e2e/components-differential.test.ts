// A differential against Clerk's own components: the same session claims rendered by
// `@clerk/react`'s `<Show>` (server-rendered with react-dom/server from `ClerkProvider`'s
// `initialState`, as SSR frameworks render it; `Show` is how @clerk/react 6 spells SignedIn,
// SignedOut and Protect) and by the gateway (a token with those claims, through the whole request
// path, the page from the real origin). Element by element, the same branches must show.
import { ClerkProvider, Show } from '@clerk/react';
import { signedInAuthObject } from '@clerk/backend/internal';
import { createElement as h, type ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { defineConfig } from '../../src/config';
import { mintToken, send, sessionClaims, testEnv } from '../helpers';

const config = defineConfig({ components: true, routes: [] });

type Conditions = { role?: string; permission?: string; feature?: string; plan?: string };
/** One element: `signed-in`, `signed-out`, or a `<clerk-protect>`/`<Show when={conditions}>` with a fallback. */
type Case = { when: 'signed-in' | 'signed-out' | Conditions; pending: boolean };

const CONDITIONS: Conditions[] = [
  {},
  { role: 'org:admin' },
  { role: 'admin' },
  { role: 'org:member' },
  { permission: 'org:invoices:manage' },
  { permission: 'org:invoices:read' },
  { feature: 'export' },
  { feature: 'o:invoices' },
  { feature: 'u:invoices' },
  { plan: 'pro' },
  { plan: 'o:team' },
  { role: 'org:admin', plan: 'pro' },
  { role: 'org:admin', permission: 'org:invoices:manage' },
  { feature: 'export', plan: 'pro' },
];
const CASES: Case[] = [true, false].flatMap((pending) => [
  { when: 'signed-in' as const, pending },
  { when: 'signed-out' as const, pending },
  ...CONDITIONS.map((when) => ({ when, pending })),
]);

const attribute = (name: string, value: string) => ` ${name}="${value}"`;
function gatewayElement(c: Case, i: number): string {
  const pending = c.pending ? '' : attribute('treat-pending-as-signed-out', 'false');
  if (typeof c.when === 'string') return `<clerk-${c.when}${pending}>[${i}]</clerk-${c.when}>`;
  const conditions = Object.entries(c.when).map(([k, v]) => attribute(k, v)).join('');
  return `<clerk-protect${conditions}${pending}>[${i}]<clerk-fallback>[${i}-fb]</clerk-fallback></clerk-protect>`;
}
function clerkElement(c: Case, i: number): ReactNode {
  const when = typeof c.when === 'string' || Object.keys(c.when).length > 0 ? c.when : 'signed-in';
  const fallback = typeof c.when === 'string' ? {} : { fallback: `[${i}-fb]` };
  return h(Show, { key: i, when, treatPendingAsSignedOut: c.pending, ...fallback } as Parameters<typeof Show>[0], `[${i}]`);
}

/** The markers a page shows, in order. */
const shown = (html: string) => [...html.matchAll(/\[(\d+(?:-fb)?)\]/g)].map((m) => m[1]);

/** `@clerk/nextjs`'s initialState: the auth object's public fields (signed out: all null). */
function initialState(claims: Record<string, unknown> | undefined) {
  const fields = ['sessionClaims', 'sessionId', 'sessionStatus', 'userId', 'actor', 'orgId', 'orgRole', 'orgSlug', 'orgPermissions', 'factorVerificationAge'] as const;
  const auth = claims ? (signedInAuthObject({}, 'token', claims as Parameters<typeof signedInAuthObject>[2]) as unknown as Record<string, unknown>) : {};
  return Object.fromEntries(fields.map((field) => [field, auth[field] ?? null]));
}

const ORG = { id: 'org_1', slg: 'acme', per: 'manage,read', fpm: '1' };
const SESSIONS: { name: string; claims?: Record<string, unknown> }[] = [
  { name: 'signed out' },
  { name: 'pending, admin with a plan', claims: { sts: 'pending', o: { ...ORG, rol: 'admin' }, fea: 'o:invoices,u:export', pla: 'u:pro' } },
  { name: 'active, admin with manage, export and pro', claims: { o: { ...ORG, rol: 'admin' }, fea: 'o:invoices,u:export', pla: 'u:pro' } },
  { name: 'active, member with read only', claims: { o: { ...ORG, rol: 'member', fpm: '2' }, fea: 'o:invoices', pla: 'o:team' } },
  { name: 'active, no organization, plan pro', claims: { pla: 'u:pro' } },
  { name: 'active, no organization, feature u:invoices', claims: { fea: 'u:invoices' } },
];

describe("differential: the gateway's elements against @clerk/react's <Show>, same claims", () => {
  const html = `<div>${CASES.map(gatewayElement).join('')}</div>`;
  for (const session of SESSIONS) {
    it(session.name, async () => {
      const token = session.claims ? await mintToken({ claims: session.claims }) : undefined;
      const response = await send('/page?__origin=page', {
        config,
        method: 'POST',
        body: JSON.stringify({ chunks: [html] }),
        ...(token ? { bearer: token } : {}),
      });
      const gateway = shown(await response.text());
      const claims = session.claims && sessionClaims(session.claims);
      const provider = h(ClerkProvider, { publishableKey: testEnv.CLERK_PUBLISHABLE_KEY as string, initialState: initialState(claims) } as Parameters<typeof ClerkProvider>[0], h('div', null, CASES.map(clerkElement)));
      const clerk = shown(renderToString(provider));
      expect(gateway).toEqual(clerk);
      // Both show something for every element with a fallback, and the table is not all one answer.
      expect(new Set(gateway).size).toBeGreaterThan(CASES.length / 4);
    });
  }
});
