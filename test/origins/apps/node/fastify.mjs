// Fastify 5 origin, case-insensitive routing (routerOptions.caseSensitive: false, find-my-way
// lower-cases the path before matching) and trailing slashes ignored; cookies via @fastify/cookie.
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';

import { answer } from './common.mjs';

const ROUTES = {
  dashboard: ['/dashboard', '/dashboard/*'],
  app: ['/app', '/app/*'],
  item: ['/item', '/item/:id'],
  apikeys: ['/api/keys*'],
  admin: ['/admin/:section'],
  profile: ['/profile*'],
  staff: ['/staff', '/staff/*'],
};

export async function fastifyApp() {
  const app = Fastify({ logger: false, routerOptions: { caseSensitive: false, ignoreTrailingSlash: true } });
  await app.register(fastifyCookie);
  const respond = (handler) => async (request) =>
    answer('fastify', handler, {
      header: (n) => request.headers[n],
      session: request.cookies?.__session,
      clientUat: request.cookies?.__client_uat,
      path: request.url.split('?')[0],
    });
  for (const [route, paths] of Object.entries(ROUTES)) {
    for (const path of paths) app.all(path, respond(`protected:${route}`));
  }
  app.setNotFoundHandler(respond('public'));
  return app;
}
