// Shared by the Node framework origins: the JSON every handler answers, built from what the
// framework itself read (headers through its own accessors, cookies through its usual parser).

/**
 * @param {string} framework
 * @param {string} handler 'protected:<name>' | 'public'
 * @param {{ header: (name: string) => unknown, session: unknown, clientUat: unknown, path: unknown, alt?: Record<string, unknown> }} read
 */
export function answer(framework, handler, read) {
  const h = (name) => {
    const v = read.header(name);
    return Array.isArray(v) ? v.join(', ') : v ?? null;
  };
  return {
    framework,
    handler,
    path: read.path ?? null,
    userId: h('x-auth-user-id'),
    sessionId: h('x-auth-session-id'),
    sessionStatus: h('x-auth-session-status'),
    forwardedHost: h('x-forwarded-host'),
    session: read.session ?? null,
    clientUat: read.clientUat ?? null,
    alt: read.alt ?? {},
  };
}

/**
 * The routes every origin protects, mirroring the suite's gateway config (test/origins/corpus.ts),
 * written the way each framework spells them. Names are what `protected:<name>` reports.
 */
export const PROTECTED = ['dashboard', 'app', 'item', 'apikeys', 'admin', 'profile', 'staff'];
