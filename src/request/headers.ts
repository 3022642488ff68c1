/**
 * What reading a request's headers takes: the platform's `Headers`, or the gateway's
 * {@link RequestHeaders}. Names are asked in lower case, and the type says so: `get('Accept')`, or
 * any name but a lower-case literal (a `string`, even from `toLowerCase`, needs a cast), does not
 * compile, so a lookup never misses for its spelling and never folds a name at run time.
 */
export interface HeaderReader {
  get(name: Lowercase<string>): string | null;
  has(name: Lowercase<string>): boolean;
}

/**
 * A name's bit in {@link RequestHeaders}' mask of lengths: bit `length % 30`. 30 bits, not 32: the
 * mask stays a small integer to V8 (31 bits with pointer compression), never a heap number that
 * would make it rebuild the optimized lookups.
 */
function lengthBit(name: string): number {
  return 1 << name.length % 30;
}

/**
 * A request's headers, read once: one pass over the platform's `Headers`, then every lookup is
 * JavaScript. In workerd each `Headers` call crosses into the runtime (about 3.6 k
 * instructions a `get`, 37 k a `forEach` over ten headers: `bench:instructions -- --calls`), and a
 * forwarded request reads a dozen headers and then every name again; the pass it needs anyway now
 * serves them all.
 * Names are asked in lower case ({@link HeaderReader}), as the platform gives them; values are as
 * `Headers.get` gives them (repeated headers combined with `, `).
 */
export class RequestHeaders implements HeaderReader {
  // Two arrays searched with `===`, not a Map: a Map (or Set) lookup with a string made for this
  // request makes V8 intern it first, a call into its runtime for every header name (bench:instructions).
  private readonly keys: string[] = [];
  private readonly values: string[] = [];
  // `lengthBit` of every name: most names asked for are not there (`origin`, `range`, `upgrade`,
  // `x-request-id`…), and a length no name has answers without a search.
  private readonly lengths: number;

  /** @param raw the request's own headers, copied natively into what is forwarded (`new Headers(raw)`). */
  constructor(readonly raw: Headers) {
    const { keys, values } = this;
    let lengths = 0;
    raw.forEach((value, name) => {
      // Names come lower case and sorted, every name but `Set-Cookie` combined (Fetch's "sort and
      // combine"): a name that comes again comes right after itself. Comparing with the last name
      // keeps reading linear in the number of headers, however many a client sends.
      const last = keys.length - 1;
      if (last >= 0 && keys[last] === name) values[last] = `${values[last]}, ${value}`;
      else {
        keys.push(name);
        values.push(value);
        lengths |= lengthBit(name);
      }
    });
    this.lengths = lengths;
  }

  get(name: Lowercase<string>): string | null {
    if ((this.lengths & lengthBit(name)) === 0) return null;
    const at = this.keys.indexOf(name);
    return at < 0 ? null : (this.values[at] as string);
  }

  has(name: Lowercase<string>): boolean {
    return (this.lengths & lengthBit(name)) !== 0 && this.keys.includes(name);
  }

  /** Every name, lower case, once. */
  names(): readonly string[] {
    return this.keys;
  }
}
