#!/usr/bin/env node
// `npm run token -- --as pending --org acme`: a session token the running demo gateway accepts
// (`npm run demo`, or `npm run demo -- --origin <your app>`), printed with the Authorization and
// Cookie headers for curl. The demo server mints it with the run's private key, which never leaves
// that process: start the demo first. Options (all optional):
//
//   --as active|pending   the session's status (sts); default active
//   --user <id>           sub; default user_demo_ada (active) or user_demo_pat (pending)
//   --org <slug>          the active organization; default acme for --as active, none for pending
//   --no-org              no active organization
//   --role <role>         the organization role (admin or org:admin); default the org's (acme: admin)
//   --permission <org:feature:perm>   repeatable; default the org's
//   --json                print {token, clientUat, cookie, claims} as JSON instead
//
// Environment: GATEWAY_PORT (default 8787) for azp and the curl lines, DEMO_ORIGIN_PORT (default
// 8788) for the demo server.

const USAGE = 'usage: npm run token -- [--as active|pending] [--user <id>] [--org <slug> | --no-org] [--role <role>] [--permission <org:feature:perm>]… [--json]';

function fail(message, code = 2) {
  console.error(`token: ${message}`);
  process.exit(code);
}

function port(name, fallback) {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  return n;
}

/** The command line as the demo server's token request, or exit 2 with what is wrong. */
function parseTokenArgs(args) {
  const request = { as: 'active' };
  let json = false;
  const value = (i, flag) => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) fail(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--as') {
      request.as = value(i++, arg);
      if (request.as !== 'active' && request.as !== 'pending') fail(`--as must be active or pending, got ${JSON.stringify(request.as)}`);
    } else if (arg === '--user') request.user = value(i++, arg);
    else if (arg === '--org') request.org = value(i++, arg);
    else if (arg === '--no-org') request.org = false;
    else if (arg === '--role') request.role = value(i++, arg);
    else if (arg === '--permission') (request.permissions ??= []).push(value(i++, arg));
    else if (arg === '--json') json = true;
    else fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  if ((request.role || request.permissions) && !request.org && request.as === 'pending') fail('--role and --permission need --org for a pending session');
  if ((request.role || request.permissions) && request.org === false) fail('--role and --permission need an organization (drop --no-org)');
  return { request, json };
}

async function main() {
  const { request, json } = parseTokenArgs(process.argv.slice(2));
  const gateway = `http://localhost:${port('GATEWAY_PORT', 8787)}`;
  const demoServer = `http://127.0.0.1:${port('DEMO_ORIGIN_PORT', 8788)}`;
  let res;
  try {
    res = await fetch(`${demoServer}/__demo/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, azp: gateway }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    fail(`no demo server answers on ${demoServer} (${error.cause?.code ?? error.message}): start \`npm run demo\` (or \`npm run demo -- --origin <your app>\`) first, with the same DEMO_ORIGIN_PORT`, 1);
  }
  const text = await res.text();
  const unescape = (html) => html.replace(/&(quot|lt|gt|#39|amp);/g, (_, e) => ({ quot: '"', lt: '<', gt: '>', '#39': "'", amp: '&' })[e]);
  if (!res.ok) fail(`the demo server refused: ${unescape(text.match(/<h1>([^<]*)<\/h1>/)?.[1] ?? `HTTP ${res.status}`)}`, 1);
  const { token, clientUat, claims } = JSON.parse(text);
  const cookie = `__session=${token}; __client_uat=${clientUat}`;
  if (json) {
    console.log(JSON.stringify({ token, clientUat, cookie, claims }, null, 2));
    return;
  }
  const org = claims.o ? `, org ${claims.o.slg} (role ${claims.o.rol})` : '';
  console.log(`# ${claims.sts} session for ${claims.sub}${org}; iss ${claims.iss}, azp ${claims.azp}, valid until ${new Date(claims.exp * 1000).toISOString()}
# The demo gateway on ${gateway} accepts it; another gateway does not (it has its own key).
TOKEN='${token}'

# As an API client (bearer):
curl -i -H "Authorization: Bearer $TOKEN" ${gateway}/

# As a browser (cookies; add Accept: text/html to get redirects instead of 401 JSON):
curl -i -H 'Cookie: ${cookie}' ${gateway}/`);
}

await main();
