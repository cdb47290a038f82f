// Reading submitted forms: every field a single short string, or the request is a 400.
import type { Context } from 'koa';
import { BadRequest } from '../src/http/errors.js';
import { verifyCsrf } from '../src/http/csrf.js';

export function formField(ctx: Context, name: string, { max = 1024, optional = false } = {}): string {
  const body = (ctx.request.body ?? {}) as Record<string, unknown>;
  const value = body[name];
  if (value === undefined && optional) return '';
  if (typeof value !== 'string') throw new BadRequest(`The form field "${name}" is missing or malformed.`);
  if (value.length > max) throw new BadRequest(`The form field "${name}" is too long.`);
  return value;
}

/** Checks the CSRF token of a submitted form. */
export function checkedForm(ctx: Context): void {
  if (!ctx.request.is('application/x-www-form-urlencoded')) throw new BadRequest('Expected a submitted form.');
  verifyCsrf(ctx, (ctx.request.body as Record<string, unknown> | undefined)?._csrf);
}
