import type { Identity } from '../auth/state';
import type { SessionStatus } from '../decision/decide';

// RFC 9110 §7.6.1 hop-by-hop headers, plus ones a proxy must not pass on.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

// Headers a client must never choose: the gateway sets its own or none.
const SPOOFABLE = new Set([
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
]);
const SPOOFABLE_PREFIXES = ['x-auth-', 'x-forwarded-', 'x-middleware-', 'x-clerk-'];

/** A header name as an origin may read it: lower case, `_` as `-` (nginx, PHP, Rails do). */
function normalizedName(name: string): string {
  const lower = name.toLowerCase();
  return lower.includes('_') ? lower.replace(/_/g, '-') : lower;
}

/** True for a client-sent header the gateway removes before forwarding. */
export function isStrippedHeader(name: string): boolean {
  const n = normalizedName(name);
  return HOP_BY_HOP.has(n) || SPOOFABLE.has(n) || SPOOFABLE_PREFIXES.some((p) => n.startsWith(p));
}

/** What the gateway vouches for, set after every client copy is gone. */
export interface ForwardedFacts {
  status: SessionStatus;
  identity: Identity | undefined;
  /** The host and scheme the client reached the gateway on. */
  host: string;
  proto: 'http' | 'https';
  clientIp: string | null;
  /** A session token to put in the forwarded Cookie header (after a handshake or refresh). */
  replaceSessionToken?: string;
}

function replaceSessionCookie(cookieHeader: string, token: string): string {
  let replaced = false;
  const parts = cookieHeader.split(';').map((part) => {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq > 0 && (name === '__session' || name.startsWith('__session_'))) {
      replaced = true;
      return `${name}=${token}`;
    }
    return part.trim();
  });
  if (!replaced) parts.push(`__session=${token}`);
  return parts.filter(Boolean).join('; ');
}

/**
 * The headers sent to the origin: the client's, minus hop-by-hop and every spoofable or
 * identity header in any spelling, plus the gateway's identity and forwarding headers.
 */
export function originRequestHeaders(inbound: Headers, facts: ForwardedFacts): Headers {
  const out = new Headers();
  const listedInConnection = new Set(
    (inbound.get('connection') ?? '')
      .split(',')
      .map((s) => normalizedName(s.trim()))
      .filter(Boolean),
  );
  inbound.forEach((value, name) => {
    if (isStrippedHeader(name) || listedInConnection.has(normalizedName(name))) return;
    out.append(name, value);
  });

  // WebSockets are the one upgrade proxied: workerd completes it and hands back the socket.
  if (inbound.get('upgrade')?.toLowerCase() === 'websocket') out.set('upgrade', 'websocket');

  if (facts.replaceSessionToken) {
    out.set('cookie', replaceSessionCookie(inbound.get('cookie') ?? '', facts.replaceSessionToken));
  }

  out.set('x-forwarded-host', facts.host);
  out.set('x-forwarded-proto', facts.proto);
  if (facts.clientIp) out.set('x-forwarded-for', facts.clientIp);

  out.set('x-auth-session-status', facts.status);
  const id = facts.identity;
  if (id) {
    out.set('x-auth-user-id', id.userId);
    out.set('x-auth-session-id', id.sessionId);
    if (id.orgId) out.set('x-auth-org-id', id.orgId);
    if (id.orgRole) out.set('x-auth-org-role', id.orgRole);
    if (id.orgSlug) out.set('x-auth-org-slug', id.orgSlug);
    if (id.orgPermissions?.length) out.set('x-auth-org-permissions', id.orgPermissions.join(','));
  }
  return out;
}
