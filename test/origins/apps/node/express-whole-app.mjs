// An Express app guarded as a whole: `app.use(gatewayAssertion(...))` before any route or static
// file (verifiers/node/express-assertion.mjs), for test/origins/whole-app.test.ts. Every URL,
// routed or not, answers {sub, sid, sts, target} only with a valid X-Auth-Assertion, else the
// middleware's 401.
import { gatewayAssertion } from '../../../../verifiers/node/express-assertion.mjs';

/**
 * @param {any} express the express module (4 or 5)
 * @param {{ issuer: string, audience: string, jwks: object }} verifier
 */
export function expressWholeApp(express, { issuer, audience, jwks }) {
  const app = express();
  app.disable('x-powered-by');
  app.use(gatewayAssertion({ issuer, audience, jwks }));
  const answer = (req, res) => {
    const id = req.gatewayIdentity;
    res.json({ framework: 'express', handler: 'whole-app', sub: id.userId, sid: id.sessionId, sts: id.status, target: req.originalUrl });
  };
  for (const path of ['/', '/app', '/account', '/form']) app.all(path, answer);
  app.use('/app', answer);
  app.use('/account', answer);
  return app;
}
