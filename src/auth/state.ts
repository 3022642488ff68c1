/** What the gateway knows about the caller after authentication; input to `decide()`. */
export interface Identity {
  userId: string;
  sessionId: string;
  /** `pending`: signed in, but an after-auth task (e.g. choose-organization) is still open. */
  status: 'active' | 'pending';
  orgId?: string;
  orgRole?: string;
  orgSlug?: string;
  orgPermissions?: readonly string[];
}

/** Headers Clerk asks the gateway to send to the browser (`Set-Cookie`, `Cache-Control`). */
export type BrowserHeaders = readonly (readonly [name: string, value: string])[];

export type AuthState =
  /** Clerk must refresh the session first: send the browser to `location` with `headers`. */
  | { kind: 'redirect'; location: string; headers: BrowserHeaders; reason: string }
  | { kind: 'signed-out'; reason: string; headers: BrowserHeaders }
  | {
      kind: 'signed-in';
      identity: Identity;
      /** The verified session token; differs from the request's after a resolved handshake. */
      sessionToken: string;
      headers: BrowserHeaders;
    };
