// Keeps a sign-in's progress (src/account/sign-in.ts) on the oidc-provider interaction between
// requests, and finishes the login prompt once the policy is satisfied.
import type { Context } from 'koa';
import type { KeystepServices } from '../src/services.js';
import { completeSignIn, meetsRequiredLevel, type SignInProgress } from '../src/account/sign-in.js';
import { BadRequest } from '../src/http/errors.js';

type Details = Awaited<ReturnType<KeystepServices['provider']['interactionDetails']>>;

export type InteractionDetails = Details;

export function progressOf(details: Details): SignInProgress | undefined {
  const p = (details.result as { keystep?: SignInProgress } | undefined)?.keystep;
  return p && typeof p.userId === 'string' && Array.isArray(p.proven) ? p : undefined;
}

/** The interaction of this request, which must be at the login prompt with a password proven. */
export async function loginInProgress(ctx: Context, services: KeystepServices): Promise<{ details: Details; progress: SignInProgress }> {
  const details = await services.provider.interactionDetails(ctx.req, ctx.res);
  const progress = progressOf(details);
  if (details.prompt.name !== 'login' || !progress) throw new BadRequest('This step of the sign-in is not available now. Start again from the application.');
  return { details, progress };
}

export async function saveProgress(ctx: Context, services: KeystepServices, progress: SignInProgress): Promise<void> {
  await services.provider.interactionResult(ctx.req, ctx.res, { keystep: progress }, { mergeWithLastSubmission: false });
}

export async function finishLogin(ctx: Context, services: KeystepServices, progress: SignInProgress): Promise<void> {
  // The level could not be reached: the RP gets the OIDC error, never a token with a lower acr.
  if (!meetsRequiredLevel(services.acr, progress)) return unmetRequirements(ctx, services);
  await services.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: await completeSignIn(services.factors, services.acr, progress) },
    { mergeWithLastSubmission: false },
  );
}

export async function unmetRequirements(ctx: Context, services: KeystepServices, description = 'The requested authentication level cannot be reached with the factors available to this user.'): Promise<void> {
  await services.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { error: 'unmet_authentication_requirements', error_description: description },
    { mergeWithLastSubmission: false },
  );
}

/** After a step: render the next page (GET /interaction/:uid). */
export function showNextStep(ctx: Context, uid: string): void {
  ctx.status = 303;
  ctx.redirect(`/interaction/${uid}`);
}
