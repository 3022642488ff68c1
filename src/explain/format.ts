// The text of `npm run routes -- explain` and `npm run routes -- list`: reports (explain.ts) to lines.
import type { CompiledRoute, RoutePattern } from '../config/types';
import { describeConditions } from '../policy/conditions';
import { describePending } from '../policy/pending';
import { policyOf, type Policy } from '../policy/policy';
import type { MethodRow } from './explain';
import type { RouteList } from './list';
import { ruleRef, type ExplainReport, type Outcome, type Row, type Skipped } from './report';

const CLIENTS: Record<Row['client'], string> = {
  page: 'page load',
  form: 'form submission',
  htmx: 'htmx request',
  api: 'API call',
  preflight: 'CORS preflight',
};

function pattern(p: RoutePattern): string {
  return typeof p === 'string' ? p : String(p);
}

/** `GET` stands for `HEAD` too: the HEAD validation adds is not shown. */
function methodList(route: CompiledRoute): string {
  if (!route.methods) return 'any';
  return [...route.methods].filter((m) => !(m === 'HEAD' && route.methods?.has('GET'))).join(', ');
}

/** `public`, or `protected` with the options and conditions of `protect` (each set's, in check order). */
export function protection(policy: Policy): string {
  const pending = describePending(policy);
  if (!policy.protect) return pending ? `public, ${pending}` : 'public';
  const parts = pending ? [pending] : [];
  for (const set of policy.conditions) parts.push(...describeConditions(set));
  if (policy.unauthorizedUrl !== undefined) parts.push(`else 303 ${policy.unauthorizedUrl}`);
  if (policy.forwardPreflights) parts.push('preflights forwarded unauthenticated');
  return parts.length > 0 ? `protected: ${parts.join(', ')}` : 'protected';
}

function origin(route: CompiledRoute): string {
  const o = route.origin;
  if (!o) return 'ORIGIN_URL';
  const strip = o.stripPrefix.length > 0 ? ` (strip /${o.stripPrefix.join('/')})` : '';
  return `${o.kind === 'url' ? o.base : `binding ${o.binding}`}${strip}`;
}

function accepts(route: CompiledRoute): string {
  return `${route.accept.join(', ')}${route.scopes.length > 0 ? `; scopes ${route.scopes.join(', ')}` : ''}`;
}

function skipped(skip: Skipped, method: string, host: string): string {
  const what = `${skip.label} "${skip.name}"`;
  switch (skip.why) {
    case 'path':
      return `${what}: pattern does not match`;
    case 'method':
      return `${what}: method ${method} is not one of its methods (${(skip.listed ?? []).filter((m) => m !== 'HEAD').join(', ')})`;
    case 'host':
      return `${what}: host ${host} is not one of its hosts (${(skip.listed ?? []).join(', ')})`;
  }
}

function outcome(o: Outcome): string {
  switch (o.kind) {
    case 'forward':
      return `forward, X-Auth-Session-Status: ${o.status}`;
    case 'answer':
      return `answered by the gateway ${o.status} (cors), Access-Control-Allow-Origin: ${o.allowOrigin}; never forwarded`;
    case 'redirect':
      return `redirect ${o.status} ${o.code} (${o.reason}) to ${o.location}`;
    case 'deny':
      return `deny ${o.status} ${o.code} (${o.reason})`;
    case 'clerk':
      return `Clerk answers first (${o.reason}): a GET page load goes through Clerk's handshake, anything else is decided signed out`;
  }
}

function claimsLine(claims: Readonly<Record<string, unknown>>): string {
  // The placeholder ids and the version say nothing the reader chose.
  const { sub: _sub, sid: _sid, v: _v, ...rest } = claims;
  return JSON.stringify(rest);
}

/** The lines of `routes explain`. */
export function formatExplain(report: ExplainReport): string[] {
  const lines = [`${report.method} ${report.url}`];
  if (report.placeholderHost) lines.push(`  host ${report.host} is a placeholder (a path was given); give a full URL to match rules with hosts`);
  if (report.stop) {
    const { status, code, why } = report.stop;
    if (report.canonicalPath !== undefined) lines.push(`canonical path: ${report.canonicalPath}`);
    lines.push(code === 'endpoint' ? `gateway endpoint: ${why}` : `refused before any rule: ${status} ${code} (${why})`);
    return lines;
  }
  lines.push(`canonical path: ${report.canonicalPath}`);
  lines.push(`readings: ${report.readings.join('  ')}`);
  lines.push(`methods matched: ${report.methods.join(', ')}`);
  if (report.attempts.length > 1) {
    for (const a of report.attempts) lines.push(`  ${a.reading} ${a.method}: ${a.rule ? `${a.rule.label} "${a.rule.name}"` : 'no rule'}`);
  }
  const d = report.decisive;
  const at = d && report.attempts.length > 1 ? ` (reading ${d.reading}, method ${d.method})` : '';
  const rule = report.rule;
  if (!rule) lines.push(`rule: none matched: public (defaultPolicy 'public')${at}`);
  else if (rule.label === 'default') lines.push(`rule: none matched: defaultPolicy 'protect'${at}`);
  else lines.push(`rule: ${rule.label} "${rule.name}"${at}`);
  for (const skip of report.skipped) lines.push(`  not ${skipped(skip, d?.method ?? report.method, report.host)}`);
  if (report.met) {
    const names = report.met.map((r) => (r ? `${r.label} "${r.name}"` : 'no rule (public)')).join(', ');
    lines.push(`rules met by the readings and methods: ${names}; every protected one must let the request through`);
  }
  if (report.route) lines.push(`protect: ${protection(report.route)}`);
  const params = (report.route?.rules ?? []).map((r) => r.conditions?.organizationParam).filter((p) => p !== undefined);
  if (params.length > 0) lines.push(`organization in the path (${params.map((p) => `:${p}`).join(', ')}): ${report.organizations.join(', ') || 'none'}`);
  lines.push(`forwards to: ${report.forwardTo}`);
  for (const decision of report.decisions) {
    lines.push(decision.claims && decision.state !== 'signed-out' ? `${decision.state}: claims ${claimsLine(decision.claims)}` : `${decision.state}:`);
    for (const note of decision.notes) lines.push(`  (${note})`);
    const width = Math.max(...decision.rows.map((row) => CLIENTS[row.client].length));
    for (const row of decision.rows) lines.push(`  ${`${CLIENTS[row.client]}:`.padEnd(width + 1)} ${outcome(row.outcome)}`);
  }
  for (const note of report.notes) lines.push(`warning: ${note}`);
  return lines;
}

/** An outcome in a few words, for the per-method table. */
function short(o: Outcome): string {
  switch (o.kind) {
    case 'forward':
      return `forward (${o.status})`;
    case 'answer':
      return `${o.status} by the gateway`;
    case 'redirect':
      return `${o.status} ${o.reason}`;
    case 'deny':
      return `${o.status} ${o.reason}`;
    case 'clerk':
      return `Clerk: ${o.reason}`;
  }
}

/** The lines of `routes explain --per-method`: one row per method, one column per session state. */
export function formatPerMethod(url: string, rows: readonly MethodRow[]): string[] {
  const states = rows[0]?.outcomes.map((o) => o.state) ?? [];
  return [`${url}: what an API call gets, per method`, ...table([['method', ...states], ...rows.map((row) => [row.method, ...row.outcomes.map((o) => short(o.outcome))])])];
}

/** Columns padded to their widest cell; the last one unpadded. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

function listRow(label: string, route: CompiledRoute): string[] {
  return [
    label,
    route.name,
    route.patterns.map(pattern).join(', '),
    methodList(route),
    route.hosts?.join(', ') ?? 'any',
    protection(policyOf(route)),
    accepts(route),
    origin(route),
    route.protect ? route.onUnauthenticated : '-',
  ];
}

/** The lines of `routes list`. */
export function formatList(list: RouteList): string[] {
  const rows = [['#', 'name', 'patterns', 'methods', 'hosts', 'protect', 'accept', 'origin', 'onUnauthenticated']];
  for (const route of list.routes) rows.push(listRow(ruleRef(route)?.label ?? '', route));
  for (const pages of list.signInPages) rows.push(listRow('auto', pages));
  const lines = table(rows);
  if (list.signInPages.length > 0) lines.push(`auto: the sign-in and task pages on the gateway's host are public under defaultPolicy 'protect' (tried after every rule)`);
  lines.push(
    list.defaultPolicy === 'protect'
      ? `defaultPolicy: protect: a path no rule matches needs a signed-in, active session`
      : `defaultPolicy: public: a path no rule matches is forwarded, signed out or with its identity`,
  );
  if (list.unauthorizedUrl !== undefined) lines.push(`unauthorizedUrl: ${list.unauthorizedUrl}`);
  return lines;
}
