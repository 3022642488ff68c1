import { describe } from './describe';
import type { CompiledCors } from './types';

const CORS_KEYS = new Set(['origins', 'methods', 'headers', 'exposeHeaders', 'credentials', 'maxAge']);
const METHOD = /^[A-Za-z]+$/;
// An RFC 9110 token: what a header name can be.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DEFAULT_METHODS = ['GET', 'HEAD', 'POST'];
const DEFAULT_MAX_AGE = 600;
// Firefox's cap; Chromium caps at 7200 s. More would only be a promise no browser keeps.
const MAX_MAX_AGE = 86400;

/** One allowed origin exactly as a browser sends `Origin`, or why it is not one. */
function checkCorsOrigin(value: unknown): { origin: string } | { problem: string } {
  if (typeof value !== 'string') return { problem: `has ${describe(value)}, not a string` };
  // `null` is what sandboxed iframes and file: pages send: anyone can produce it.
  if (value === 'null') return { problem: 'has "null", the Origin of sandboxed iframes and local files, which any page can send; list real origins' };
  if (value.includes('*')) return { problem: `has ${describe(value)}: patterns are not supported; list each origin, or use origins: '*' for any origin` };
  const url = /^https?:\/\//i.test(value) && URL.canParse(value) ? new URL(value) : undefined;
  if (!url || url.username || url.password || value !== value.trim()) return { problem: `has ${describe(value)}, not an http(s) origin like "https://app.example.com"` };
  if (url.pathname !== '/' || url.search || url.hash || /\/$/.test(value)) return { problem: `has ${describe(value)}: an origin has no path, query or trailing "/"; write "${url.origin}"` };
  return { origin: url.origin };
}

function checkNames(value: unknown, field: string, pattern: RegExp, example: string, where: string, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !pattern.test(v))) {
    problems.push(`${where}: cors.${field} must be a list like ${example}, got ${describe(value)}`);
    return undefined;
  }
  return value as string[];
}

/**
 * A `cors` option (the config's or a rule's), compiled; problems name `where` and the field.
 * `false` (a rule's "no CORS here") is handled by the caller.
 */
export function checkCors(value: unknown, where: string, problems: string[]): CompiledCors | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where}: cors must be { origins, methods?, headers?, exposeHeaders?, credentials?, maxAge? }, got ${describe(value)}`);
    return undefined;
  }
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!CORS_KEYS.has(key)) problems.push(`${where}: cors.${key} is not an option (known: ${[...CORS_KEYS].join(', ')})`);
  const { origins, credentials = false, maxAge = DEFAULT_MAX_AGE } = fields;
  const before = problems.length;
  let allowed: CompiledCors['origins'] | undefined;
  if (origins === '*') allowed = '*';
  else if (!Array.isArray(origins) || origins.length === 0) {
    problems.push(`${where}: cors.origins must be a non-empty list of origins like ['https://app.example.com'], or '*', got ${origins === undefined ? 'nothing' : describe(origins)}`);
  } else {
    const set = new Set<string>();
    for (const entry of origins) {
      const checked = checkCorsOrigin(entry);
      if ('problem' in checked) problems.push(`${where}: cors.origins ${checked.problem}`);
      else set.add(checked.origin);
    }
    allowed = set;
  }
  if (typeof credentials !== 'boolean') problems.push(`${where}: cors.credentials must be true or false, got ${describe(credentials)}`);
  else if (credentials && origins === '*') {
    // Browsers refuse `*` with credentials; reflecting every Origin instead would let any site read signed-in answers.
    problems.push(`${where}: cors.credentials with origins '*' would let any site read signed-in answers; list the origins that may`);
  }
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_MAX_AGE) {
    problems.push(`${where}: cors.maxAge must be a whole number of seconds from 0 to ${MAX_MAX_AGE}, got ${describe(maxAge)}`);
  }
  const methods = checkNames(fields.methods, 'methods', METHOD, "['GET', 'POST', 'PUT']", where, problems);
  const headers = checkNames(fields.headers, 'headers', HEADER_NAME, "['content-type', 'authorization']", where, problems);
  const exposeHeaders = checkNames(fields.exposeHeaders, 'exposeHeaders', HEADER_NAME, "['x-request-id']", where, problems);
  if (problems.length > before || allowed === undefined) return undefined;
  return {
    origins: allowed,
    methods: [...new Set((methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase()))],
    headers: [...new Set((headers ?? []).map((h) => h.toLowerCase()))],
    exposeHeaders: [...new Set((exposeHeaders ?? []).map((h) => h.toLowerCase()))],
    credentials: credentials === true,
    maxAge: maxAge as number,
  };
}
