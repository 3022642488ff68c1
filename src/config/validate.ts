import { compilePattern } from '../routing/compile';
import { UNNAMED_METHOD } from '../request/methods';
import { IDENTITY_HEADER_MAX_BYTES } from './limits';
import { describe } from './describe';
import { didYouMean } from './suggest';
import { checkConditions, checkHosts, checkMethods, checkOrigin, checkUrlOption } from './validate-rule';
import { checkCors } from './validate-cors';
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

const CONFIG_KEYS = new Set(['routes', 'forward', 'defaultPolicy', 'unauthorizedUrl', 'cors']);
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
export const PROTECT_KEYS = new Set(['treatPendingAsSignedOut', 'role', 'permission', 'feature', 'plan', 'reverification', 'organizationParam', 'check']);

/** The rule of `defaultPolicy: 'protect'`: what `protect: true` on every unmatched path would be. */
export function protectedFallback(): CompiledRoute {
  return {
    index: -1,
    name: 'defaultPolicy',
    patterns: [],
    regexps: [],
    protect: true,
    treatPendingAsSignedOut: true,
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
  treatPendingAsSignedOut: boolean;
  conditions: CompiledConditions | undefined;
}

function checkProtect(value: unknown, match: unknown, where: string, problems: string[]): Protection {
  if (typeof value === 'boolean') return { protect: value, treatPendingAsSignedOut: true, conditions: undefined };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value)) {
      if (!PROTECT_KEYS.has(key)) problems.push(`${where}: protect.${key} is not an option (known: ${[...PROTECT_KEYS].join(', ')})${didYouMean(key, PROTECT_KEYS)}`);
    }
    const pending = (value as { treatPendingAsSignedOut?: unknown }).treatPendingAsSignedOut;
    if (pending !== undefined && typeof pending !== 'boolean') {
      problems.push(`${where}: protect.treatPendingAsSignedOut must be true or false, got ${describe(pending)}`);
    }
    return { protect: true, treatPendingAsSignedOut: pending !== false, conditions: checkConditions(value as Record<string, unknown>, match, where, problems) };
  }
  problems.push(
    `${where}: protect must be true, false or an object of options ({ treatPendingAsSignedOut, role, permission, feature, plan, reverification, organizationParam, check }), got ${value === undefined ? 'nothing' : describe(value)}`,
  );
  return { protect: true, treatPendingAsSignedOut: true, conditions: undefined };
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

/**
 * Validates and compiles a gateway config, collecting every problem rather than stopping at
 * the first, so one run of `wrangler dev` shows the user all that is wrong.
 */
export function validateConfig(input: unknown): ValidationResult {
  const problems: string[] = [];
  if (input === null || typeof input !== 'object') {
    return { ok: false, problems: ['config must be an object like { routes: [...] }'] };
  }
  for (const key of Object.keys(input)) {
    if (!CONFIG_KEYS.has(key)) problems.push(`config.${key} is not an option (known: ${[...CONFIG_KEYS].join(', ')})${didYouMean(key, CONFIG_KEYS)}`);
  }
  const forward = checkForward((input as { forward?: unknown }).forward, problems);
  const { defaultPolicy = 'public', unauthorizedUrl } = input as { defaultPolicy?: unknown; unauthorizedUrl?: unknown };
  if (defaultPolicy !== 'public' && defaultPolicy !== 'protect') {
    problems.push(`config.defaultPolicy must be 'public' or 'protect', got ${describe(defaultPolicy)}`);
  }
  const defaultUnauthorizedUrl = checkUrlOption(unauthorizedUrl, 'config.unauthorizedUrl', problems);
  const configCors = (input as { cors?: unknown }).cors;
  const cors = configCors === undefined ? undefined : checkCors(configCors, 'config', problems);
  const routes = (input as { routes?: unknown }).routes;
  if (!Array.isArray(routes)) {
    problems.push('config.routes must be an array of { match, protect } rules');
    return { ok: false, problems };
  }

  const compiled: CompiledRoute[] = [];
  routes.forEach((rule: unknown, index) => {
    const where = routeLabel(index, rule);
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      problems.push(`${where}: must be an object like { match: '/dashboard(.*)', protect: true }`);
      return;
    }
    for (const key of Object.keys(rule)) {
      // A typo such as `protected: true` would otherwise leave the route silently public.
      // allowPreflight is known only to be refused with its fix (below), never suggested.
      const known = [...ROUTE_KEYS].filter((k) => k !== 'allowPreflight');
      if (!ROUTE_KEYS.has(key)) problems.push(`${where}: ${key} is not a route field (known: ${known.join(', ')})${didYouMean(key, known)}`);
    }
    const fields = rule as Record<string, unknown>;
    const { match, protect, name, treatPendingAsSignedOut, accept, scopes } = fields;
    const patterns = Array.isArray(match) ? match : [match];
    if (match === undefined) problems.push(`${where}: match is missing`);
    else if (patterns.length === 0) problems.push(`${where}: match is an empty list`);
    const regexps = match === undefined ? [] : patterns.map((p) => checkPattern(p, where, problems));
    const protection = checkProtect(protect, match, where, problems);
    if (treatPendingAsSignedOut !== undefined) {
      const nested = (protect as { treatPendingAsSignedOut?: unknown } | null)?.treatPendingAsSignedOut;
      if (typeof treatPendingAsSignedOut !== 'boolean') {
        problems.push(`${where}: treatPendingAsSignedOut must be true or false, got ${describe(treatPendingAsSignedOut)}`);
      } else if (typeof nested === 'boolean' && nested !== treatPendingAsSignedOut) {
        problems.push(`${where}: treatPendingAsSignedOut and protect.treatPendingAsSignedOut disagree; keep one`);
      } else protection.treatPendingAsSignedOut = treatPendingAsSignedOut;
    }
    if (name !== undefined && typeof name !== 'string') problems.push(`${where}: name must be a string`);
    const tokens = checkAccept(accept, scopes, where, problems);
    if (protection.conditions && tokens.accept.some((k) => k !== 'session_token')) {
      problems.push(
        `${where}: protect's conditions (role, permission, feature, plan, reverification, organizationParam, check) need a user session, and accept lets machine tokens in; give machine tokens their own rule with scopes`,
      );
    }
    const { onUnauthenticated = 'redirect', forwardPreflightsUnauthenticated = false } = fields;
    if (onUnauthenticated !== 'redirect' && onUnauthenticated !== 'status') {
      problems.push(`${where}: onUnauthenticated must be 'redirect' or 'status', got ${describe(onUnauthenticated)}`);
    }
    if (fields.allowPreflight !== undefined) {
      // It made the rule's OPTIONS public for anyone who adds two headers; origins that ignore the method ran the protected handler.
      problems.push(
        `${where}: allowPreflight was removed: it let anyone reach this rule's OPTIONS signed out by adding Origin and Access-Control-Request-Method, and origins that ignore the method (php -S, Django function views, Express app.all) ran the protected handler. Write cors: { origins: ['https://your-front-end.example'], methods: [...], headers: [...] } (here or on the config) and the gateway answers preflights itself; only if the origin must see them, forwardPreflightsUnauthenticated: true (its OPTIONS handler then runs for anyone)`,
      );
    }
    if (typeof forwardPreflightsUnauthenticated !== 'boolean') {
      problems.push(`${where}: forwardPreflightsUnauthenticated must be true or false, got ${describe(forwardPreflightsUnauthenticated)}`);
    }
    const ruleCors: CompiledCors | false | undefined = fields.cors === false ? false : fields.cors === undefined ? undefined : checkCors(fields.cors, where, problems);
    if (forwardPreflightsUnauthenticated === true && fields.cors !== undefined && fields.cors !== false) {
      problems.push(`${where}: cors and forwardPreflightsUnauthenticated both answer preflights; keep cors (the gateway answers them) or set cors: false to let the origin answer`);
    }
    const ruleUnauthorizedUrl = checkUrlOption(fields.unauthorizedUrl, `${where}: unauthorizedUrl`, problems);
    if (ruleUnauthorizedUrl !== undefined && !protection.conditions) {
      problems.push(`${where}: unauthorizedUrl is used only when a condition of protect fails, and this rule has none`);
    }
    compiled.push({
      ...tokens,
      index,
      name: typeof name === 'string' ? name : String(patterns[0]),
      patterns: patterns as RoutePattern[],
      regexps: regexps.filter((r): r is RegExp => r !== undefined),
      ...protection,
      methods: checkMethods(fields.methods, where, problems),
      hosts: checkHosts(fields.hosts, where, problems),
      onUnauthenticated: onUnauthenticated === 'status' ? 'status' : 'redirect',
      unauthorizedUrl: ruleUnauthorizedUrl ?? (protection.conditions ? defaultUnauthorizedUrl : undefined),
      forwardPreflights: forwardPreflightsUnauthenticated === true,
      // A rule whose origin answers preflights answers CORS itself: the gateway adds nothing there.
      cors: forwardPreflightsUnauthenticated === true ? false : ruleCors,
      origin: checkOrigin(fields.origin, where, problems),
      forward: checkRuleForward(fields.forward, where, problems),
    });
  });

  if (defaultPolicy === 'protect') {
    for (const route of compiled) {
      // A POST is matched as every method (a `_method` field can make it one), and under this
      // policy the methods the rule leaves out are protected: its POSTs would always be refused.
      if (!route.protect && route.methods?.has('POST')) {
        problems.push(
          `${routeLabel(route.index, routes[route.index])}: methods lists POST on a public rule under defaultPolicy 'protect'; a POST can become any method at the origin (_method), and those are protected, so every POST here would be refused. Drop methods to make every method public here`,
        );
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const named = new Set(compiled.flatMap((route) => [...(route.methods ?? [])]));
  return {
    ok: true,
    config: {
      routes: compiled,
      defaultPolicy: defaultPolicy === 'protect' ? 'protect' : 'public',
      fallback: defaultPolicy === 'protect' ? protectedFallback() : undefined,
      methodsUsed: named.size > 0 ? [...named, UNNAMED_METHOD] : undefined,
      unauthorizedUrl: defaultUnauthorizedUrl,
      forward,
      cors,
    },
  };
}
