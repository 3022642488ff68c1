/** Options for {@link JwksGate}. */
export interface JwksGateOptions {
  /** Backend API base URL. @default 'https://api.clerk.com' */
  apiUrl?: string;
  secretKey: string;
  /** Least time between two JWKS fetches caused by unknown `kid`s, in milliseconds. @default 30000 */
  cooldownMs?: number;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** The `kid` of a JWT's protected header, or undefined if it has none or is not a JWT. */
export function jwtKid(token: string): string | undefined {
  const header = token.split('.', 1)[0];
  if (!header) return undefined;
  try {
    const json = atob(header.replace(/-/g, '+').replace(/_/g, '/'));
    const kid = (JSON.parse(json) as { kid?: unknown }).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stands before `@clerk/backend` in JWKS mode, whose key loader refetches the JWKS for every
 * unknown `kid` with no cool-down: a flood of tokens with made-up `kid`s would become a flood
 * of Backend API calls. The gate knows the instance's `kid`s and refreshes them at most once
 * per cool-down, single-flight; a token whose `kid` is still unknown is refused without Clerk.
 */
export class JwksGate {
  private kids = new Set<string>();
  private lastFetch = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly doFetch: typeof fetch;
  /** JWKS fetches made, for tests and the bench. */
  fetches = 0;

  constructor(private readonly options: JwksGateOptions) {
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** True if every `kid` among these tokens belongs to the instance (tokens without a kid pass: Clerk refuses them). */
  async admits(tokens: readonly string[]): Promise<boolean> {
    const kids = tokens.map(jwtKid).filter((k): k is string => k !== undefined);
    if (kids.every((k) => this.kids.has(k))) return true;
    if (this.inflight || this.now() - this.lastFetch >= this.cooldownMs) await this.refresh();
    return kids.every((k) => this.kids.has(k));
  }

  private refresh(): Promise<void> {
    if (!this.inflight) {
      this.lastFetch = this.now();
      this.fetches++;
      this.inflight = this.load().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async load(): Promise<void> {
    const base = (this.options.apiUrl ?? 'https://api.clerk.com').replace(/\/+$/, '');
    try {
      const res = await this.doFetch(`${base}/v1/jwks`, {
        headers: { authorization: `Bearer ${this.options.secretKey}`, 'clerk-api-version': '2026-05-12' },
      });
      if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
      const body = (await res.json()) as { keys?: { kid?: unknown }[] };
      const kids = (body.keys ?? []).map((k) => k.kid).filter((k): k is string => typeof k === 'string');
      if (kids.length > 0) this.kids = new Set(kids);
    } catch (error) {
      console.error('edge-auth-gateway: could not fetch the JWKS; unknown kids are refused until the next try:', error);
    }
  }
}
