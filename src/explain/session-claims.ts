// The session token's claims, in Clerk's v2 shape, from `routes explain`'s flags (`--role`,
// `--permission`, `--feature`, `--plan`, `--org-*`, `--fva`).
import { sessionAuthObject } from '../auth/auth-object';
import { ExplainInputError, type SessionFlags } from './report';

const KEY = /^[A-Za-z0-9_-]+$/;
const ORG_SCOPES = new Set(['o', 'org', 'organization']);
const USER_SCOPES = new Set(['u', 'user']);

function entitlement(flag: string, value: string): { scope: 'o' | 'u'; key: string } {
  const [first, second, ...rest] = value.split(':');
  if (second === undefined && first !== undefined && KEY.test(first)) return { scope: 'u', key: first };
  if (rest.length === 0 && first !== undefined && second !== undefined && KEY.test(second)) {
    if (ORG_SCOPES.has(first)) return { scope: 'o', key: second };
    if (USER_SCOPES.has(first)) return { scope: 'u', key: second };
  }
  throw new ExplainInputError(`--${flag} ${JSON.stringify(value)}: expected <key>, o:<key> (the organization's) or u:<key> (the user's)`);
}

/** The packed list of scoped keys Clerk puts in `fea`/`pla`: organization ones first. */
function scoped(list: readonly { scope: 'o' | 'u'; key: string }[]): string | undefined {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const scope of ['o', 'u'] as const) {
    for (const item of list) {
      const entry = `${scope}:${item.key}`;
      if (item.scope === scope && !seen.has(entry)) out.push(entry), seen.add(entry);
    }
  }
  return out.length > 0 ? out.join(',') : undefined;
}

/**
 * The claims of a Clerk v2 session token carrying the flags: `o: { id, slg, rol, per, fpm }`,
 * `fea`, `pla`, `fva`. Permissions are packed as Clerk packs them: `per` lists the permission
 * keys, `fea` the organization's features (`o:<feature>`), and `fpm` holds one number per
 * organization feature whose bit i says it grants `per[i]` (`@clerk/shared`'s jwtPayloadParser
 * reads `org:<feature>:<per[i]>` back from them). A role or permission without `--org-id` gets
 * the organization `org_explain`.
 */
export function sessionClaims(flags: SessionFlags, status: 'active' | 'pending'): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: 'user_explain', sid: 'sess_explain', v: 2, sts: status };
  const features = (flags.features ?? []).map((f) => entitlement('feature', f));
  const plans = (flags.plans ?? []).map((p) => entitlement('plan', p));
  const granted = new Map<string, Set<string>>();
  const permissionKeys: string[] = [];
  for (const permission of flags.permissions ?? []) {
    const match = /^(?:org:)?([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/.exec(permission);
    if (!match) throw new ExplainInputError(`--permission ${JSON.stringify(permission)}: expected org:<feature>:<permission>, like org:invoices:manage`);
    const [, feature, key] = match as unknown as [string, string, string];
    if (!permissionKeys.includes(key)) permissionKeys.push(key);
    granted.set(feature, (granted.get(feature) ?? new Set()).add(key));
    // A permission exists only under an organization feature in `fea`.
    features.push({ scope: 'o', key: feature });
  }
  const role = flags.role?.replace(/^org:/, '');
  if (role !== undefined && !KEY.test(role)) throw new ExplainInputError(`--role ${JSON.stringify(flags.role)}: expected a role key like org:admin`);

  const fea = scoped(features);
  if (flags.orgId !== undefined || flags.orgSlug !== undefined || role !== undefined || permissionKeys.length > 0) {
    const o: Record<string, string> = { id: flags.orgId ?? 'org_explain' };
    if (flags.orgSlug !== undefined) o.slg = flags.orgSlug;
    if (role !== undefined) o.rol = role;
    if (permissionKeys.length > 0) {
      const orgFeatures = (fea ?? '').split(',').filter((f) => f.startsWith('o:')).map((f) => f.slice(2));
      o.per = permissionKeys.join(',');
      o.fpm = orgFeatures
        .map((feature) => permissionKeys.reduce((bits, key, i) => (granted.get(feature)?.has(key) ? bits | (1n << BigInt(i)) : bits), 0n).toString())
        .join(',');
    }
    claims.o = o;
  }
  if (fea) claims.fea = fea;
  const pla = scoped(plans);
  if (pla) claims.pla = pla;
  if (flags.fva) claims.fva = [...flags.fva];
  return claims;
}

/** The flags `has()` does not read back from the claims; empty unless the packing above is wrong. */
export function unreadFlags(flags: SessionFlags, claims: Readonly<Record<string, unknown>>): string[] {
  const auth = sessionAuthObject('explain', claims);
  const asked: [string, Parameters<typeof auth.has>[0]][] = [
    ...(flags.role !== undefined ? [[`--role ${flags.role}`, { role: flags.role.startsWith('org:') ? flags.role : `org:${flags.role}` }] as [string, Parameters<typeof auth.has>[0]]] : []),
    ...(flags.permissions ?? []).map((p) => [`--permission ${p}`, { permission: p.startsWith('org:') ? p : `org:${p}` }] as [string, Parameters<typeof auth.has>[0]]),
    ...(flags.features ?? []).map((f) => [`--feature ${f}`, { feature: f }] as [string, Parameters<typeof auth.has>[0]]),
    ...(flags.plans ?? []).map((p) => [`--plan ${p}`, { plan: p }] as [string, Parameters<typeof auth.has>[0]]),
  ];
  return asked.filter(([, params]) => !auth.has(params)).map(([flag]) => flag);
}
