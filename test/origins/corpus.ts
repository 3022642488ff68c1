// The origins conformance corpus: requests that try to make an origin framework run a protected
// handler without a session, or believe an identity the gateway did not vouch for. Shared by every
// framework (test/origins/node.test.ts, test/origins/external.test.ts), grouped by class:
//   1. line separators (U+2028/U+2029) that JS's `.` does not match, anywhere in the path
//   2. encoded `?`/`#` inside a segment, which path-to-regexp's `[^\/#\?]` parameters refuse
//   3. characters that case-fold or normalize into ASCII (Kelvin sign, long s, dotless i,
//      ligatures, fullwidth and mathematical letters)
//   4. identity / forwarding header names that CGI/PHP (or another server) rewrite into the
//      gateway's own (`X-Auth.User-Id` → HTTP_X_AUTH_USER_ID)
//   5. Cookie headers that a lenient parser reads as a second `__session` / `__client_uat`
//   6. aliases: a public rule whose `origin` (stripPrefix, or the origin URL's own path) sends a
//      path to the same origin as a protected path (`/legacy/dashboard` → `/dashboard`)
import { defineConfig } from '../../src/config';
import type { RouteRule } from '../../src/config/types';

/** The suite's gateway config; every origin app protects the same routes (see apps/). */
export const ORIGINS_ROUTES: RouteRule[] = [
    { match: '/dashboard(.*)', protect: true },
    { match: '/app/:path*', protect: true },
    { match: '/item/:id?', protect: true },
    { match: '/api/keys(.*)', protect: true },
    { match: '/admin/:section', protect: true },
    { match: '/profile(.*)', protect: true },
    { match: '/staff/:path*', protect: true },
];
export const ORIGINS_CONFIG = defineConfig({ routes: ORIGINS_ROUTES });

/**
 * Class 6's config for the origin at `origin`: the suite's rules, plus public rules that reach the
 * same origin under other paths, as a legacy mount would: `/legacy/…` with the prefix stripped,
 * `/old/…` onto the origin's `/app`, `/v2/…` onto its `/api`.
 */
export function aliasConfig(origin: string) {
  return defineConfig({
    routes: [
      ...ORIGINS_ROUTES,
      { match: '/legacy(.*)', protect: false, origin: { url: origin, stripPrefix: '/legacy' } },
      { match: '/old(.*)', protect: false, origin: { url: `${origin}/app`, stripPrefix: '/old' } },
      { match: '/v2(.*)', protect: false, origin: { url: `${origin}/api`, stripPrefix: '/v2' } },
    ],
  });
}

export type ClassId = 1 | 2 | 3 | 4 | 5 | 6;

export const CLASS_NAMES: Record<ClassId, string> = {
  1: 'line separators (U+2028/U+2029) in the path',
  2: 'encoded ? and # inside a path segment',
  3: 'characters that case-fold or normalize into ASCII',
  4: 'identity header names rewritten by CGI/PHP',
  5: 'a second __session a lenient cookie parser reads',
  6: 'an alias through another rule\'s origin and stripPrefix',
};

/** The cookie values a class-5 request is built from. */
export interface CookieParts {
  /** Alice's valid session token (the one the gateway verifies). */
  alice: string;
  /** A token the gateway must never vouch for: signed by a foreign key, sub user_admin. */
  forged: string;
  /** Alice's `__client_uat`. */
  uat: number;
}

export interface CorpusRequest {
  cls: ClassId;
  /** What the request tries, for failure messages. */
  label: string;
  /** Path and query, appended to https://gateway.test. */
  path: string;
  method?: string;
  /** `none`: no credentials; `alice`: Alice's valid session cookie (or `cookie` below). */
  credentials: 'none' | 'alice';
  /** Extra request headers (appended in order; a name may repeat). */
  headers?: [string, string][];
  /** Class 5: the Cookie header(s) sent instead of Alice's plain session cookie. */
  cookie?: (parts: CookieParts) => string | string[];
}

// ---------------------------------------------------------------------------------------------
// Class 1: U+2028 / U+2029, percent-encoded (upper and lower hex) and raw (the URL parser encodes
// raw ones, so both reach the gateway as escapes), in every position of a prefix rule
// ('/dashboard(.*)', '/api/keys(.*)', '/profile(.*)'), and under the parameter rules as controls.

const SEPARATORS = [
  { name: 'U+2028', encoded: '%E2%80%A8', lower: '%e2%80%a8', raw: '\u2028' },
  { name: 'U+2029', encoded: '%E2%80%A9', lower: '%e2%80%a9', raw: '\u2029' },
];

const CLASS1_TEMPLATES = [
  '/dashboard/{S}',
  '/dashboard/{S}/',
  '/dashboard/a{S}',
  '/dashboard/{S}b',
  '/dashboard/a{S}b/c',
  '/dashboard/a/b/{S}',
  '/dashboard/{S}{S}',
  '/dashboard{S}',
  '/DashBoard/{S}',
  '/dashboard/{S}?next=1',
  '/api/keys{S}',
  '/api/keys/{S}',
  '/api/keys/1{S}',
  '/profile{S}',
  '/profile/{S}',
  '/app/{S}',
  '/item/{S}',
  '/admin/{S}',
  '/staff/{S}',
];

function class1(): CorpusRequest[] {
  const out: CorpusRequest[] = [];
  for (const sep of SEPARATORS) {
    for (const template of CLASS1_TEMPLATES) {
      out.push({ cls: 1, label: `${sep.name} encoded`, path: template.replaceAll('{S}', sep.encoded), credentials: 'none' });
      out.push({ cls: 1, label: `${sep.name} raw`, path: template.replaceAll('{S}', sep.raw), credentials: 'none' });
    }
    for (const template of ['/dashboard/{S}', '/api/keys{S}', '/profile/a{S}']) {
      out.push({ cls: 1, label: `${sep.name} lower-case hex`, path: template.replaceAll('{S}', sep.lower), credentials: 'none' });
    }
    out.push({ cls: 1, label: `${sep.name} mixed raw and encoded`, path: `/dashboard/${sep.raw}${sep.encoded}`, credentials: 'none' });
  }
  out.push({ cls: 1, label: 'U+2028 and U+2029 together', path: '/dashboard/%E2%80%A8%E2%80%A9', credentials: 'none' });
  out.push({ cls: 1, label: 'NEL (U+0085), a line break for some regex engines', path: '/dashboard/%C2%85', credentials: 'none' });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Class 2: `%3F` / `%23` (and lower-case hex) inside segments under ':path*', ':id?' and ':param'
// rules, in every position, plus the prefix rules as controls.

const CLASS2_TEMPLATES = [
  '/app/{E}',
  '/app/a{E}b',
  '/app/{E}/x',
  '/app/x/{E}',
  '/app/x/y{E}',
  '/app/{E}/',
  '/APP/{E}',
  '/app/{E}?x=1',
  '/item/{E}',
  '/item/a{E}b',
  '/item/1{E}',
  '/item/{E}/',
  '/ITEM/{E}',
  '/admin/{E}',
  '/admin/users{E}',
  '/admin/{E}/',
  '/Admin/{E}',
  '/staff/{E}',
  '/staff/x/{E}/y',
  '/dashboard/{E}',
  '/api/keys{E}',
];

function class2(): CorpusRequest[] {
  const out: CorpusRequest[] = [];
  for (const [name, enc] of [
    ['encoded ?', '%3F'],
    ['encoded #', '%23'],
    ['encoded ? (lower hex)', '%3f'],
  ] as const) {
    for (const template of CLASS2_TEMPLATES) out.push({ cls: 2, label: name, path: template.replaceAll('{E}', enc), credentials: 'none' });
  }
  for (const path of ['/app/%3F%23', '/item/%23%3F', '/admin/%23x%3Fy', '/app/%3F%3F', '/staff/%23/%23']) {
    out.push({ cls: 2, label: 'encoded ? and # together', path, credentials: 'none' });
  }
  out.push({ cls: 2, label: 'encoded # with a query', path: '/item/%23?id=1', credentials: 'none' });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Class 3: characters whose lower-casing (K U+212A → k), upper-casing (ſ U+017F → S, ı U+0131 → I,
// ligatures → FI, ST, FF), Unicode case folding (Python's re.IGNORECASE, PCRE /iu) or NFKC
// (fullwidth, mathematical, circled letters, ligatures) yields the ASCII of a protected route.

const CLASS3: [string, string][] = [
  // Kelvin sign K (U+212A): toLowerCase() → k
  ['Kelvin sign in /api/keys', '/api/%E2%84%AAeys'],
  ['Kelvin sign in /api/keys, deeper', '/api/%E2%84%AAeys/1'],
  ['Kelvin sign, upper-case path', '/API/%E2%84%AAEYS'],
  ['Kelvin sign, raw', '/api/\u212Aeys'],
  ['Kelvin sign with a query', '/api/%E2%84%AAeys?page=2'],
  ['Kelvin sign and a suffix', '/api/%E2%84%AAeys-export'],
  // long s ſ (U+017F): toUpperCase() → S, case folding → s
  ['long s in /dashboard', '/da%C5%BFhboard'],
  ['long s in /dashboard, deeper', '/da%C5%BFhboard/x'],
  ['long s, upper-case path', '/DA%C5%BFHBOARD'],
  ['long s, raw', '/da\u017Fhboard/x'],
  ['long s in /api/keys', '/api/key%C5%BF'],
  ['long s in /staff', '/%C5%BFtaff/x'],
  ['long s in /staff (bare)', '/%C5%BFtaff'],
  // dotless ı (U+0131): toUpperCase() → I; dotted İ (U+0130): toLowerCase() → i + U+0307
  ['dotless i in /admin', '/adm%C4%B1n/users'],
  ['dotless i, upper-case path', '/ADM%C4%B1N/users'],
  ['dotless i in /profile', '/prof%C4%B1le'],
  ['dotless i in /item', '/%C4%B1tem/1'],
  ['dotless i, raw', '/adm\u0131n/users'],
  ['dotted capital I in /admin', '/adm%C4%B0n/users'],
  // ligatures: ﬁ (U+FB01) → fi, ﬅ/ﬆ (U+FB05/U+FB06) → st, ﬀ (U+FB00) → ff (NFKC and toUpperCase)
  ['fi ligature in /profile', '/pro%EF%AC%81le'],
  ['fi ligature in /profile, deeper', '/pro%EF%AC%81le/x'],
  ['st ligature in /staff', '/%EF%AC%86aff/x'],
  ['long-s-t ligature in /staff', '/%EF%AC%85aff/x'],
  ['ff ligature in /staff', '/sta%EF%AC%80/x'],
  ['ff ligature in /staff (bare)', '/sta%EF%AC%80'],
  // fullwidth forms (NFKC → ASCII)
  ['fullwidth d in /dashboard', '/%EF%BD%84ashboard'],
  ['fullwidth /dashboard, raw', '/\uFF44\uFF41\uFF53\uFF48\uFF42\uFF4F\uFF41\uFF52\uFF44/x'],
  ['fullwidth upper-case /DASHBOARD', '/\uFF24\uFF21\uFF33\uFF28\uFF22\uFF2F\uFF21\uFF32\uFF24'],
  ['fullwidth k in /api/keys', '/api/%EF%BD%8Beys'],
  ['fullwidth /app', '/\uFF41\uFF50\uFF50/x'],
  ['fullwidth /admin', '/\uFF41\uFF44\uFF4D\uFF49\uFF4E/users'],
  ['fullwidth /staff', '/\uFF53\uFF54\uFF41\uFF46\uFF46/x'],
  ['fullwidth solidus after /admin', '/admin%EF%BC%8Fusers'],
  ['fullwidth solidus after /app', '/app%EF%BC%8Fx'],
  // mathematical and enclosed letters (NFKC → ASCII)
  ['mathematical bold /dashboard', '/\u{1D41D}\u{1D41A}\u{1D42C}\u{1D421}\u{1D41B}\u{1D428}\u{1D41A}\u{1D42B}\u{1D41D}'],
  ['mathematical bold /app', '/\u{1D41A}\u{1D429}\u{1D429}/x'],
  ['circled d in /dashboard', '/%E2%93%93ashboard'],
];

function class3(): CorpusRequest[] {
  return CLASS3.map(([label, path]) => ({ cls: 3 as const, label, path, credentials: 'none' as const }));
}

// ---------------------------------------------------------------------------------------------
// Class 4: the gateway's own headers spelled with another separator. PHP turns `.`, ` ` and `[`
// in $_SERVER names into `_` (and CGI maps `-` to `_`), so `X-Auth.User-Id` arrives as
// HTTP_X_AUTH_USER_ID; other servers may fold other characters. Every spelling carries the four
// values an origin trusts (user, session, status, forwarded host), with no credentials (public
// and protected path) and with Alice's valid session.

const HEADER_TARGETS: [string, string][] = [
  ['X-Auth-User-Id', 'user_admin'],
  ['X-Auth-Session-Id', 'sess_admin'],
  ['X-Auth-Session-Status', 'active'],
  ['X-Forwarded-Host', 'evil.test'],
];

// `.` and `_`, then every other tchar (RFC 9110 §5.6.2) a header name may carry.
const HEADER_SEPARATORS = ['.', '_', '!', '#', '$', '%', '&', "'", '*', '+', '^', '`', '|', '~'];

/** `X-Auth-User-Id` with the `-` at `position` (or every one) replaced by `sep`. */
function respell(name: string, sep: string, position: number | 'all'): string {
  const parts = name.split('-');
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) {
    const replaced = position === 'all' || i - 1 === position % (parts.length - 1);
    out += (replaced ? sep : '-') + parts[i]!;
  }
  return out;
}

interface Spelling {
  label: string;
  spell: (name: string) => string;
}

function spellings(): Spelling[] {
  const out: Spelling[] = [];
  for (const sep of HEADER_SEPARATORS) {
    out.push({ label: `every "-" as "${sep}"`, spell: (n) => respell(n, sep, 'all') });
    for (const position of [0, 1, 2]) {
      out.push({ label: `"-" #${position + 1} as "${sep}"`, spell: (n) => respell(n, sep, position) });
    }
  }
  out.push({ label: 'upper case, "." for "-"', spell: (n) => respell(n, '.', 'all').toUpperCase() });
  out.push({ label: 'lower case, "." for "-"', spell: (n) => respell(n, '.', 'all').toLowerCase() });
  out.push({ label: 'mixed "." and "_"', spell: (n) => n.split('-').map((p, i) => (i === 0 ? p : (i % 2 ? '.' : '_') + p)).join('') });
  out.push({ label: 'doubled "."', spell: (n) => respell(n, '..', 'all') });
  out.push({ label: 'exact name, other case', spell: (n) => n.toUpperCase() });
  return out;
}

function class4(): CorpusRequest[] {
  const out: CorpusRequest[] = [];
  for (const spelling of spellings()) {
    const headers = HEADER_TARGETS.map(([name, value]): [string, string] => [spelling.spell(name), value]);
    const label = `${spelling.label} (${headers.map(([n]) => n).join(', ')})`;
    out.push({ cls: 4, label: `${label}, no credentials`, path: '/public/headers', credentials: 'none', headers });
    out.push({ cls: 4, label: `${label}, no credentials`, path: '/dashboard/headers', credentials: 'none', headers });
    out.push({ cls: 4, label: `${label}, Alice's session`, path: '/dashboard/headers', credentials: 'alice', headers });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Class 5: Alice's verified session plus a forged `__session` (or `__client_uat`) in a spelling
// the gateway may not count as one but an origin's cookie parser does: after a comma (SimpleCookie
// splits there), with a name PHP rewrites (`_.session`, `_ session`, `_[session`) or urldecodes
// (`%5F%5Fsession`), with odd whitespace, quoted, and so on. Each goes to a protected and a public
// path.

const COOKIES: [string, (p: CookieParts) => string | string[]][] = [
  ['comma after __client_uat', (p) => `__session=${p.alice}; __client_uat=${p.uat}, __session=${p.forged}`],
  ['comma, no space', (p) => `__session=${p.alice}; __client_uat=${p.uat},__session=${p.forged}`],
  ['two Cookie headers (joined with ", ")', (p) => [`__session=${p.alice}; __client_uat=${p.uat}`, `__session=${p.forged}`]],
  ['comma after another cookie', (p) => `__session=${p.alice}; __client_uat=${p.uat}; theme=dark, __session=${p.forged}`],
  ['comma after __session', (p) => `__session=${p.alice}, __session=${p.forged}; __client_uat=${p.uat}`],
  ['forged first, then a comma', (p) => `__client_uat=${p.uat}; theme=dark, __session=${p.forged}; __session=${p.alice}`],
  ['_.session before (PHP reads "." as "_")', (p) => `_.session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['_.session after', (p) => `__session=${p.alice}; __client_uat=${p.uat}; _.session=${p.forged}`],
  ['_ session (space in the name)', (p) => `_ session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['_[session ([ in the name)', (p) => `_[session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['.[session', (p) => `.[session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['%5F%5Fsession (PHP urldecodes names)', (p) => `%5F%5Fsession=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['%5f%5fsession (lower hex)', (p) => `%5f%5fsession=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['_%5Fsession', (p) => `_%5Fsession=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['__sess%69on', (p) => `__sess%69on=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['%5F%5Fsession after', (p) => `__session=${p.alice}; __client_uat=${p.uat}; %5F%5Fsession=${p.forged}`],
  ['__session. (trailing dot)', (p) => `__session.=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['__Session (other case)', (p) => `__Session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['tab before a second __session', (p) => `__session=${p.alice}; __client_uat=${p.uat};\t__session=${p.forged}`],
  ['vertical tab before __session', (p) => `\u000B__session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['form feed before __session', (p) => `\u000C__session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['space before "="', (p) => `__session =${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['no space after ";"', (p) => `__session=${p.alice};__client_uat=${p.uat};__session=${p.forged}`],
  ['quoted forged value', (p) => `__session=${p.alice}; __client_uat=${p.uat}; __session="${p.forged}"`],
  ['inside another cookie\'s quoted value', (p) => `__session=${p.alice}; __client_uat=${p.uat}; note="a; __session=${p.forged}"`],
  ['$Version attribute then a comma', (p) => `$Version=1; __session=${p.alice}; __client_uat=${p.uat}, __session=${p.forged}`],
  ['plain duplicate after', (p) => `__session=${p.alice}; __client_uat=${p.uat}; __session=${p.forged}`],
  ['plain duplicate before', (p) => `__session=${p.forged}; __session=${p.alice}; __client_uat=${p.uat}`],
  ['_.client_uat=0 before', (p) => `_.client_uat=0; __session=${p.alice}; __client_uat=${p.uat}`],
  ['__client_uat after a comma', (p) => `__session=${p.alice}; theme=dark, __client_uat=0; __client_uat=${p.uat}`],
  ['%5F%5Fclient_uat=0 before', (p) => `%5F%5Fclient_uat=0; __session=${p.alice}; __client_uat=${p.uat}`],
];

function class5(): CorpusRequest[] {
  const out: CorpusRequest[] = [];
  for (const [label, cookie] of COOKIES) {
    out.push({ cls: 5, label, path: '/dashboard/cookies', credentials: 'alice', cookie });
    out.push({ cls: 5, label, path: '/public/cookies', credentials: 'alice', cookie });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Class 6: paths a public rule forwards to the same origin as a protected path (aliasConfig). The
// direct path is refused without a session; the alias must be too, in every spelling.

const ALIASES: [string, string][] = [
  ['stripPrefix onto /dashboard', '/legacy/dashboard'],
  ['stripPrefix onto /dashboard/x', '/legacy/dashboard/x'],
  ['other case', '/LEGACY/Dashboard'],
  ['escaped letter', '/legacy/%64ashboard'],
  ['onto /admin/:section', '/legacy/admin/users'],
  ['onto /api/keys', '/legacy/api/keys/1'],
  ['onto /item/:id?', '/legacy/item/1'],
  ['onto /staff', '/legacy/staff/x'],
  ['the origin URL\'s path: /old/x is /app/x', '/old/x'],
  ['the origin URL\'s path: /old is /app', '/old'],
  ['the origin URL\'s path: /v2/keys is /api/keys', '/v2/keys'],
  ['dot segments after the prefix', '/legacy/public/../dashboard'],
  ['Kelvin sign after the prefix', '/legacy/api/%E2%84%AAeys'],
];

function class6(): CorpusRequest[] {
  const out: CorpusRequest[] = ALIASES.map(([label, path]) => ({ cls: 6, label, path, credentials: 'none' }));
  // Still usable with a session: the alias reaches the handler as Alice.
  out.push({ cls: 6, label: 'with a session', path: '/legacy/dashboard', credentials: 'alice' });
  out.push({ cls: 6, label: 'public alias stays public', path: '/legacy/public/page', credentials: 'none' });
  return out;
}

export const CORPUS: Record<ClassId, CorpusRequest[]> = { 1: class1(), 2: class2(), 3: class3(), 4: class4(), 5: class5(), 6: class6() };

/**
 * Positive controls: the plain routes, so a broken app (or gateway wiring) can not pass by never
 * reaching a protected handler. With Alice's session each must reach `protected:<route>`.
 */
export const CONTROL_PROTECTED: [string, string][] = [
  ['/dashboard', 'dashboard'],
  ['/dashboard/x', 'dashboard'],
  ['/app/x', 'app'],
  ['/item/1', 'item'],
  ['/api/keys', 'apikeys'],
  ['/api/keys/1', 'apikeys'],
  ['/admin/users', 'admin'],
  ['/profile', 'profile'],
  ['/staff/x', 'staff'],
];
