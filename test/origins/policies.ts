// Issue 17 against real frameworks: CORS preflights and methods a rule set leaves out. Every request
// goes through the real gateway (handleRequest, in workerd) to an origin app whose `/invoices`
// resource routes as Rails, Laravel and Django function views do (PUT and PATCH, also as a POST's
// `_method` or X-HTTP-Method-Override, reach the update action; OPTIONS and other methods the read
// action) and whose other protected routes run for any method (test/origins/apps/).
//   - an OPTIONS with preflight headers never runs a protected handler, from any Origin, asking
//     for any method, where the gateway answers CORS (`cors`) and where it does not (`cors: false`);
//   - a PATCH (in every spelling) never reaches the update action with less than PUT needs.
import { expect } from 'vitest';

import { handleRequest } from '../../src/gateway';
import { defineConfig } from '../../src/config';
import { GATEWAY, mintToken } from '../helpers';
import { envFor, frameworkView, type FrameworkView } from './harness';

const FRONT = 'https://app.example';
const ORG = { id: 'org_2abc', slg: 'acme' };

/** The README's per-method example as it was (PATCH not listed), with CORS for the whole config. */
export const POLICY_CONFIG = defineConfig({
  cors: { origins: [FRONT], methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], headers: ['content-type', 'authorization'], credentials: true },
  routes: [
    { match: '/invoices(.*)', methods: ['GET'], protect: { permission: 'org:invoices:read' } },
    { match: '/invoices(.*)', methods: ['POST', 'PUT', 'DELETE'], protect: { permission: 'org:invoices:manage' } },
    { match: '/dashboard(.*)', protect: true },
    // No CORS here: a preflight is decided as the OPTIONS it is.
    { match: '/api/keys(.*)', protect: true, cors: false },
  ],
});

export type Who = 'none' | 'reader' | 'manager';

export interface PolicyRequest {
  label: string;
  path: string;
  method: string;
  who: Who;
  headers?: Record<string, string>;
  /** A form body (`application/x-www-form-urlencoded`). */
  form?: string;
}

/** Bearer tokens: a member who may read invoices, and one who may read and manage them. */
export async function policyTokens(): Promise<Record<Exclude<Who, 'none'>, string>> {
  const token = (per: string, fpm: string) => mintToken({ claims: { o: { ...ORG, rol: 'member', per, fpm }, fea: 'o:invoices' } });
  return { reader: await token('read', '1'), manager: await token('read,manage', '3') };
}

const PREFLIGHT_PATHS = ['/dashboard', '/dashboard/x', '/invoices/1', '/invoices', '/api/keys', '/api/keys/1', '/DASHBOARD/x'];
const ASKED = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Preflights from the allowed and a foreign origin, for every method, plus dressed-up variants. */
export function preflightRequests(): PolicyRequest[] {
  const out: PolicyRequest[] = [];
  for (const path of PREFLIGHT_PATHS) {
    for (const asks of ASKED) {
      for (const origin of [FRONT, 'https://evil.example', 'null']) {
        out.push({ label: `preflight for ${asks} from ${origin}`, path, method: 'OPTIONS', who: 'none', headers: { origin, 'access-control-request-method': asks, 'access-control-request-headers': 'content-type' } });
      }
    }
    out.push({ label: 'preflight with ?_method=PUT', path: `${path}?_method=PUT`, method: 'OPTIONS', who: 'none', headers: { origin: FRONT, 'access-control-request-method': 'GET' } });
    out.push({ label: 'preflight with X-HTTP-Method-Override: PATCH', path, method: 'OPTIONS', who: 'none', headers: { origin: FRONT, 'access-control-request-method': 'GET', 'x-http-method-override': 'PATCH' } });
    out.push({ label: 'preflight with a body', path, method: 'OPTIONS', who: 'none', headers: { origin: FRONT, 'access-control-request-method': 'POST', 'content-type': 'application/x-www-form-urlencoded' }, form: '_method=PATCH' });
  }
  return out;
}

/** PATCH in every spelling an origin reads as PATCH, and the other methods no rule names. */
export function methodRequests(): PolicyRequest[] {
  const out: PolicyRequest[] = [];
  for (const who of ['none', 'reader'] as const) {
    for (const path of ['/invoices/1', '/invoices', '/INVOICES/1', '/invoices/1/']) {
      out.push({ label: 'PATCH', path, method: 'PATCH', who });
      out.push({ label: 'patch (lower case)', path, method: 'patch', who });
      out.push({ label: 'PUT', path, method: 'PUT', who });
      out.push({ label: 'DELETE', path, method: 'DELETE', who });
      out.push({ label: 'POST with _method=PATCH', path, method: 'POST', who, form: '_method=PATCH' });
      out.push({ label: 'POST with X-HTTP-Method-Override: PATCH', path, method: 'POST', who, headers: { 'x-http-method-override': 'PATCH' } });
      out.push({ label: 'GET with X-HTTP-Method-Override: PATCH', path, method: 'GET', who, headers: { 'x-http-method-override': 'PATCH' } });
      out.push({ label: 'PATCH with ?_method=PATCH', path: `${path}?_method=PATCH`, method: 'PATCH', who });
      out.push({ label: 'PROPFIND', path, method: 'PROPFIND', who });
      out.push({ label: 'OPTIONS without preflight headers', path, method: 'OPTIONS', who });
    }
  }
  return out;
}

export interface PolicyOutcome {
  status: number;
  view: (FrameworkView & { method?: string }) | undefined;
}

export async function sendPolicy(port: number, request: PolicyRequest, tokens: Record<Exclude<Who, 'none'>, string>): Promise<PolicyOutcome> {
  const headers = new Headers(request.headers);
  if (request.who !== 'none') headers.set('authorization', `Bearer ${tokens[request.who]}`);
  if (request.form !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
  const req = new Request(`${GATEWAY}${request.path}`, { method: request.method, headers, redirect: 'manual', ...(request.form !== undefined ? { body: request.form } : {}) });
  const res = await handleRequest(req, envFor(port), { config: POLICY_CONFIG });
  const { view } = await frameworkView<NonNullable<PolicyOutcome['view']>>(res);
  return { status: res.status, view };
}

/**
 * What must never happen: signed out, any protected handler; a member who may only read, the
 * update or manage action (what PUT, POST and DELETE need `org:invoices:manage` for).
 */
export function policyViolation(request: PolicyRequest, outcome: PolicyOutcome): string | undefined {
  const handler = outcome.view?.handler;
  if (!handler?.startsWith('protected:')) return undefined;
  if (request.who === 'none') return `ran ${handler} signed out`;
  if (request.who === 'reader' && (handler === 'protected:invoices:update' || handler === 'protected:invoices:manage')) return `ran ${handler} for a member who may only read`;
  return undefined;
}

/** Sends every request, asserting no violation; returns how many reached a handler. */
export async function expectPolicyClean(framework: string, port: number, requests: readonly PolicyRequest[]): Promise<{ sent: number; reached: number }> {
  const tokens = await policyTokens();
  const failures: string[] = [];
  let reached = 0;
  for (const request of requests) {
    const outcome = await sendPolicy(port, request, tokens);
    if (outcome.view) reached++;
    if (outcome.status === 502 || outcome.status === 504) failures.push(`${request.method} ${request.path} (${request.label}): the origin did not answer (${outcome.status})`);
    const violation = policyViolation(request, outcome);
    if (violation) failures.push(`${framework}: ${request.method} ${request.path} (${request.label}, ${request.who}) → ${outcome.status}: ${violation}`);
  }
  expect(failures, `${framework}: ${failures.length} of ${requests.length} requests failed`).toEqual([]);
  return { sent: requests.length, reached };
}

/**
 * Controls, so the suite proves something: the app's invoices actions run for those who may, a
 * preflight from the allowed origin gets the gateway's 204, and the update action is what PATCH
 * reaches at this origin.
 */
export async function expectPolicyControls(framework: string, port: number): Promise<void> {
  const tokens = await policyTokens();
  const problems: string[] = [];
  const expectHandler = async (request: PolicyRequest, handler: string) => {
    const out = await sendPolicy(port, request, tokens);
    if (out.view?.handler !== handler || out.view.userId !== 'user_1') problems.push(`${request.method} ${request.path} as ${request.who} → ${out.status} ${JSON.stringify(out.view)} (expected ${handler} as user_1)`);
  };
  await expectHandler({ label: 'control', path: '/invoices/1', method: 'GET', who: 'reader' }, 'protected:invoices:read');
  await expectHandler({ label: 'control', path: '/invoices/1', method: 'PATCH', who: 'manager' }, 'protected:invoices:update');
  await expectHandler({ label: 'control', path: '/invoices/1', method: 'POST', who: 'manager', form: '_method=PATCH' }, 'protected:invoices:update');
  await expectHandler({ label: 'control', path: '/dashboard/x', method: 'OPTIONS', who: 'manager' }, 'protected:dashboard');
  const preflight = await sendPolicy(port, { label: 'control', path: '/invoices/1', method: 'OPTIONS', who: 'none', headers: { origin: FRONT, 'access-control-request-method': 'PATCH' } }, tokens);
  if (preflight.status !== 204 || preflight.view) problems.push(`an allowed preflight → ${preflight.status} ${JSON.stringify(preflight.view)} (expected the gateway's 204)`);
  expect(problems, `${framework}: the app or its wiring is broken, so the policy checks would prove nothing`).toEqual([]);
}
