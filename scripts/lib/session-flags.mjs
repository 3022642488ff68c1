// The session flags `npm run routes -- explain` and `npm run components -- render` take (`--role`,
// `--permission`, `--feature`, `--plan`, `--org-id`, `--org-slug`, `--fva`), read into the
// `SessionFlags` src/explain/session-claims.ts turns into a session token's claims.

/** parseArgs options for the flags. */
export const SESSION_FLAG_OPTIONS = {
  role: { type: 'string' },
  permission: { type: 'string', multiple: true },
  feature: { type: 'string', multiple: true },
  plan: { type: 'string', multiple: true },
  'org-slug': { type: 'string' },
  'org-id': { type: 'string' },
  fva: { type: 'string' },
};

const list = (values) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** The `SessionFlags` of parsed arguments; a bad `--fva` throws `new UsageError(message)`. */
export function sessionFlags(values, UsageError = Error) {
  let fva;
  if (values.fva !== undefined) {
    const parts = values.fva.split(',').map((s) => s.trim());
    if (parts.length !== 2 || parts.some((p) => !/^-?\d+$/.test(p) || Number(p) < -1)) throw new UsageError(`--fva takes two whole numbers of minutes (-1: never), like 5,-1; got ${JSON.stringify(values.fva)}`);
    fva = parts.map(Number);
  }
  return {
    ...(values.role !== undefined ? { role: values.role } : {}),
    permissions: list(values.permission),
    features: list(values.feature),
    plans: list(values.plan),
    ...(values['org-slug'] !== undefined ? { orgSlug: values['org-slug'] } : {}),
    ...(values['org-id'] !== undefined ? { orgId: values['org-id'] } : {}),
    ...(fva ? { fva } : {}),
  };
}
