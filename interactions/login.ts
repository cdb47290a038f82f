// The password step of the login prompt.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { User } from '../src/store/port.js';
import type { ProvenFactor } from '../src/policy/authentication-result.js';
import type { KeystepServices } from '../src/services.js';
import { passwordLogin } from '../src/account/password-login.js';
import { beginSignIn, evaluateSignIn } from '../src/account/sign-in.js';
import { passkeyOptions, passkeySignIn } from '../src/account/passkey-sign-in.js';
import { promptDecision } from '../src/provider/assurance-check.js';
import { deviceId, trustedDeviceIds } from './device-cookies.js';
import { MAX_PASSWORD_LENGTH } from '../src/account/passwords.js';
import { csrfToken } from '../src/http/csrf.js';
import { BadRequest } from '../src/http/errors.js';
import { loginPage } from '../views/login.js';
import { checkedForm, formField } from './form.js';
import { finishLogin, saveProgress, showNextStep } from './progress.js';

const MESSAGES = {
  invalid_credentials: 'The email address or password is incorrect.',
  locked: 'Too many failed attempts. Sign-in is paused for this account; try again later.',
} as const;

type Details = Awaited<ReturnType<KeystepServices['provider']['interactionDetails']>>;

/** The login page again, with an error (wrong password, refused passkey). */
async function refuse(ctx: Context, services: KeystepServices, details: Details, status: number, error: string, email?: string): Promise<void> {
  const clientId = String(details.params.client_id);
  const client = await services.provider.Client.find(clientId);
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = loginPage({
    uid: details.uid,
    csrfToken: csrfToken(ctx),
    clientName: client?.clientName ?? clientId,
    email,
    passkeyOptions: await passkeyOptions(services.factors),
    error,
  });
}

/** After the first factor (a password, or a passkey): finish, or go on to the next step. */
async function afterFirstFactor(ctx: Context, services: KeystepServices, details: Details, user: User, first?: ProvenFactor): Promise<void> {
  const progress = await beginSignIn(services.factors, {
    user,
    decision: promptDecision(details),
    sessionAccountId: details.session?.accountId,
    attempt: { ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId: String(details.params.client_id), deviceId: deviceId(ctx) },
    trustedDeviceIds: trustedDeviceIds(ctx),
    first,
  });
  const step = await evaluateSignIn(services.factors, services.acr, progress);
  if (step?.complete) return finishLogin(ctx, services, progress);
  await saveProgress(ctx, services, progress);
  showNextStep(ctx, details.uid);
}

export function loginRoutes(router: Router, services: KeystepServices): void {
  const { provider, store, settings } = services;

  router.post('/interaction/:uid/login', async (ctx) => {
    checkedForm(ctx);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') throw new BadRequest('This sign-in step is already complete.');
    const email = formField(ctx, 'email', { max: 254 });
    const password = formField(ctx, 'password', { max: MAX_PASSWORD_LENGTH });
    const clientId = String(details.params.client_id);

    const outcome = await passwordLogin(store, settings.login, {
      email,
      password,
      ip: ctx.ip,
      userAgent: ctx.get('user-agent'),
      clientId,
      deviceId: deviceId(ctx),
      now: services.factors.now(),
    });
    if (!outcome.ok) return refuse(ctx, services, details, outcome.reason === 'locked' ? 429 : 401, MESSAGES[outcome.reason], email);
    return afterFirstFactor(ctx, services, details, outcome.user);
  });
}

/** Passwordless: "Sign in with a passkey" on the login page. */
export function passkeyRoutes(router: Router, services: KeystepServices): void {
  const { provider } = services;
  router.post('/interaction/:uid/passkey', async (ctx) => {
    checkedForm(ctx);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'login') throw new BadRequest('This sign-in step is already complete.');
    const clientId = String(details.params.client_id);
    const response = formField(ctx, 'code', { max: 16_000 });
    const outcome = await passkeySignIn(services.factors, response, { ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId });
    if (!outcome.ok) {
      return refuse(ctx, services, details, 401, outcome.reason === 'cloned' ? 'This passkey looks cloned and has been blocked. Sign in another way.' : 'That passkey could not sign you in.');
    }
    return afterFirstFactor(ctx, services, details, outcome.user, { kind: 'webauthn', ...outcome.proof });
  });
}
