// Koa 3 + @koa/router origin (sensitive: false, strict: false, the defaults spelled out);
// cookies via ctx.cookies (the `cookies` module Koa ships), headers via ctx.get().
import Router from '@koa/router';
import Koa from 'koa';

import { answer } from './common.mjs';

const ROUTES = {
  dashboard: ['/dashboard', '/dashboard/*rest'],
  app: ['/app', '/app/*rest'],
  item: ['/item{/:id}'],
  apikeys: ['/api/keys{*rest}'],
  admin: ['/admin/:section'],
  profile: ['/profile{*rest}'],
  staff: ['/staff', '/staff/*rest'],
};

export function koaApp() {
  const app = new Koa();
  const router = new Router({ sensitive: false, strict: false });
  const body = (ctx, handler) =>
    answer('koa', handler, {
      header: (n) => ctx.get(n) || undefined,
      session: ctx.cookies.get('__session'),
      clientUat: ctx.cookies.get('__client_uat'),
      path: ctx.path,
    });
  for (const [route, paths] of Object.entries(ROUTES)) {
    router.all(paths, (ctx) => {
      ctx.body = body(ctx, `protected:${route}`);
    });
  }
  app.use(router.routes());
  app.use((ctx) => {
    if (ctx.body === undefined) ctx.body = body(ctx, 'public');
  });
  return app;
}
