// How the project's CLIs (`npm run routes`, `npm run components`) read their arguments: parseArgs
// with positionals, a parse error shown with the usage (exit 2), `--help` printing it (exit 0).
import { parseArgs } from 'node:util';

/** `{ values, positionals }` of process.argv for `options`; `usage(message)` must exit. */
export function readArgs(options, USAGE, usage) {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    usage(error.message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return parsed;
}
