// How a setting's raw text is read, for every settings file: one reading of "unset" and of yes/no.

/** The trimmed value, or undefined when unset or blank. */
export function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** A yes/no setting: `true`/`false` (any case), or `fallback` when unset; anything else is a problem naming it. */
export function flag(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  const value = present(raw)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  problems.push(`${name} must be true or false, got ${JSON.stringify(raw)}`);
  return fallback;
}
