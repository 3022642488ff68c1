// Who the demo can sign in, and the Clerk-shaped session tokens it mints for them: the sign-in
// page (demo/origin.mjs) and `npm run token` (scripts/token.mjs, through the demo server) both
// build their tokens here, so a browser session and a curl token carry the same claims.
import { sessionClaims, signJwt } from '../scripts/lib/session-token.mjs';

/** The Frontend API host of the demo's made-up production instance: every token's `iss`. */
export const DEMO_FRONTEND_API = 'clerk.demo.localhost';
export const DEMO_ISSUER = `https://${DEMO_FRONTEND_API}`;
/** The publishable key of that instance: `pk_live_` + base64("<Frontend API>$"). */
export const DEMO_PUBLISHABLE_KEY = `pk_live_${Buffer.from(`${DEMO_FRONTEND_API}$`).toString('base64')}`;
/** Seconds a demo token is valid: a working day, so that a browser session does not need refreshing. */
export const DEMO_TOKEN_LIFETIME_S = 8 * 3600;

export const USERS = {
  active: { id: 'user_demo_ada', name: 'Ada (active)', org: 'acme' },
  pending: { id: 'user_demo_pat', name: 'Pat (pending)', org: undefined },
};

export const ORGS = {
  acme: {
    name: 'Acme Corp',
    note: 'you are an admin: dashboard read + manage',
    claim: { id: 'org_demo_acme', slg: 'acme', rol: 'admin', per: 'read,manage', fpm: '3' },
    features: 'o:dashboard',
  },
  globex: {
    name: 'Globex Inc.',
    note: 'you are a member: dashboard read only',
    claim: { id: 'org_demo_globex', slg: 'globex', rol: 'member', per: 'read', fpm: '1' },
    features: 'o:dashboard',
  },
};

/**
 * The `o` claim and `fea` for an organization `slug`: one of {@link ORGS} as is, or any other
 * slug, with `role` (`admin` or `org:admin`) and `permissions` (`org:<feature>:<permission>`,
 * encoded as Clerk's v2 token does: features in `fea`, permission names in `o.per`, and per
 * feature a bit mask over them in `o.fpm`, bit i for name i).
 * @param {{ slug: string, role?: string, permissions?: string[] }} organization
 */
export function organizationClaims({ slug, role, permissions }) {
  const known = Object.hasOwn(ORGS, slug) ? ORGS[slug] : undefined;
  if (known && role === undefined && permissions === undefined) return { o: { ...known.claim }, fea: known.features };
  const perms = permissions ?? [];
  const features = [];
  const names = [];
  for (const permission of perms) {
    const match = /^org:([\w-]+):([\w-]+)$/.exec(permission);
    if (!match) throw new Error(`permission ${JSON.stringify(permission)} is not like org:<feature>:<permission>, e.g. org:billing:manage`);
    if (!features.includes(match[1])) features.push(match[1]);
    if (!names.includes(match[2])) names.push(match[2]);
  }
  const masks = features.map((feature) =>
    perms.reduce((mask, p) => {
      const [, f, name] = p.split(':');
      return f === feature ? mask | (1 << names.indexOf(name)) : mask;
    }, 0),
  );
  const o = {
    id: known?.claim.id ?? `org_demo_${slug.replace(/[^\w]/g, '_')}`,
    slg: slug,
    rol: (role ?? known?.claim.rol ?? 'admin').replace(/^org:/, ''),
    ...(features.length ? { per: names.join(','), fpm: masks.join(',') } : {}),
  };
  return features.length ? { o, fea: features.map((f) => `o:${f}`).join(',') } : { o };
}

/**
 * An RS256 session token in Clerk's v2 claim format, signed with the demo's key, and its iat.
 * @param {import('node:crypto').KeyObject} privateKey
 * @param {{ userId: string, sessionId: string, status: 'active' | 'pending', azp: string,
 *   org?: { slug: string, role?: string, permissions?: string[] }, lifetime?: number }} options
 */
export async function demoSessionToken(privateKey, { userId, sessionId, status, org, azp, lifetime = DEMO_TOKEN_LIFETIME_S }) {
  const claims = sessionClaims({ sub: userId, sid: sessionId, issuer: DEMO_ISSUER, azp, status, lifetime });
  const payload = org ? { ...claims, ...organizationClaims(org) } : claims;
  return { token: await signJwt(payload, privateKey, { kid: 'demo' }), iat: claims.iat, claims: payload };
}
