/**
 * `read`, answering a key equal to the one before from the answer before: for a pure reading of a
 * header value that most requests repeat (an isolate's clients send few distinct `Accept-Encoding`
 * values, an origin answers most paths with one `Content-Type`). One entry, so nothing a client
 * sends can grow it; keys are compared with `===` (strings by value, `null` apart from `''`).
 */
export function lastValue<K, V>(read: (key: K) => V): (key: K) => V {
  let last: { key: K; value: V } | undefined;
  return (key) => {
    if (last !== undefined && last.key === key) return last.value;
    const value = read(key);
    last = { key, value };
    return value;
  };
}
