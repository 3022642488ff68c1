import { compilePattern } from '../routing/compile';
import { UNNAMED_METHOD } from '../request/methods';
import { IDENTITY_HEADER_MAX_BYTES } from './limits';
import { describe } from './describe';
import { didYouMean } from './suggest';
import { CONDITION_KEYS, parseConditions } from '../policy/conditions';
import { checkPending, DEFAULT_PENDING } from '../policy/pending';
import { checkHosts, checkMethods, checkOrigin, checkUrlOption } from './validate-rule';
import { checkCors } from './validate-cors';
import { checkOrganizationSync } from './validate-organization-sync';
import {
  TOKEN_KINDS,
  type CompiledClaimHeader,
  type CompiledConditions,
  type CompiledConfig,
  type CompiledCors,
  type CompiledForward,
  type CompiledRoute,
  type RoutePattern,
  type TokenKind,
} from './types';

const CONFIG_KEYS = new Set(['routes', 'forward', 'defaultPolicy', 'unauthorizedUrl', 'cors', 'organizationSyncOptions']);
export const ROUTE_KEYS = new Set([
  'match',
  'protect',
  'treatPendingAsSignedOut',
  'name',
  'accept',
  'scopes',
  'methods',
  'hosts',
  'onUnauthenticated',
  'unauthorizedUrl',
  'allowPreflight',
  'cors',
  'forwardPreflightsUnauthenticated',
  'origin',
  'forward',
]);
const FORWARD_KEYS = new Set(['claims', 'sessionToken', 'stripClerkCredentials']);
// Headers the gateway sets itself, or that carry the request: no claim may be sent under them.
const OWN_HEADERS = /^(?:x-auth-(?:session-status|user-id|session-id|org-id|org-role|org-slug|org-permissions|assertion|token-type|subject|client-id|scopes)|x-request-id|x-forwarded-.*|forwarded|host|cookie|authorization|connection|content-.*|transfer-encoding|te|trailer|upgrade|keep-alive|proxy-.*)$/;
// `protect`'s own option, then its conditions (src/policy/conditions.ts: one entry each).
export const PROTECT_KEYS = new Set(['treatPendingAsSignedOut', ...CONDITION_KEYS]);

/** The rule of `defaultPolicy: 'protect'`: what `protect: true` on every unmatched path would be. */
export function protectedFallback(): CompiledRoute {
  return {
    index: -1,
    name: 'defaultPolicy',
    patterns: [],
    regexps: [],
    protect: true,
    ...DEFAULT_PENDING,
    accept: ['session_token'],
    scopes: [],
    methods: undefined,
    hosts: undefined,
    onUnauthenticated: 'redirect',
    conditions: undefined,
    unauthorizedUrl: undefined,
    forwardPreflights: false,
    cors: undefined,
    origin: undefined,
  };
}

/** Every problem found in a config, each naming the route and the field. */
export type ValidationResult =
  | { ok: true; config: CompiledConfig }
  | { ok: false; problems: string[] };


/** How errors name a rule: by its `name` when it has one, else by its first pattern. */
function routeLabel(index: number, rule: unknown): string {
  const { match, name } = (rule ?? {}) as { match?: unknown; name?: unknown };
  if (typeof name === 'string' && name.trim() !== '') return `route #${index + 1} (${JSON.stringify(name)})`;
  const first = Array.isArray(match) ? match[0] : match;
  return first === undefined ? `route #${index + 1}` : `route #${index + 1} (${describe(first)})`;
}

function checkPattern(pattern: unknown, where: string, problems: string[]): RegExp | undefined {
  if (pattern instanceof RegExp) {
    if (pattern.global || pattern.sticky) {
      // lastIndex makes a /g or /y RegExp answer differently on every call: a route would flicker.
      problems.push(`${where}: match ${pattern} has the g or y flag; remove it (test() would be stateful)`);
      return undefined;
    }
    if (!pattern.ignoreCase) {
      // Origins often ignore case (IIS, many PHP and Rails setups): /ADMIN would walk past /^\/admin/.
      problems.push(`${where}: match ${pattern} lacks the i flag; add it (paths are matched case-insensitively)`);
      return undefined;
    }
    return pattern;
  }
  if (typeof pattern !== 'string') {
    problems.push(`${where}: match must be a string pattern or a RegExp, got ${describe(pattern)}`);
    return undefined;
  }
  if (!pattern.startsWith('/')) {
    problems.push(`${where}: match ${JSON.stringify(pattern)} must start with "/" (it is matched against the path)`);
    return undefined;
  }
  // `?` is path-to-regexp's optional modifier (`/api/:id?`); a query-like `?` fails to compile below.
  if (/#/.test(pattern.replace(/\([^)]*\)/g, '').replace(/\\./g, ''))) {
    problems.push(`${where}: match ${JSON.stringify(pattern)} contains "#"; patterns see the path only, never the fragment or query`);
    return undefined;
  }
  try {
    return compilePattern(pattern as RoutePattern);
  } catch (error) {
    const first = String((error as Error).message).split('\n')[0];
    problems.push(`${where}: match ${JSON.stringify(pattern)} is not a valid path-to-regexp v6 pattern (${first})`);
    return undefined;
  }
}

interface Protection {
  protect: boolean;
  conditions: CompiledConditions | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `protect`: a boolean, or an object of options whose conditions the registry parses. */
function checkProtect(value: unknown, match: unknown, where: string, problems: string[]): Protection {
  if (typeof value === 'boolean') return { protect: value, conditions: undefined };
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (!PROTECT_KEYS.has(key)) problems.push(`${where}: protect.${key} is not an option (known: ${[...PROTECT_KEYS].join(', ')})${didYouMean(key, PROTECT_KEYS)}`);
    }
    return { protect: true, conditions: parseConditions(value, { where, match, problems }) };
  }
  problems.push(`${where}: protect must be true, false or an object of options ({ ${[...PROTECT_KEYS].join(', ')} }), got ${value === undefined ? 'nothing' : describe(value)}`);
  return { protect: true, conditions: undefined };
}

function checkAccept(accept: unknown, scopes: unknown, where: string, problems: string[]): { accept: TokenKind[]; scopes: string[] } {
  const out = { accept: ['session_token'] as TokenKind[], scopes: [] as string[] };
  if (accept !== undefined) {
    const kinds = Array.isArray(accept) ? accept : [];
    const unknown = kinds.filter((k) => !TOKEN_KINDS.includes(k as TokenKind));
    if (!Array.isArray(accept) || kinds.length === 0) {
      problems.push(`${where}: accept must be a non-empty list of ${TOKEN_KINDS.join(', ')}, got ${describe(accept)}`);
    } else if (unknown.length > 0) {
      // `any` is @hono/clerk-auth's accidental default; here every kind is named on purpose.
      problems.push(`${where}: accept has ${unknown.map((k) => describe(k)).join(', ')}; known: ${TOKEN_KINDS.join(', ')} (there is no "any": list the kinds)`);
    } else out.accept = [...new Set(kinds as TokenKind[])];
  }
  if (scopes !== undefined) {
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !/^[\x21-\x7e]+$/.test(s))) {
      problems.push(`${where}: scopes must be a list of scope names, got ${describe(scopes)}`);
    } else if (!out.accept.some((k) => k !== 'session_token')) {
      problems.push(`${where}: scopes apply to machine tokens; add api_key, m2m_token or oauth_token to accept`);
    } else out.scopes = scopes as string[];
  }
  return out;
}

function checkForward(value: unknown, problems: string[], where = 'config.forward'): CompiledForward {
  const out: { claims: CompiledClaimHeader[]; sessionToken: boolean; stripClerkCredentials: boolean } = { claims: [], sessionToken: false, stripClerkCredentials: false };
  if (value === undefined) return out;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where} must be an object like { claims: { "X-User-Email": "email" } }`);
    return out;
  }
  const options = value as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!FORWARD_KEYS.has(key)) problems.push(`${where}.${key} is not an option (known: ${[...FORWARD_KEYS].join(', ')})${didYouMean(key, FORWARD_KEYS)}`);
  }
  for (const key of ['sessionToken', 'stripClerkCredentials'] as const) {
    if (options[key] === undefined) continue;
    if (typeof options[key] !== 'boolean') problems.push(`${where}.${key} must be true or false, got ${describe(options[key])}`);
    else out[key] = options[key];
  }
  const claims = options.claims;
  if (claims === undefined) return out;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    problems.push(`${where}.claims must map header names to claims, like { "X-User-Email": "email" }`);
    return out;
  }
  const seen = new Set<string>();
  for (const [name, spec] of Object.entries(claims)) {
    const at = `${where}.claims[${JSON.stringify(name)}]`;
    const header = name.toLowerCase();
    if (!/^[A-Za-z0-9-]+$/.test(name)) problems.push(`${at}: a header name has only letters, digits and "-" (others are dropped on the way to the origin)`);
    else if (OWN_HEADERS.test(header)) problems.push(`${at}: ${name} is a header the gateway sets or forwards itself; pick another name`);
    else if (seen.has(header)) problems.push(`${at}: ${name} is named twice (header names ignore case)`);
    seen.add(header);
    const claim = typeof spec === 'string' ? spec : (spec as { claim?: unknown } | null)?.claim;
    const maxBytes = typeof spec === 'object' && spec !== null ? (spec as { maxBytes?: unknown }).maxBytes ?? IDENTITY_HEADER_MAX_BYTES : IDENTITY_HEADER_MAX_BYTES;
    if (typeof spec === 'object' && spec !== null) {
      for (const key of Object.keys(spec)) if (key !== 'claim' && key !== 'maxBytes') problems.push(`${at}.${key} is not an option (known: claim, maxBytes)`);
    }
    if (typeof claim !== 'string' || !/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(claim)) {
      problems.push(`${at}: the claim must be a name or a dot path such as "email" or "o.slg", got ${describe(claim)}`);
      continue;
    }
    if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > 8192) {
      problems.push(`${at}: maxBytes must be a whole number from 1 to 8192, got ${describe(maxBytes)}`);
      continue;
    }
    out.claims.push({ header, path: claim.split('.'), maxBytes });
  }
  return out;
}

/** A rule's own `forward`: only the options it sets, checked like `config.forward`. */
function checkRuleForward(value: unknown, where: string, problems: string[]): Partial<CompiledForward> | undefined {
  if (value === undefined) return undefined;
  const all = checkForward(value, problems, `${where}: forward`);
  if (value === null || typeof value !== 'object') return undefined;
  const given = value as Record<string, unknown>;
  return {
    ...(given.claims !== undefined ? { claims: all.claims } : {}),
    ...(given.sessionToken !== undefined ? { sessionToken: all.sessionToken } : {}),
    ...(given.stripClerkCredentials !== undefined ? { stripClerkCredentials: all.stripClerkCredentials } : {}),
  };
}

/** The config's own options (all but `routes`), as the rules and the compiled config use them. */
interface TopLevel {
  forward: CompiledForward;
  defaultPolicy: CompiledConfig['defaultPolicy'];
  unauthorizedUrl: string | undefined;
  cors: CompiledCors | undefined;
}

function checkTopLevel(input: Record<string, unknown>, problems: string[]): TopLevel {
  for (const key of Object.keys(input)) {
    if (!CONFIG_KEYS.has(key)) problems.push(`config.${key} is not an option (known: ${[...CONFIG_KEYS].join(', ')})${didYouMean(key, CONFIG_KEYS)}`);
  }
  const forward = checkForward(input.forward, problems);
  const { defaultPolicy = 'public' } = input;
  if (defaultPolicy !== 'public' && defaultPolicy !== 'protect') {
    problems.push(`config.defaultPolicy must be 'public' or 'protect', got ${describe(defaultPolicy)}`);
  }
  const unauthorizedUrl = checkUrlOption(input.unauthorizedUrl, 'config.unauthorizedUrl', problems);
  const cors = input.cors === undefined ? undefined : checkCors(input.cors, 'config', problems);
  return { forward, defaultPolicy: defaultPolicy === 'protect' ? 'protect' : 'public', unauthorizedUrl, cors };
}

function checkRuleKeys(rule: object, where: string, problems: string[]): void {
  // allowPreflight is known only to be refused with its fix (checkPreflights), never suggested.
  const known = [...ROUTE_KEYS].filter((k) => k !== 'allowPreflight');
  for (const key of Object.keys(rule)) {
    // A typo such as `protected: true` would otherwise leave the route silently public.
    if (!ROUTE_KEYS.has(key)) problems.push(`${where}: ${key} is not a route field (known: ${known.join(', ')})${didYouMean(key, known)}`);
  }
}

/** `match`: the patterns as written, and the RegExps of the valid ones. */
function checkMatch(match: unknown, where: string, problems: string[]): { patterns: RoutePattern[]; regexps: RegExp[] } {
  const patterns = (Array.isArray(match) ? match : [match]) as RoutePattern[];
  if (match === undefined) problems.push(`${where}: match is missing`);
  else if (patterns.length === 0) problems.push(`${where}: match is an empty list`);
  const regexps = match === undefined ? [] : patterns.map((p) => checkPattern(p, where, problems));
  return { patterns, regexps: regexps.filter((r): r is RegExp => r !== undefined) };
}

/** What a rule does with CORS preflights: `forwardPreflightsUnauthenticated`, `cors`, and the removed `allowPreflight`. */
function checkPreflights(fields: Record<string, unknown>, where: string, problems: string[]): Pick<CompiledRoute, 'forwardPreflights' | 'cors'> {
  const { forwardPreflightsUnauthenticated: forward = false, cors } = fields;
  if (fields.allowPreflight !== undefined) {
    // It made the rule's OPTIONS public for anyone who adds two headers; origins that ignore the method ran the protected handler.
    problems.push(
      `${where}: allowPreflight was removed: it let anyone reach this rule's OPTIONS signed out by adding Origin and Access-Control-Request-Method, and origins that ignore the method (php -S, Django function views, Express app.all) ran the protected handler. Write cors: { origins: ['https://your-front-end.example'], methods: [...], headers: [...] } (here or on the config) and the gateway answers preflights itself; only if the origin must see them, forwardPreflightsUnauthenticated: true (its OPTIONS handler then runs for anyone)`,
    );
  }
  if (typeof forward !== 'boolean') problems.push(`${where}: forwardPreflightsUnauthenticated must be true or false, got ${describe(forward)}`);
  const ruleCors = cors === false ? false : cors === undefined ? undefined : checkCors(cors, where, problems);
  if (forward === true && cors !== undefined && cors !== false) {
    problems.push(`${where}: cors and forwardPreflightsUnauthenticated both answer preflights; keep cors (the gateway answers them) or set cors: false to let the origin answer`);
  }
  // A rule whose origin answers preflights answers CORS itself: the gateway adds nothing there.
  return { forwardPreflights: forward === true, cors: forward === true ? false : ruleCors };
}

/** What a signed-out or pending navigation gets on this rule. */
function checkOnUnauthenticated(value: unknown, where: string, problems: string[]): CompiledRoute['onUnauthenticated'] {
  if (value === undefined || value === 'redirect' || value === 'status') return value ?? 'redirect';
  problems.push(`${where}: onUnauthenticated must be 'redirect' or 'status', got ${describe(value)}`);
  return 'redirect';
}

/** One rule of `routes`, compiled; `undefined` when it is not even an object. */
function checkRule(rule: unknown, index: number, top: TopLevel, problems: string[]): CompiledRoute | undefined {
  const where = routeLabel(index, rule);
  if (!isObject(rule)) {
    problems.push(`${where}: must be an object like { match: '/dashboard(.*)', protect: true }`);
    return undefined;
  }
  checkRuleKeys(rule, where, problems);
  const { name } = rule;
  const { patterns, regexps } = checkMatch(rule.match, where, problems);
  const { protect, conditions } = checkProtect(rule.protect, rule.match, where, problems);
  const pending = checkPending(rule, where, problems);
  if (name !== undefined && typeof name !== 'string') problems.push(`${where}: name must be a string`);
  const tokens = checkAccept(rule.accept, rule.scopes, where, problems);
  if (conditions && tokens.accept.some((k) => k !== 'session_token')) {
    problems.push(`${where}: protect's conditions (${CONDITION_KEYS.join(', ')}) need a user session, and accept lets machine tokens in; give machine tokens their own rule with scopes`);
  }
  const onUnauthenticated = checkOnUnauthenticated(rule.onUnauthenticated, where, problems);
  const preflights = checkPreflights(rule, where, problems);
  const unauthorizedUrl = checkUrlOption(rule.unauthorizedUrl, `${where}: unauthorizedUrl`, problems);
  if (unauthorizedUrl !== undefined && !conditions) problems.push(`${where}: unauthorizedUrl is used only when a condition of protect fails, and this rule has none`);
  return {
    ...tokens,
    index,
    name: typeof name === 'string' ? name : String(patterns[0]),
    patterns,
    regexps,
    protect,
    ...pending,
    conditions,
    methods: checkMethods(rule.methods, where, problems),
    hosts: checkHosts(rule.hosts, where, problems),
    onUnauthenticated,
    unauthorizedUrl: unauthorizedUrl ?? (conditions ? top.unauthorizedUrl : undefined),
    ...preflights,
    origin: checkOrigin(rule.origin, where, problems),
    forward: checkRuleForward(rule.forward, where, problems),
  };
}

/**
 * Under `defaultPolicy: 'protect'` a POST is matched as every method (a `_method` field can make
 * it one), and the methods a public rule leaves out are protected: its POSTs would always be refused.
 */
function checkPublicPosts(compiled: readonly CompiledRoute[], routes: readonly unknown[], problems: string[]): void {
  for (const route of compiled) {
    if (!route.protect && route.methods?.has('POST')) {
      problems.push(
        `${routeLabel(route.index, routes[route.index])}: methods lists POST on a public rule under defaultPolicy 'protect'; a POST can become any method at the origin (_method), and those are protected, so every POST here would be refused. Drop methods to make every method public here`,
      );
    }
  }
}

/**
 * Validates and compiles a gateway config, collecting every problem rather than stopping at
 * the first, so one run of `wrangler dev` shows the user all that is wrong.
 */
export function validateConfig(input: unknown): ValidationResult {
  const problems: string[] = [];
  if (input === null || typeof input !== 'object') {
    return { ok: false, problems: ['config must be an object like { routes: [...] }'] };
  }
  const top = checkTopLevel(input as Record<string, unknown>, problems);
  const routes = (input as { routes?: unknown }).routes;
  if (!Array.isArray(routes)) {
    problems.push('config.routes must be an array of { match, protect } rules');
    return { ok: false, problems };
  }
  const compiled = routes.flatMap((rule: unknown, index) => checkRule(rule, index, top, problems) ?? []);
  const organizationSync = checkOrganizationSync((input as { organizationSyncOptions?: unknown }).organizationSyncOptions, problems);
  if (top.defaultPolicy === 'protect') checkPublicPosts(compiled, routes, problems);
  if (problems.length > 0) return { ok: false, problems };
  const named = new Set(compiled.flatMap((route) => [...(route.methods ?? [])]));
  return {
    ok: true,
    config: {
      routes: compiled,
      defaultPolicy: top.defaultPolicy,
      fallback: top.defaultPolicy === 'protect' ? protectedFallback() : undefined,
      methodsUsed: named.size > 0 ? [...named, UNNAMED_METHOD] : undefined,
      unauthorizedUrl: top.unauthorizedUrl,
      forward: top.forward,
      cors: top.cors,
      ...(organizationSync ? { organizationSync } : {}),
    },
  };
}
