// The interaction routes: render the page for the current prompt, accept each step's form.
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { KeystepServices } from '../src/services.js';
import { csrfToken } from '../src/http/csrf.js';
import { BadRequest } from '../src/http/errors.js';
import { loginPage } from '../views/login.js';
import { consentPage } from '../views/consent.js';
import { loginRoutes, passkeyRoutes } from './login.js';
import { passkeyOptions } from '../src/account/passkey-sign-in.js';
import { consentRoutes } from './consent.js';
import { mfaRoutes, renderMfaStep } from './mfa.js';
import { progressOf, saveProgress } from './progress.js';
import { promptDecision } from '../src/provider/assurance-check.js';
import { stepUpFromSession } from '../src/account/sign-in.js';

export function interactionRouter(services: KeystepServices): Router {
  const { provider } = services;
  const router = new Router();

  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  router.use(
    bodyParser({
      enableTypes: ['form'],
      formLimit: '16kb',
      encoding: 'utf-8',
      // Unreadable bodies (bad compression, broken encoding) are the client's fault: 4xx, not 500.
      onError: (err, ctx) => {
        const status = (err as { status?: unknown }).status;
        ctx.throw(typeof status === 'number' && status >= 400 && status < 500 ? status : 400, 'The request body could not be read.');
      },
    }),
  );

  router.get('/interaction/:uid', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    const clientName = client?.clientName ?? clientId;
    ctx.type = 'html';
    switch (details.prompt.name) {
      case 'login': {
        const progress = progressOf(details);
        if (progress) return renderMfaStep(ctx, services, details.uid, progress);
        const decision = promptDecision(details);
        if (decision?.type === 'step_up' && details.session) {
          // Only what is missing: the session keeps its password, the user proves a second factor.
          const stepUp = stepUpFromSession(details.session.accountId, details.session.amr ?? [], decision.required, decision.held);
          await saveProgress(ctx, services, stepUp);
          return renderMfaStep(ctx, services, details.uid, stepUp);
        }
        ctx.body = loginPage({
          uid: details.uid,
          csrfToken: csrfToken(ctx),
          clientName,
          email: details.params.login_hint as string | undefined,
          passkeyOptions: await passkeyOptions(services.factors),
        });
        return;
      }
      case 'consent': {
        const d = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
          missingResourceScopes?: Record<string, string[]>;
        };
        ctx.body = consentPage({
          uid: details.uid,
          csrfToken: csrfToken(ctx),
          clientName,
          scopes: d.missingOIDCScope ?? [],
          claims: (d.missingOIDCClaims ?? []).filter((c) => !['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss'].includes(c)),
          resources: Object.entries(d.missingResourceScopes ?? {}).map(([resource, scopes]) => ({ resource, scopes })),
        });
        return;
      }
      default:
        throw new BadRequest(`Unknown sign-in step "${details.prompt.name}".`);
    }
  });

  router.get('/interaction/:uid/abort', async (ctx) => {
    // A link (GET) cannot carry a CSRF token; aborting only ends this user's own request.
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
  });

  loginRoutes(router, services);
  passkeyRoutes(router, services);
  consentRoutes(router, services);
  mfaRoutes(router, services);
  return router;
}
