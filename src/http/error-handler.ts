// Turns anything thrown by Keystep's own routes into a clear 4xx page (or JSON), never a stack trace.
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { errors as oidcErrors } from 'oidc-provider';
import { HttpError } from './errors.js';
import { errorPage } from '../../views/error-page.js';

interface Described {
  status: number;
  title: string;
  message: string;
  code?: string;
}

function describe(err: unknown): Described | undefined {
  if (err instanceof HttpError) return { status: err.status, title: err.title, message: err.message, code: err.code };
  if (err instanceof oidcErrors.SessionNotFound) {
    return { status: 400, title: 'Sign-in expired', message: 'This sign-in request has expired or is not valid in this browser. Start again from the application.', code: 'invalid_request' };
  }
  if (err instanceof oidcErrors.OIDCProviderError) {
    return { status: err.status, title: 'Request could not be processed', message: err.error_description ?? err.message, code: err.error };
  }
  const e = err as { status?: number; expose?: boolean; message?: string; type?: string };
  // Body parser and koa's own client errors carry status 4xx and expose: true.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const message = e.status === 413 ? 'The request is too large.' : e.status === 415 ? 'Unsupported content type.' : 'The request could not be read.';
    return { status: e.status, title: 'Bad request', message, code: 'invalid_request' };
  }
  return undefined;
}

export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const d = describe(err);
      if (!d) logger.error({ err, path: ctx.path }, 'unhandled error');
      const { status, title, message, code } = d ?? { status: 500, title: 'Something went wrong', message: 'An unexpected error occurred. Please try again.', code: 'server_error' };
      ctx.status = status;
      ctx.set('Cache-Control', 'no-store');
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.body = { error: code, error_description: message };
      } else {
        ctx.type = 'html';
        ctx.body = errorPage({ title, message, error: code });
      }
    }
  };
}
