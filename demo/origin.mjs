// The demo origin behind `npm run demo`: a plain node:http app that shows which X-Auth-* headers
// the gateway sent it, plus a demo sign-in that mints session tokens shaped like Clerk's.
//
// It knows nothing about Clerk beyond the token format: it signs with a private key that
// scripts/demo.mjs generates in memory at startup and whose public half it hands to the gateway
// as CLERK_JWT_KEY. The gateway itself has no demo mode; it verifies these tokens exactly as it
// verifies Clerk's.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

import { DEMO_FRONTEND_API, DEMO_ISSUER, DEMO_TOKEN_LIFETIME_S, ORGS, USERS, demoSessionToken } from './claims.mjs';

export { DEMO_FRONTEND_API };
const ISSUER = DEMO_ISSUER;
const TOKEN_LIFETIME_S = DEMO_TOKEN_LIFETIME_S;

/** The identity headers the gateway may set, in the order the table shows them. */
const KNOWN_HEADERS = [
  'x-auth-session-status',
  'x-auth-user-id',
  'x-auth-session-id',
  'x-auth-org-id',
  'x-auth-org-role',
  'x-auth-org-slug',
  'x-auth-org-permissions',
];

const PAGE_TITLES = {
  '/dashboard': 'Dashboard',
  '/forum': 'Forum',
  '/account/status': 'Account status',
};

// ---------------------------------------------------------------------------------------------
// Tokens and cookies

/** `__session` and `__client_uat` as a production Clerk instance leaves them (uat <= token iat). */
function sessionCookies(token, iat) {
  // Both expire with the token, so the browser never holds a __client_uat without a valid
  // __session (which would make the gateway try a handshake with the made-up Clerk instance).
  const attrs = `Path=/; SameSite=Lax; Max-Age=${TOKEN_LIFETIME_S - 60}`;
  return [`__session=${token}; ${attrs}`, `__client_uat=${iat}; ${attrs}`];
}

function clearedCookies() {
  return ['__session=; Path=/; SameSite=Lax; Max-Age=0', '__client_uat=0; Path=/; SameSite=Lax; Max-Age=0'];
}

/**
 * The demo session in the request's `__session` cookie, verified with the demo key, or undefined.
 * Only the sign-in and task pages use it: like Clerk's own pages (where clerk-js knows the
 * session), they must see a *pending* session, which the gateway forwards to public paths as
 * signed out. Every other page relies on the gateway's X-Auth-* headers alone.
 */
function readSession(req, publicKey) {
  const cookie = header(req, 'cookie') ?? '';
  const token = cookie
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith('__session='))
    ?.slice('__session='.length);
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  try {
    const ok = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, Buffer.from(parts[2], 'base64url'));
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const now = Math.floor(Date.now() / 1000);
    if (!ok || claims.iss !== ISSUER || !(claims.exp > now) || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      return undefined;
    }
    return { userId: claims.sub, sessionId: claims.sid, status: claims.sts === 'pending' ? 'pending' : 'active' };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Request helpers

function header(req, name) {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The gateway's public origin: the one given to a sign-in server (`npm run demo -- --origin`, where
 * the browser comes here directly), else from the forwarding headers the gateway sets (it strips
 * client copies).
 */
function publicOrigin(req, gatewayOrigin) {
  if (gatewayOrigin) return gatewayOrigin;
  const host = header(req, 'x-forwarded-host') ?? header(req, 'host') ?? 'localhost';
  const proto = header(req, 'x-forwarded-proto') === 'https' ? 'https' : 'http';
  return `${proto}://${host}`;
}

/**
 * Where to go after sign-in: a same-origin path, or an absolute URL on the gateway's own host
 * (X-Forwarded-Host). Anything else (other hosts, `//evil`, `javascript:`) becomes "/". A sign-in
 * server (`gatewayOrigin` set) is not on the gateway's host: paths and "/" become URLs on
 * `gatewayOrigin`, and only that origin is accepted.
 */
export function safeRedirect(value, req, gatewayOrigin) {
  const home = gatewayOrigin ? `${gatewayOrigin}/` : '/';
  if (typeof value !== 'string' || value === '') return home;
  if (/[\u0000-\u001f\\]/.test(value)) return home;
  if (value.startsWith('/') && !value.startsWith('//')) return gatewayOrigin ? `${gatewayOrigin}${value}` : value;
  try {
    const url = new URL(value);
    const host = gatewayOrigin ? new URL(gatewayOrigin).host : header(req, 'x-forwarded-host');
    if ((url.protocol === 'http:' || url.protocol === 'https:') && host && url.host === host && !url.username && !url.password) {
      return url.href;
    }
  } catch {
    // not a URL
  }
  return home;
}

/** A request the demo refuses on purpose: answered with `status`, never logged as an error. */
class ClientError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function readForm(req) {
  return readBody(req).then((body) => new URLSearchParams(body.toString('utf8')));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    const onData = (chunk) => {
      size += chunk.length;
      if (size > 16 * 1024) {
        reject(new ClientError(413, 'Form too large'));
        req.off('data', onData).resume(); // discard the rest; the 413 closes the connection
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// HTML

/** The indefinite article for `word`: "a pending", "an active". */
const article = (word) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

const escapeHtml = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const CSS = `
  :root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --accent:#6c47ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:#fff; }
  header { background:var(--bg); border-bottom:1px solid var(--line); }
  .wrap { max-width:960px; margin:0 auto; padding:0 20px; }
  header .wrap { display:flex; align-items:center; column-gap:24px; row-gap:6px; flex-wrap:wrap; padding-top:12px; padding-bottom:12px; }
  header strong { margin-right:auto; white-space:nowrap; }
  nav { display:flex; flex-wrap:wrap; justify-content:flex-end; column-gap:14px; flex:1 1 0; min-width:0; }
  nav a { color:var(--fg); text-decoration:none; white-space:nowrap; }
  .who { display:flex; align-items:center; gap:8px; white-space:nowrap; }
  nav a:hover { color:var(--accent); }
  main { padding-top:12px; padding-bottom:40px; }
  h1 { font-size:24px; margin:18px 0 8px; }
  h2 { font-size:17px; margin:28px 0 8px; }
  code { font:13px ui-monospace,SFMono-Regular,Menlo,monospace; background:var(--bg); padding:1px 4px; border-radius:4px; }
  .muted { color:var(--muted); }
  .badge { display:inline-block; white-space:nowrap; padding:1px 10px; border-radius:999px; font-size:13px; font-weight:600; }
  .badge.active { background:#dafbe1; color:#116329; }
  .badge.pending { background:#fff8c5; color:#7d4e00; }
  .badge.signed-out { background:#eaeef2; color:#57606a; }
  table { border-collapse:collapse; width:100%; margin-top:6px; }
  th, td { text-align:left; padding:7px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { font-weight:600; background:var(--bg); }
  td code { background:none; padding:0; }
  td.absent { color:var(--muted); font-style:italic; }
  .cards { display:flex; gap:16px; flex-wrap:wrap; margin-top:12px; }
  .card { flex:1 1 240px; border:1px solid var(--line); border-radius:10px; padding:16px; }
  .card h3 { margin:0 0 6px; font-size:16px; }
  button { font:inherit; cursor:pointer; border:0; border-radius:8px; padding:8px 16px; background:var(--accent); color:#fff; }
  button.secondary { background:#fff; color:var(--fg); border:1px solid var(--line); }
  .callout { background:var(--bg); border:1px solid var(--line); border-radius:10px; padding:12px 16px; margin-top:14px; }
  ol li { margin:4px 0; }
`;

function headerTable(req) {
  const received = Object.keys(req.headers).filter((n) => n.startsWith('x-auth-'));
  const names = [...KNOWN_HEADERS, ...received.filter((n) => !KNOWN_HEADERS.includes(n)).sort()];
  const rows = names
    .map((name) => {
      const label = name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());
      const value = header(req, name);
      const cell =
        value === undefined
          ? `<td class="absent" data-header="${name}">not sent</td>`
          : `<td data-header="${name}"><code>${escapeHtml(value)}</code></td>`;
      return `<tr><th><code>${label}</code></th>${cell}</tr>`;
    })
    .join('\n');
  return `
    <h2>Identity headers this origin received</h2>
    <p class="muted">Set by the gateway after it verified the session; any client-sent copy is removed first.</p>
    <table>${rows}</table>
    <p class="muted">Also received: <code>X-Forwarded-Host: ${escapeHtml(header(req, 'x-forwarded-host') ?? '')}</code>,
      <code>X-Forwarded-Proto: ${escapeHtml(header(req, 'x-forwarded-proto') ?? '')}</code>.</p>`;
}

/** The session as the gateway forwarded it (X-Auth-* headers), or undefined when signed out. */
function forwardedSession(req) {
  const status = header(req, 'x-auth-session-status');
  const userId = header(req, 'x-auth-user-id');
  return (status === 'active' || status === 'pending') && userId ? { status, userId } : undefined;
}

/**
 * The top bar's session links, written with the gateway's control components (`components: true`
 * in demo/routes.config.ts) instead of templated on the X-Auth-* headers: the gateway shows each
 * visitor only the links for their session. "Sign in" with no session at all; "Finish setting up"
 * for a pending one (signed in when pending counts, signed out when it does not); "Sign out" for
 * pending and active ones; "Admin" for an admin of the active organization.
 */
const SESSION_LINKS = `<clerk-protect role="org:admin"><a href="/orgs/acme/settings">Admin</a></clerk-protect>\
<clerk-signed-in treat-pending-as-signed-out="false">\
<clerk-signed-out><a href="/sign-in/tasks?redirect_url=%2F" data-finish-setup>Finish setting up</a></clerk-signed-out>\
<a href="/sign-out">Sign out</a></clerk-signed-in>\
<clerk-signed-out treat-pending-as-signed-out="false"><a href="/sign-in">Sign in</a></clerk-signed-out>`;

/**
 * A page with the top bar. The bar shows the session the page knows about: what the gateway
 * forwarded, or on the sign-in and task pages (`session`) the one in the cookie, as Clerk's own
 * pages know it; those are public paths, where the gateway forwards a pending session as signed out.
 */
function page(req, title, body, { showHeaders = true, session, gatewayOrigin } = {}) {
  const known = session ?? forwardedSession(req);
  const badge = known?.status ?? 'signed-out';
  const forwarded = header(req, 'x-auth-session-status') ?? 'signed-out';
  const who = known ? ` <code data-user>${escapeHtml(known.userId)}</code>` : '';
  const note =
    showHeaders && known?.status === 'pending' && forwarded === 'signed-out'
      ? `<p class="muted" data-note="forwarded-status">The table below says <code>signed-out</code> while your session is
      <strong>pending</strong>: on public paths the gateway forwards a pending session as signed out (only routes with
      <code>treatPendingAsSignedOut: false</code> see it as pending). This page reads the session from its cookie
      instead, as Clerk's own sign-in and task pages would.</p>`
      : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · edge-auth-gateway demo</title>
<style>${CSS}</style>
</head>
<body data-session-status="${escapeHtml(badge)}">
<header><div class="wrap">
  <strong>edge-auth-gateway demo</strong>
  <nav>${
    gatewayOrigin
      ? // The sign-in server's own pages do not pass through the gateway: no components there.
        `<a href="${escapeHtml(gatewayOrigin)}/">Your app</a>${known ? '<a href="/sign-out">Sign out</a>' : '<a href="/sign-in">Sign in</a>'}`
      : `<a href="/">Home</a><a href="/dashboard">Dashboard</a><a href="/forum">Forum</a><a href="/account/status">Account status</a>${SESSION_LINKS}`
  }</nav>
  <span class="who"><span class="badge ${badge}" data-badge>${badge}</span>${who}</span>
</div></header>
<main class="wrap">
${body}
${note}
${showHeaders ? headerTable(req) : ''}
</main>
</body>
</html>`;
}

function homeBody(req) {
  return `
    <h1>A Clerk-verifying gateway in front of this origin</h1>
    <p>You are talking to <strong>edge-auth-gateway</strong> running in <code>wrangler dev</code>. It verifies
      the session cookie, decides per <code>routes.config.ts</code> whether the request may pass, and forwards it
      here with the caller's identity in <code>X-Auth-*</code> headers. This page is served by a tiny demo origin
      (<code>demo/origin.mjs</code>) that simply shows what it received.</p>
    <div class="callout">
      <strong>Try it</strong>
      <ol>
        <li>Open the <a href="/dashboard">Dashboard</a> (protected): the gateway sends you to sign in.</li>
        <li>Sign in as <em>Pat (pending)</em>: the session has an open <code>choose-organization</code> task, so the
          gateway sends you to the task page instead of the dashboard.</li>
        <li>Choose an organization: you land back on the dashboard, now <code>active</code>, with org headers.</li>
        <li>While pending, <a href="/account/status">Account status</a> is still reachable (its route sets
          <code>treatPendingAsSignedOut: false</code>); the <a href="/forum">Forum</a> is not.</li>
        <li>Or sign in as <em>Ada (active)</em> and go straight through. Sign out from the top bar.</li>
        <li>Clerk's Frontend API through the gateway's own proxy: <a href="/__clerk/v1/environment">/__clerk/v1/environment</a>
          (<code>CLERK_FRONTEND_API_PROXY_PATH</code>; here a stand-in answers). No rule applies to it and it never reaches this origin.</li>
        <li>Try to spoof: <code>curl -H 'X-Auth-User-Id: user_evil' ${escapeHtml(publicOrigin(req))}/</code>: the header never
          reaches the origin.</li>
        <li>Signed out, post to the forum (protected) with this form: the gateway answers <code>303</code>, so the browser
          opens the sign-in page and comes back here, instead of re-posting the form to the sign-in page.</li>
      </ol>
      <form method="post" action="/forum/new" class="inline-form">
        <input name="text" value="Hello" aria-label="Message">
        <button type="submit">Post to the forum</button>
      </form>
    </div>
    <p class="muted">No Clerk account is involved: the demo sign-in mints tokens with a key pair generated when
      <code>npm run demo</code> started; the gateway verifies them with the public half (<code>CLERK_JWT_KEY</code>),
      exactly as it verifies Clerk's. Restarting the demo makes a new key, so old cookies just read as signed out.</p>`;
}

/**
 * The sign-in server's third card (`--origin`): anyone, with the organization, role and permissions
 * the user's own rules ask for.
 */
function customCard(redirectUrl) {
  return `
      <div class="card">
        <h3>Someone else</h3>
        <p class="muted">Any user, organization, role and permissions, to try your own rules.</p>
        <form method="post" action="/sign-in">
          <input type="hidden" name="mode" value="custom">
          <input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">
          <p><label>User id <input name="user" value="user_demo_sam" required></label></p>
          <p><label>Session <select name="status"><option value="active">active</option><option value="pending">pending</option></select></label></p>
          <p><label>Organization slug <input name="org" value="acme" placeholder="none"></label></p>
          <p><label>Role <input name="role" value="org:member"></label></p>
          <p><label>Permissions <input name="permissions" placeholder="org:billing:read, org:billing:manage"></label></p>
          <button class="secondary" type="submit">Sign in as this user</button>
        </form>
      </div>`;
}

function signInBody(session, redirectUrl, { custom = false } = {}) {
  const already = session
    ? `<p class="callout">You already have ${article(session.status)} <strong>${escapeHtml(session.status)}</strong> session
        (<code>${escapeHtml(session.userId)}</code>); signing in again replaces it.</p>`
    : '';
  const form = (mode, label, text, cls = '') => `
      <div class="card">
        <h3>${escapeHtml(label)}</h3>
        <p class="muted">${text}</p>
        <form method="post" action="/sign-in">
          <input type="hidden" name="mode" value="${mode}">
          <input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">
          <button class="${cls}" type="submit">Sign in as ${escapeHtml(label)}</button>
        </form>
      </div>`;
  return `
    <h1>Sign in (demo)</h1>
    <p>In a real deployment this is Clerk's sign-in page (the Account Portal, or your own <code>&lt;SignIn/&gt;</code>).
      Here the demo signs you in by setting <code>__session</code> and <code>__client_uat</code> cookies.</p>
    <p class="muted">After sign-in you go to <code>${escapeHtml(redirectUrl)}</code>.</p>
    ${already}
    <div class="cards">
      ${form('active', USERS.active.name, 'An <code>active</code> session, already in <em>Acme Corp</em> as admin.')}
      ${form('pending', USERS.pending.name, 'A <code>pending</code> session: the after-auth task <code>choose-organization</code> is still open.', 'secondary')}
      ${custom ? customCard(redirectUrl) : ''}
    </div>`;
}

function tasksBody(session, redirectUrl) {
  if (!session) {
    return `
      <h1>Choose an organization</h1>
      <p data-task-session="none">You are not signed in, so there is no task to complete.
        <a href="/sign-in?redirect_url=${encodeURIComponent(redirectUrl)}">Sign in</a> first.</p>`;
  }
  const intro =
    session.status === 'pending'
      ? `<p data-task-session="pending">Your session is <strong>pending</strong>: the gateway sent you here because the
          <code>choose-organization</code> task is open. Pick one to finish signing in.</p>`
      : `<p data-task-session="active">Your session is already active; choosing an organization switches to it.</p>`;
  const options = Object.entries(ORGS)
    .map(
      ([key, org], i) => `
      <div class="card">
        <h3>${escapeHtml(org.name)}</h3>
        <p class="muted"><code>${org.claim.id}</code>: ${escapeHtml(org.note)}</p>
        <form method="post" action="/sign-in/tasks">
          <input type="hidden" name="org" value="${key}">
          <input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">
          <button class="${i ? 'secondary' : ''}" type="submit">Choose ${escapeHtml(org.name)}</button>
        </form>
      </div>`,
    )
    .join('');
  return `
    <h1>Choose an organization</h1>
    ${intro}
    <p class="muted">Afterwards you go to <code>${escapeHtml(redirectUrl)}</code>.</p>
    <div class="cards">${options}</div>`;
}

function genericBody(req, pathname) {
  const title = PAGE_TITLES[pathname];
  const status = header(req, 'x-auth-session-status') ?? 'signed-out';
  let extra = '';
  if (pathname === '/account/status') {
    extra = `
      <p>Your session status: <span class="badge ${escapeHtml(status)}" id="status">${escapeHtml(status)}</span></p>
      <p class="muted">This route is protected with <code>treatPendingAsSignedOut: false</code>: signed-out visitors
        are sent to sign in, but pending sessions get through (with <code>X-Auth-Session-Status: pending</code>).</p>
      ${
        status === 'pending'
          ? `<p><a href="/sign-in/tasks?redirect_url=${encodeURIComponent('/account/status')}">Finish setting up your account</a> (choose an organization).</p>`
          : ''
      }`;
  } else if (title) {
    extra = `<p class="muted">A protected route: only <code>active</code> sessions get here.</p>`;
  }
  return `
    <h1>${escapeHtml(title ?? 'Origin page')}</h1>
    <p>You reached <code>${escapeHtml(pathname)}</code> on the origin.</p>
    ${extra}`;
}

// ---------------------------------------------------------------------------------------------
// Server

function send(res, status, html, headers = {}) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(html),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : html);
}

function redirectTo(res, location, cookies) {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'set-cookie': cookies, 'content-length': 0 });
  res.end();
}

function tasksLocation(redirectUrl) {
  return `/sign-in/tasks?redirect_url=${encodeURIComponent(redirectUrl)}`;
}

/**
 * `POST /__demo/token` (`npm run token`): a session token for whoever the JSON body names, signed
 * with this run's key. JSON only, so that a web page cannot ask for one without a CORS preflight
 * (which this server never answers).
 */
async function tokenEndpoint(req, res, { privateKey, gatewayOrigin }) {
  if (!/^application\/json\b/i.test(header(req, 'content-type') ?? '')) throw new ClientError(415, 'Send JSON');
  let body;
  try {
    body = JSON.parse((await readBody(req)).toString('utf8') || '{}');
  } catch {
    throw new ClientError(400, 'The body is not JSON');
  }
  const status = body.as === 'pending' ? 'pending' : 'active';
  const userId = typeof body.user === 'string' && body.user ? body.user : USERS[status].id;
  const slug = typeof body.org === 'string' && body.org ? body.org : status === 'active' && body.org !== false ? USERS.active.org : undefined;
  const permissions = Array.isArray(body.permissions) ? body.permissions.map(String) : undefined;
  const role = typeof body.role === 'string' && body.role ? body.role : undefined;
  const azp = typeof body.azp === 'string' && body.azp ? body.azp : gatewayOrigin;
  if (!azp) throw new ClientError(400, 'Say which origin the token is for (azp)');
  const minted = await mintFor(privateKey, { userId, status, org: slug ? { slug, role, permissions } : undefined, azp });
  const json = JSON.stringify({ token: minted.token, clientUat: minted.iat, claims: minted.claims });
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** A demo session token for a new session of this identity; what it cannot mint is the client's 400. */
async function mintFor(privateKey, identity) {
  try {
    return await demoSessionToken(privateKey, { ...identity, sessionId: `sess_demo_${randomBytes(8).toString('hex')}` });
  } catch (error) {
    throw new ClientError(400, error.message);
  }
}

/**
 * `POST /v1/sessions/<id>/revoke`: the one Backend API call the gateway makes in the demo (its
 * sign-out endpoint revokes the session; CLERK_API_URL points here). Demo tokens are stateless,
 * so revoking only answers as Clerk would; the cleared cookies end the session in the browser.
 */
function revokeEndpoint(res, sessionId) {
  const now = Date.now();
  const json = JSON.stringify({
    object: 'session',
    id: sessionId,
    client_id: 'client_demo',
    user_id: 'user_demo',
    status: 'revoked',
    last_active_at: now,
    expire_at: now,
    abandon_at: now,
    created_at: now,
    updated_at: now,
  });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The custom card's sign-in: the identity the form names (a pending one goes on to the task page). */
async function customSignIn(res, form, { privateKey, gatewayOrigin }, redirectUrl) {
  const userId = (form.get('user') ?? '').trim();
  if (!/^[\w-]{1,64}$/.test(userId)) throw new ClientError(400, 'A user id is letters, digits, "_" and "-"');
  const status = form.get('status') === 'pending' ? 'pending' : 'active';
  const slug = (form.get('org') ?? '').trim();
  if (slug && !/^[\w-]{1,64}$/.test(slug)) throw new ClientError(400, 'An organization slug is letters, digits, "_" and "-"');
  const role = (form.get('role') ?? '').trim() || undefined;
  const permissions = (form.get('permissions') ?? '').split(/[\s,]+/).filter(Boolean);
  const org = slug ? { slug, role, permissions: permissions.length ? permissions : undefined } : undefined;
  const minted = await mintFor(privateKey, { userId, status, org, azp: gatewayOrigin });
  return redirectTo(res, status === 'pending' ? tasksLocation(redirectUrl) : redirectUrl, sessionCookies(minted.token, minted.iat));
}

/**
 * One request. `ctx.gatewayOrigin` set: this is a sign-in server for someone else's app
 * (`npm run demo -- --origin`), reached by the browser directly, not through the gateway: it
 * serves only the sign-in and task pages, and every redirect goes back to the gateway.
 */
/** Where the demo's stand-in for Clerk's Frontend API answers (the gateway's CLERK_FRONTEND_API_URL). */
export const FAKE_FRONTEND_API = '/__fake-clerk-fapi';

/**
 * A stand-in for Clerk's Frontend API behind the gateway's Frontend API proxy (`/__clerk/*` on the
 * gateway): it answers JSON saying what it received, as the real one would have seen it: the path
 * under the proxy, the `Clerk-Proxy-Url` the gateway sent, and whether the secret key came along
 * (never the key itself).
 */
function fakeFrontendApi(req, res, path) {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(
    JSON.stringify({
      object: 'demo_frontend_api',
      method: req.method,
      path,
      clerk_proxy_url: header(req, 'clerk-proxy-url') ?? null,
      secret_key_sent: Boolean(header(req, 'clerk-secret-key')),
    }),
  );
}

async function handle(req, res, ctx) {
  const { privateKey, publicKey, gatewayOrigin } = ctx;
  const url = new URL(req.url ?? '/', 'http://origin.invalid');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const isRead = req.method === 'GET' || req.method === 'HEAD';
  const home = gatewayOrigin ? `${gatewayOrigin}/` : '/';

  if (path === '/__demo/token' && req.method === 'POST') return tokenEndpoint(req, res, ctx);
  if (path.startsWith(FAKE_FRONTEND_API)) return fakeFrontendApi(req, res, path.slice(FAKE_FRONTEND_API.length) || '/');
  const revoke = /^\/v1\/sessions\/([\w-]+)\/revoke$/.exec(path);
  if (revoke && req.method === 'POST') return revokeEndpoint(res, revoke[1]);

  if (path === '/sign-in' && req.method === 'POST' && gatewayOrigin) {
    const form = await readForm(req);
    if (form.get('mode') === 'custom') return customSignIn(res, form, ctx, safeRedirect(form.get('redirect_url'), req, gatewayOrigin));
    req.demoForm = form;
  }

  if (path === '/sign-in' && req.method === 'POST') {
    const form = req.demoForm ?? (await readForm(req));
    const mode = form.get('mode') === 'pending' ? 'pending' : 'active';
    const user = USERS[mode];
    const redirectUrl = safeRedirect(form.get('redirect_url'), req, gatewayOrigin);
    const { token, iat } = await demoSessionToken(privateKey, {
      userId: user.id,
      sessionId: `sess_demo_${randomBytes(8).toString('hex')}`,
      status: mode,
      org: user.org ? { slug: user.org } : undefined,
      azp: publicOrigin(req, gatewayOrigin),
    });
    return redirectTo(res, mode === 'pending' ? tasksLocation(redirectUrl) : redirectUrl, sessionCookies(token, iat));
  }

  if (path === '/sign-in/tasks' && req.method === 'POST') {
    const form = await readForm(req);
    const redirectUrl = safeRedirect(form.get('redirect_url'), req, gatewayOrigin);
    const session = readSession(req, publicKey);
    const org = Object.hasOwn(ORGS, form.get('org') ?? '') ? form.get('org') : undefined;
    if (!session) return redirectTo(res, `/sign-in?redirect_url=${encodeURIComponent(redirectUrl)}`, []);
    if (!org) return redirectTo(res, tasksLocation(redirectUrl), []);
    // The same user and session, now active in the chosen organization.
    const { token, iat } = await demoSessionToken(privateKey, {
      userId: session.userId,
      sessionId: session.sessionId,
      status: 'active',
      org: { slug: org },
      azp: publicOrigin(req, gatewayOrigin),
    });
    return redirectTo(res, redirectUrl, sessionCookies(token, iat));
  }

  // Cookies are not kept apart by port: on localhost this clears the gateway's too.
  if (path === '/sign-out' && (isRead || req.method === 'POST')) return redirectTo(res, home, clearedCookies());
  // Reached only through the gateway with a session (the forum is protected).
  if (path === '/forum/new' && req.method === 'POST' && !gatewayOrigin) {
    await readForm(req);
    return redirectTo(res, '/forum', []);
  }

  if (!isRead) return send(res, 405, page(req, 'Method not allowed', `<h1>Method not allowed</h1>`, { gatewayOrigin, showHeaders: !gatewayOrigin }), { allow: 'GET, HEAD' });

  const redirectUrl = safeRedirect(url.searchParams.get('redirect_url') ?? '/', req, gatewayOrigin);
  if (path === '/sign-in' || path === '/sign-in/tasks') {
    const session = readSession(req, publicKey);
    const options = { session, gatewayOrigin, showHeaders: !gatewayOrigin };
    return path === '/sign-in'
      ? send(res, 200, page(req, 'Sign in', signInBody(session, redirectUrl, { custom: Boolean(gatewayOrigin) }), options))
      : send(res, 200, page(req, 'Choose an organization', tasksBody(session, redirectUrl), options));
  }
  if (path === '/favicon.ico') {
    res.writeHead(204, { 'cache-control': 'max-age=86400' });
    return res.end();
  }
  // A sign-in server has no pages of its own: the app is behind the gateway.
  if (gatewayOrigin) return redirectTo(res, home, []);
  if (path === '/') return send(res, 200, page(req, 'Home', homeBody(req)));
  return send(res, 200, page(req, PAGE_TITLES[path] ?? path, genericBody(req, url.pathname)));
}

/**
 * Starts the demo origin on host:port. `privateKey` (a node:crypto KeyObject) signs the demo
 * session tokens. With `gatewayOrigin` (the gateway's public origin, e.g. http://localhost:8787)
 * it is only a sign-in server for an app behind that gateway (`npm run demo -- --origin`).
 * Resolves to `{ server, close() }` once listening.
 */
export function startDemoOrigin({ port, host = '127.0.0.1', privateKey, gatewayOrigin }) {
  const ctx = { privateKey, publicKey: createPublicKey(privateKey), gatewayOrigin };
  const server = createServer((req, res) => {
    // A sign-in server is another origin than the gateway, which Clerk's Account Portal is too,
    // but one Clerk does not know: a navigation back to the app with this page as its Referer
    // would make @clerk/backend handshake with the made-up Frontend API ("cross-origin
    // referrer"). Real Clerk pages are known referrers; these send none (also through redirects).
    if (gatewayOrigin) res.setHeader('referrer-policy', 'no-referrer');
    handle(req, res, ctx).catch((error) => {
      const expected = error instanceof ClientError;
      // A client that hung up mid-request is not the demo's error either.
      if (!expected && !req.destroyed) console.error('demo origin:', error);
      if (res.headersSent || res.destroyed) res.destroy();
      else if (expected) send(res, error.status, page(req, error.message, `<h1>${escapeHtml(error.message)}</h1>`, { showHeaders: false }), { connection: 'close' });
      else send(res, 500, page(req, 'Error', `<h1>Demo origin error</h1>`, { showHeaders: false }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.error('demo/origin.mjs is started by `npm run demo` (scripts/demo.mjs), which generates its signing key.');
  process.exit(1);
}
