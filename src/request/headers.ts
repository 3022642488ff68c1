/** What reading a request's headers takes: the platform's `Headers`, or the gateway's {@link RequestHeaders}. */
export type HeaderReader = Pick<Headers, 'get' | 'has'>;

/**
 * A request's headers, read once: one pass over the platform's `Headers`, then every lookup is a
 * JavaScript `Map` read. In workerd each `Headers` call crosses into the runtime (about 3.6 k
 * instructions a `get`, 37 k a `forEach` over ten headers: `bench:instructions -- --calls`), and a
 * forwarded request reads a dozen headers and then every name again; the pass it needs anyway now
 * serves them all.
 * Names are looked up in any case, as `Headers` does; values are as `Headers.get` gives them
 * (repeated headers combined with `, `).
 */
export class RequestHeaders implements HeaderReader {
  private readonly values = new Map<string, string>();

  /** @param raw the request's own headers, copied natively into what is forwarded (`new Headers(raw)`). */
  constructor(readonly raw: Headers) {
    raw.forEach((value, name) => {
      const before = this.values.get(name);
      this.values.set(name, before === undefined ? value : `${before}, ${value}`);
    });
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  /** Every name, lower case, once. */
  names(): IterableIterator<string> {
    return this.values.keys();
  }
}
