// Express 4 and 5 origins: routing as Express does by default (case-insensitive, non-strict),
// cookies through cookie-parser, headers through req.get(). With `verifier` settings, also the
// identity assertion's verifier (verifiers/node/express-assertion.mjs) as an app would mount it:
// /verified/* with the pasted JWKS, /verified-remote/* with the JWKS URL.
import cookieParser from 'cookie-parser';

import { gatewayAssertion } from '../../../../verifiers/node/express-assertion.mjs';
import { answer } from './common.mjs';

// Express 4 (path-to-regexp 0.1) and Express 5 (path-to-regexp 8) spell wildcards differently.
const ROUTES = {
  4: {
    dashboard: ['/dashboard', '/dashboard/*'],
    app: ['/app', '/app/*'],
    item: ['/item/:id?'],
    apikeys: ['/api/keys*'],
    admin: ['/admin/:section'],
    profile: ['/profile*'],
    staff: ['/staff', '/staff/*'],
  },
  5: {
    dashboard: ['/dashboard', '/dashboard/*rest'],
    app: ['/app', '/app/*rest'],
    item: ['/item{/:id}'],
    apikeys: ['/api/keys{*rest}'],
    admin: ['/admin/:section'],
    profile: ['/profile{*rest}'],
    staff: ['/staff', '/staff/*rest'],
  },
};

/**
 * @param {any} express the express module (4 or 5) @param {4|5} major
 * @param {{ issuer: string, audience: string, jwks: object, jwksUrl: string, cooldownDuration: number }} [verifier]
 */
export function expressApp(express, major, verifier) {
  const name = `express${major}`;
  const app = express();
  app.disable('x-powered-by');
  if (verifier) {
    const { issuer, audience, jwks, jwksUrl, cooldownDuration } = verifier;
    // What the verified handler believed; a refusal is the middleware's own 401 { error, reason }.
    const verified = (req, res) => {
      const id = req.gatewayIdentity;
      res.json({ framework: name, handler: 'verified', sub: id.userId, sid: id.sessionId, sts: id.status, orgId: id.orgId, target: req.originalUrl });
    };
    app.get('/__verifier', (_req, res) => res.json({ framework: name, handler: 'verifier', verifier: 'ok' }));
    app.use('/verified', gatewayAssertion({ issuer, audience, jwks }), verified);
    app.use('/verified-remote', gatewayAssertion({ issuer, audience, jwksUrl, cooldownDuration }), verified);
  }
  app.use(cookieParser());
  const respond = (handler) => (req, res) => {
    res.json(
      answer(name, handler, {
        header: (n) => req.get(n),
        session: req.cookies?.__session,
        clientUat: req.cookies?.__client_uat,
        path: req.path,
      }),
    );
  };
  // An invoices resource as app.all and method-override route it (issue 17): PUT and PATCH (also a
  // POST's `_method` field or X-HTTP-Method-Override) reach the update action, OPTIONS the read.
  app.all(major === 4 ? ['/invoices', '/invoices/*'] : ['/invoices', '/invoices/*rest'], express.urlencoded({ extended: false }), (req, res, next) => {
    const method = String(req.body?._method ?? req.get('x-http-method-override') ?? req.method).toUpperCase();
    const action = method === 'PUT' || method === 'PATCH' ? 'update' : method === 'POST' || method === 'DELETE' ? 'manage' : 'read';
    respond(`protected:invoices:${action}`)(req, res, next);
  });
  for (const [route, paths] of Object.entries(ROUTES[major])) app.all(paths, respond(`protected:${route}`));
  app.use(respond('public'));
  // Malformed escapes and the like: Express answers an error, never a handler.
  app.use((err, _req, res, _next) => res.status(err.status ?? 500).json({ framework: name, handler: 'error', error: String(err.message) }));
  return app;
}
