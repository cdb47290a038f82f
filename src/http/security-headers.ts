// Headers on every response: no framing anywhere; a strict CSP on the pages Keystep renders.
import type { Middleware } from 'koa';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // Sign-in forms end in a redirect to the client's redirect_uri, which browsers check against form-action.
  "form-action 'self' *",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export const securityHeaders: Middleware = async (ctx, next) => {
  await next();
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  // The authorization endpoint's form_post page submits itself with an inline script; every other
  // page (Keystep's own, oidc-provider's errors and logout prompt) needs nothing inline.
  if (ctx.response.is('html') && !ctx.path.startsWith('/auth')) {
    ctx.set('Content-Security-Policy', CSP);
  } else {
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
  }
};
