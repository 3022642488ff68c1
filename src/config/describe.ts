/** A value as a config error message shows it: strings quoted, RegExps as written, others by type. */
export function describe(value: unknown): string {
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
