// The consent prompt: grant the client what it asked for, or deny.
import type Router from '@koa/router';
import type { KeystepServices } from '../src/services.js';
import { BadRequest } from '../src/http/errors.js';
import { checkedForm } from './form.js';

export function consentRoutes(router: Router, services: KeystepServices): void {
  const { provider } = services;

  router.post('/interaction/:uid/confirm', async (ctx) => {
    checkedForm(ctx);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const { prompt, params, session } = details;
    if (prompt.name !== 'consent' || !session) throw new BadRequest('There is nothing to consent to in this step.');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
    if (!grant) throw new BadRequest('The grant for this request no longer exists. Start again from the application.');
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { consent: details.grantId ? {} : { grantId } },
      { mergeWithLastSubmission: true },
    );
  });

  router.post('/interaction/:uid/abort', async (ctx) => {
    checkedForm(ctx);
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'The user denied the request.' },
      { mergeWithLastSubmission: false },
    );
  });
}
