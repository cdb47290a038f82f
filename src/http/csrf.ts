// CSRF protection for Keystep's forms: a random token in a signed, httpOnly, SameSite=Strict
// cookie that every form must echo in its _csrf field (double submit).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { Forbidden } from './errors.js';

const COOKIE = 'keystep.csrf';

export function csrfToken(ctx: Context): string {
  const existing = ctx.cookies.get(COOKIE, { signed: true });
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  ctx.cookies.set(COOKIE, token, { signed: true, httpOnly: true, sameSite: 'strict', path: '/', overwrite: true });
  return token;
}

export function verifyCsrf(ctx: Context, submitted: unknown): void {
  const expected = ctx.cookies.get(COOKIE, { signed: true });
  const ok =
    typeof submitted === 'string' &&
    typeof expected === 'string' &&
    submitted.length === expected.length &&
    timingSafeEqual(Buffer.from(submitted), Buffer.from(expected));
  if (!ok) throw new Forbidden('The form has expired or was not sent from this site. Go back, reload the page and try again.', 'csrf_failed');
}
