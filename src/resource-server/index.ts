// keystep/resource-server: protect an API with Keystep access tokens (RFC 9068), answering an
// insufficient authentication with RFC 9470's `insufficient_user_authentication` challenge.
//
//   app.use(requireAuth({ issuer, audience, acr: 'aal2', maxAge: 300 }));          // Koa
//   server.on('request', requireAuthNode({ issuer, audience })(handler));          // Node / Express style
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthVerifier, type AuthResult, type RequireAuthOptions } from './verifier.js';

export { createAuthVerifier, type AuthResult, type RequireAuthOptions };

type Claims = Extract<AuthResult, { ok: true }>['claims'];

function refusalBody(result: Exclude<AuthResult, { ok: true }>) {
  return { error: result.error ?? 'unauthorized', error_description: 'authentication required' };
}

/** Koa middleware: sets ctx.state.auth to the token's claims, or answers 401 with WWW-Authenticate. */
export function requireAuth(options: RequireAuthOptions) {
  const verify = createAuthVerifier(options);
  return async (ctx: { get(name: string): string; set(name: string, value: string): void; status: number; body: unknown; state: Record<string, unknown> }, next: () => Promise<unknown>) => {
    const result = await verify(ctx.get('authorization') || undefined);
    if (!result.ok) {
      ctx.status = result.status;
      ctx.set('WWW-Authenticate', result.wwwAuthenticate);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = refusalBody(result);
      return;
    }
    ctx.state.auth = result.claims;
    await next();
  };
}

/**
 * Node / Express: `requireAuthNode(options)` is middleware `(req, res, next)`; the claims are
 * put on `req.auth`. Without `next` (plain node:http) wrap a handler: `requireAuthNode(o)(req, res, () => handler(req, res))`.
 */
export function requireAuthNode(options: RequireAuthOptions) {
  const verify = createAuthVerifier(options);
  return (req: IncomingMessage & { auth?: Claims }, res: ServerResponse, next: (err?: unknown) => void) => {
    verify(req.headers.authorization).then(
      (result) => {
        if (result.ok) {
          req.auth = result.claims;
          return next();
        }
        res.statusCode = result.status;
        res.setHeader('WWW-Authenticate', result.wwwAuthenticate);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(refusalBody(result)));
      },
      (err) => next(err),
    );
  };
}
