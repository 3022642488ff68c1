// A tiny app the demo has never seen, for `npm run test:e2e`'s walk of `npm run demo -- --origin`:
// plain node:http, no framework, no Clerk. Every page shows the X-Auth-* headers it received and
// what the identity assertion's verifier (verifiers/node/express-assertion.mjs, used outside
// Express) makes of X-Auth-Assertion, checked against the gateway's published JWKS, and has the
// sign-out button an app puts on its pages: a form POSTing to the gateway's sign-out endpoint.
import { createServer } from 'node:http';

import { assertionKeys, verifyAssertion } from '../../verifiers/node/express-assertion.mjs';

const HEADERS = ['x-auth-session-status', 'x-auth-user-id', 'x-auth-session-id', 'x-auth-org-id', 'x-auth-org-role', 'x-auth-org-slug', 'x-auth-org-permissions'];

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * Starts the app on 127.0.0.1 (port 0: a free one). `gateway`: the gateway's origin, the
 * assertion's issuer and where its JWKS is; the audience is this app's own origin.
 * @param {{ gateway: string, signOutPath?: string }} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startEchoApp({ gateway, signOutPath = '/__gateway/sign-out' }) {
  const keys = assertionKeys({ jwksUrl: `${gateway}/.well-known/edge-auth-gateway/jwks.json`, cooldownDuration: 1000 });
  let audience = '';
  const server = createServer((req, res) => {
    const target = req.url ?? '/';
    const assertion = req.headers['x-auth-assertion'];
    verifyAssertion(typeof assertion === 'string' ? assertion : undefined, { method: req.method ?? 'GET', target }, { keys, issuer: gateway, audience })
      .then(
        (claims) => `verified: sts=${claims.sts}${claims.sub ? ` sub=${claims.sub}` : ''}${claims.org_slug ? ` org=${claims.org_slug}` : ''}`,
        (error) => `refused: ${error.reason ?? error.message}`,
      )
      .then((verdict) => {
        const rows = HEADERS.map((name) => {
          const value = req.headers[name];
          return `<tr><th>${name}</th><td data-header="${name}">${value === undefined ? 'not sent' : escapeHtml(value)}</td></tr>`;
        }).join('');
        const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tiny app</title></head><body>
<h1>Tiny app: ${escapeHtml(new URL(target, 'http://x').pathname)}</h1>
<nav><a href="/">Home</a> <a href="/dashboard">Dashboard</a> <a href="/account/status">Account status</a></nav>
<form method="post" action="${escapeHtml(signOutPath)}"><button type="submit">Sign out</button></form>
<table>${rows}</table>
<p>Assertion: <span data-assertion>${escapeHtml(verdict)}</span></p>
</body></html>`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
        res.end(req.method === 'HEAD' ? undefined : html);
      })
      .catch(() => {
        res.writeHead(500).end();
      });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
  audience = url;
  return {
    url,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
