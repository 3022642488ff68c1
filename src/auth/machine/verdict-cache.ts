import { MACHINE_TOKEN_CACHE_MS, MACHINE_TOKENS_KEPT } from '../../config/limits';
import { BoundedMap } from '../../runtime/bounded-map';
import type { AuthState } from '../result';

/** What verifying a machine token comes to: verified, or signed out with the reason. */
export type MachineVerdict = Extract<AuthState, { kind: 'machine' } | { kind: 'signed-out' }>;
type Verdict = MachineVerdict;

/**
 * Machine-token verdicts, verified and refused, kept briefly per isolate and keyed on the whole
 * token: a busy API does not ask Clerk on every request, and a replayed made-up key costs nothing.
 * A revoked token keeps working here for at most {@link MACHINE_TOKEN_CACHE_MS}.
 */
export class MachineVerdictCache {
  // Insertion order: a verdict is stored once and read until it lapses; the oldest stored goes first.
  private readonly entries = new BoundedMap<string, { verdict: Verdict; until: number }>({ maxEntries: MACHINE_TOKENS_KEPT });

  get(token: string, now: number): Verdict | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.verdict;
  }

  set(token: string, verdict: Verdict, now: number): void {
    this.entries.set(token, { verdict, until: now + MACHINE_TOKEN_CACHE_MS });
  }
}
