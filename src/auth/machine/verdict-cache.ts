import { MACHINE_TOKEN_CACHE_MS, MACHINE_TOKENS_KEPT } from '../../config/limits';
import { BoundedMap } from '../../runtime/bounded-map';
import type { SharedCache } from '../limits/shared-cache';
import type { AuthState } from '../result';

/** What verifying a machine token comes to: verified, or signed out with the reason. */
export type MachineVerdict = Extract<AuthState, { kind: 'machine' } | { kind: 'signed-out' }>;
type Verdict = MachineVerdict;

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * A verdict read back from the shared tier, if it has exactly the shape this file stores: a
 * machine principal, or the refusal `ERR_MACHINE_TOKEN_INVALID`. Anything else is a miss.
 */
function sharedVerdict(value: unknown): Verdict | undefined {
  const v = value as { kind?: unknown; principal?: Record<string, unknown>; failure?: Record<string, unknown> } | null;
  if (v?.kind === 'machine' && v.principal) {
    const { tokenKind, id, subject, scopes, clientId } = v.principal;
    if (!['api_key', 'm2m_token', 'oauth_token'].includes(tokenKind as string) || !isString(id) || !isString(subject)) return undefined;
    if (!Array.isArray(scopes) || !scopes.every(isString) || (clientId !== undefined && !isString(clientId))) return undefined;
    const principal = { tokenKind: tokenKind as 'api_key', id, subject, scopes, ...(clientId !== undefined ? { clientId } : {}) };
    return { kind: 'machine', principal, headers: [] };
  }
  if (v?.kind === 'signed-out' && v.failure?.code === 'ERR_MACHINE_TOKEN_INVALID' && isString(v.failure.clerkReason)) {
    return { kind: 'signed-out', failure: { code: 'ERR_MACHINE_TOKEN_INVALID', clerkReason: v.failure.clerkReason }, headers: [] };
  }
  return undefined;
}

/**
 * Machine-token verdicts, verified and refused, kept briefly per isolate and keyed on the whole
 * token: a busy API does not ask Clerk on every request, and a replayed made-up key costs nothing.
 * A revoked token keeps working here for at most {@link MACHINE_TOKEN_CACHE_MS}.
 *
 * With a shared tier (the Cache API), the Backend API's verdicts on opaque tokens are also kept
 * there, keyed by a hash of the token, until the same instant: an isolate that has not seen the
 * token takes the verdict another isolate got, and keeps it only until then. A verdict is never
 * kept longer, in all tiers together, than MACHINE_TOKEN_CACHE_MS after Clerk gave it.
 */
export class MachineVerdictCache {
  // Insertion order: a verdict is stored once and read until it lapses; the oldest stored goes first.
  private readonly entries = new BoundedMap<string, { verdict: Verdict; until: number }>({ maxEntries: MACHINE_TOKENS_KEPT });

  /** @param shared the shared tier, if any. @default none */
  constructor(private readonly shared?: SharedCache) {}

  get(token: string, now: number): Verdict | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.verdict;
  }

  /** Keeps a verdict Clerk just gave; `until` is when it lapses. @default now + MACHINE_TOKEN_CACHE_MS */
  set(token: string, verdict: Verdict, now: number, until = now + MACHINE_TOKEN_CACHE_MS): void {
    this.entries.set(token, { verdict, until });
  }

  /** The shared tier's verdict on a token, kept here too until it lapses there; `undefined` when it has none (or fails). */
  async fromShared(token: string, now: number): Promise<Verdict | undefined> {
    const entry = await this.shared?.get('machine-verdict', token, now);
    const verdict = entry && sharedVerdict(entry.value);
    if (!verdict) return undefined;
    this.set(token, verdict, now, Math.min(entry.until, now + MACHINE_TOKEN_CACHE_MS));
    return verdict;
  }

  /** Keeps a verdict Clerk just gave in the shared tier too (bounded by its deadline; never throws). */
  async share(token: string, verdict: Verdict, now: number): Promise<void> {
    await this.shared?.put('machine-verdict', token, verdict, now + MACHINE_TOKEN_CACHE_MS, now);
  }
}
