// What Clerk's control components show, as a pure function of the auth state and the element's
// attributes: `<clerk-signed-in>`, `<clerk-signed-out>`, `<clerk-protect>` (with its
// `<clerk-fallback>`) and `<clerk-value>`. The semantics are Clerk's React ones
// (`@clerk/react`'s `controlComponents.tsx`: `SignedIn`, `SignedOut`, `Protect`): "signed in" is a
// user id after pending treatment (`useAuth({ treatPendingAsSignedOut })`, default `true`), and
// `<clerk-protect>`'s conditions are handed to Clerk's own `has()` in one call, as `Protect` does
// with its props. Where an HTML attribute can say what a typed prop cannot (a typo, an empty
// value, `treat-pending-as-signed-out="maybe"`), the element is malformed, and the rewriter hides
// the rest of the page: a condition that silently vanished would show admin content to anyone.
// The HTMLRewriter wiring is src/proxy/components/; `npm run components` calls this too.
import { sessionAuthObject } from '../auth/auth-object';
import type { AuthState, Identity } from '../auth/result';
import type { SessionAuth } from '../config/types';

/** The elements, as the HTML parser reports them (lower case). */
export const COMPONENT_TAGS = ['clerk-signed-in', 'clerk-signed-out', 'clerk-protect', 'clerk-fallback', 'clerk-value'] as const;
export type ComponentTag = (typeof COMPONENT_TAGS)[number];

/** Who the page is for: a session (active or pending) with its claims, or nobody (signed out, or a machine token). */
export interface Viewer {
  readonly identity: Identity | undefined;
  /** Clerk's signed-in auth object for the session, built on first use (its `has()` reads the claims). */
  readonly auth: () => SessionAuth | undefined;
}

/**
 * The viewer of a forwarded answer. A machine token, a handshake and every signed-out state see
 * the signed-out branches; a session sees by its identity, pending or active, and each element
 * applies its own `treat-pending-as-signed-out`.
 */
export function viewerOf(auth: AuthState): Viewer {
  if (auth.kind !== 'signed-in') return { identity: undefined, auth: () => undefined };
  const { identity, sessionToken } = auth;
  let built: SessionAuth | undefined;
  return {
    identity,
    auth: () => {
      // Without claims has() has nothing to read: every condition fails (see unmetCondition).
      if (!built && identity.claims) built = sessionAuthObject(sessionToken, identity.claims);
      return built;
    },
  };
}

/** What one start tag resolves to. */
export type Resolution =
  /** Show the element's content (its tags never reach the browser). */
  | { kind: 'show' }
  /** Hide the element and its content. */
  | { kind: 'hide' }
  /** `<clerk-protect>` that does not apply: hide its content but its `<clerk-fallback>`. */
  | { kind: 'fallback' }
  /** `<clerk-value>`: this text, HTML-escaped by the rewriter, in place of the element. */
  | { kind: 'value'; text: string }
  /** The element is not one this gateway can decide: the rest of the page is hidden. */
  | { kind: 'malformed'; problem: string };

const PENDING_ATTRIBUTE = 'treat-pending-as-signed-out';
const CONDITION_ATTRIBUTES = ['role', 'permission', 'feature', 'plan'] as const;
/** `<clerk-value name>`: what of the session it prints. */
const VALUES = {
  'user-id': (identity: Identity) => identity.userId,
  'session-id': (identity: Identity) => identity.sessionId,
  'org-id': (identity: Identity) => identity.orgId,
  'org-slug': (identity: Identity) => identity.orgSlug,
  'org-role': (identity: Identity) => identity.orgRole,
} as const satisfies Record<string, (identity: Identity) => string | undefined>;

const ALLOWED: Record<ComponentTag, readonly string[]> = {
  'clerk-signed-in': [PENDING_ATTRIBUTE],
  'clerk-signed-out': [PENDING_ATTRIBUTE],
  'clerk-protect': [PENDING_ATTRIBUTE, ...CONDITION_ATTRIBUTES],
  'clerk-fallback': [],
  'clerk-value': [PENDING_ATTRIBUTE, 'name'],
};

export function isComponentTag(tag: string): tag is ComponentTag {
  return (COMPONENT_TAGS as readonly string[]).includes(tag);
}

const malformed = (tag: string, problem: string): Resolution => ({ kind: 'malformed', problem: `<${tag}>: ${problem}` });

/** `treatPendingAsSignedOut` from the attribute: absent or `"true"` (or bare) is Clerk's default, `"false"` the opt-out. */
function treatPendingAsSignedOut(attributes: ReadonlyMap<string, string>): boolean | undefined {
  const value = attributes.get(PENDING_ATTRIBUTE);
  if (value === undefined || value === '' || value === 'true') return true;
  return value === 'false' ? false : undefined;
}

/** The user id `useAuth({ treatPendingAsSignedOut })` would give: none for a pending session it treats as signed out. */
function signedInIdentity(viewer: Viewer, treatPending: boolean): Identity | undefined {
  const identity = viewer.identity;
  return identity && !(treatPending && identity.status === 'pending') ? identity : undefined;
}

/** `Protect`: signed in (after pending treatment), then, when conditions are given, Clerk's `has()` with all of them at once. */
function protect(viewer: Viewer, attributes: ReadonlyMap<string, string>, treatPending: boolean): Resolution {
  const params: Record<string, string> = {};
  for (const name of CONDITION_ATTRIBUTES) {
    const value = attributes.get(name);
    // An empty value would be no condition to Clerk (a falsy prop): fail closed instead.
    if (value !== undefined && value.trim() === '') return malformed('clerk-protect', `${name} is empty`);
    if (value !== undefined) params[name] = value;
  }
  if (!signedInIdentity(viewer, treatPending)) return { kind: 'fallback' };
  if (Object.keys(params).length === 0) return { kind: 'show' };
  const auth = viewer.auth();
  let granted = false;
  try {
    granted = auth?.has(params as Parameters<SessionAuth['has']>[0]) === true;
  } catch {
    // has() throws on a malformed scope ("x:y:z"): not granted.
    granted = false;
  }
  return granted ? { kind: 'show' } : { kind: 'fallback' };
}

/**
 * What a component's start tag resolves to for this viewer, from its lower-cased tag and its
 * attributes. `<clerk-fallback>` resolves to `show`: whether it applies is its `<clerk-protect>`'s
 * answer, which the rewriter holds.
 */
export function resolveComponent(tag: ComponentTag, attributes: ReadonlyMap<string, string>, viewer: Viewer): Resolution {
  for (const name of attributes.keys()) {
    if (!ALLOWED[tag].includes(name)) return malformed(tag, `${name} is not an attribute of it (known: ${ALLOWED[tag].join(', ') || 'none'})`);
  }
  const treatPending = treatPendingAsSignedOut(attributes);
  if (treatPending === undefined) return malformed(tag, `${PENDING_ATTRIBUTE} must be "true" or "false", got ${JSON.stringify(attributes.get(PENDING_ATTRIBUTE))}`);
  switch (tag) {
    case 'clerk-signed-in':
      return signedInIdentity(viewer, treatPending) ? { kind: 'show' } : { kind: 'hide' };
    case 'clerk-signed-out':
      return signedInIdentity(viewer, treatPending) ? { kind: 'hide' } : { kind: 'show' };
    case 'clerk-protect':
      return protect(viewer, attributes, treatPending);
    case 'clerk-fallback':
      return { kind: 'show' };
    case 'clerk-value': {
      const name = attributes.get('name') ?? '';
      if (!Object.hasOwn(VALUES, name)) return malformed(tag, `name must be one of ${Object.keys(VALUES).join(', ')}, got ${JSON.stringify(name)}`);
      const identity = signedInIdentity(viewer, treatPending);
      return { kind: 'value', text: identity ? VALUES[name as keyof typeof VALUES](identity) ?? '' : '' };
    }
  }
}
