// The demo's protected API: a "sensitive action" that needs aal2 within the last 5 minutes,
// guarded by keystep/resource-server exactly as a real API would use it.
import Router from '@koa/router';
import { requireAuth } from '../resource-server/index.js';

export const SENSITIVE_ACR = 'aal2';
export const SENSITIVE_MAX_AGE = 300;

export function demoApiRouter(issuer: string, audience: string, acrOrder: readonly string[]): Router {
  const router = new Router({ prefix: '/demo/api' });
  router.post('/sensitive', requireAuth({ issuer, audience, acr: SENSITIVE_ACR, maxAge: SENSITIVE_MAX_AGE, acrOrder }), (ctx) => {
    const claims = ctx.state.auth as { sub: string; acr: string; auth_time: number };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { done: true, action: 'sensitive', sub: claims.sub, acr: claims.acr, auth_time: claims.auth_time };
  });
  return router;
}
