// The second-factor steps of the login prompt: challenge, enrolment, backup codes, skip, finish.
// Decisions come from src/account/sign-in.ts (policy) and src/factors (verification).
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { KeystepServices } from '../src/services.js';
import { evaluateSignIn, hasSecondFactor, needsUserVerification, shouldOfferPasskey, withProvenFactor, type SignInProgress, type SignInStep } from '../src/account/sign-in.js';
import { verifySecondFactor } from '../src/factors/verification.js';
import { confirmEnrolment, regenerateBackupCodes, startEnrolment } from '../src/factors/enrolment.js';
import { factorStrategy, BACKUP_CODE_KIND, ENROLLABLE_KINDS } from '../src/factors/registry.js';
import { AuditEvents } from '../src/audit/events.js';
import { trustDevice } from '../src/account/trusted-devices.js';
import { rememberTrustedDevice } from './device-cookies.js';
import { csrfToken } from '../src/http/csrf.js';
import { BadRequest } from '../src/http/errors.js';
import { challengePage, offerPage, totpEnrolPage, backupCodesPage, backupCodeUsedPage } from '../views/mfa.js';
import { passkeyOfferPage, webauthnEnrolPage } from '../views/webauthn.js';
import { WEBAUTHN_KIND } from '../src/factors/webauthn/webauthn-strategy.js';
import { checkedForm, formField } from './form.js';
import { finishLogin, loginInProgress, saveProgress, showNextStep, unmetRequirements } from './progress.js';

const requestFacts = (ctx: Context, clientId: string) => ({ ip: ctx.ip, userAgent: ctx.get('user-agent'), clientId });

function lockedMessage(until: Date): string {
  return until.getTime() > Date.now() + 365 * 86_400_000
    ? 'Too many wrong codes. This method is locked; contact your administrator.'
    : `Too many wrong codes. Try again after ${until.toUTCString()}.`;
}

async function stepOf(services: KeystepServices, progress: SignInProgress): Promise<SignInStep> {
  const step = await evaluateSignIn(services.factors, services.acr, progress);
  if (!step) throw new BadRequest('This account can no longer sign in.');
  return step;
}

/** The other factors the user may switch to on the challenge page (backup codes have their own link). */
function otherFactors(kinds: readonly string[], current: string) {
  return kinds
    .filter((k) => k !== current && k !== BACKUP_CODE_KIND && factorStrategy(k)!.showInPicker)
    .map((k) => ({ kind: k, label: factorStrategy(k)!.label }));
}

function html(ctx: Context, body: string, status = 200) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = body;
}

/** Renders the page for where this sign-in stands (called by GET /interaction/:uid). */
export async function renderMfaStep(ctx: Context, services: KeystepServices, uid: string, progress: SignInProgress): Promise<void> {
  const step = await stepOf(services, progress);
  const { decision } = step;
  if (step.complete) return finishLogin(ctx, services, progress);
  if (decision.type === 'unmet') return unmetRequirements(ctx, services);
  if (decision.type === 'challenge') {
    const requested = String(ctx.query.factor ?? '');
    const kind = decision.kinds.includes(requested) ? requested : decision.kinds[0]!;
    const prompt = await factorStrategy(kind)!.challenge(services.factors, step.user, { userVerification: needsUserVerification(services.acr, progress) });
    const others = otherFactors(decision.kinds, kind);
    return html(ctx, challengePage({ uid, csrfToken: csrfToken(ctx), kind, others, backupCodesAvailable: decision.kinds.includes(BACKUP_CODE_KIND), rememberDays: step.org.rememberDeviceDays, webauthnOptions: prompt?.type === 'webauthn' ? prompt.optionsJSON : undefined }));
  }
  if (decision.type === 'offer' || decision.type === 'enrol') {
    const methods = ENROLLABLE_KINDS.filter((k) => decision.kinds.includes(k)).map((k) => ({ kind: k, label: factorStrategy(k)!.label }));
    return html(ctx, offerPage({ uid, csrfToken: csrfToken(ctx), methods, required: decision.type === 'enrol', skippableUntil: decision.type === 'enrol' ? decision.skippableUntil : undefined }));
  }
  return finishLogin(ctx, services, progress);
}

export function mfaRoutes(router: Router, services: KeystepServices): void {
  const { factors, settings } = services;
  const rules = settings.mfa;

  router.post('/interaction/:uid/mfa/verify', async (ctx) => {
    checkedForm(ctx);
    const { details, progress } = await loginInProgress(ctx, services);
    const kind = formField(ctx, 'factor', { max: 32 });
    const code = formField(ctx, 'code', { max: 16_000 });
    const step = await stepOf(services, progress);
    if (step.decision.type !== 'challenge' || !step.decision.kinds.includes(kind)) throw new BadRequest('That verification method is not available for this sign-in.');
    const result = await verifySecondFactor(factors, rules, step.user, kind, code, requestFacts(ctx, String(details.params.client_id)));
    if (!result.ok) {
      // A credential just flagged as cloned is gone from the choices: show what is left.
      const after = result.reason === 'cloned' ? await stepOf(services, progress) : step;
      const kinds = after.decision.type === 'challenge' ? after.decision.kinds : [];
      const shown = kinds.includes(kind) ? kind : (kinds[0] ?? BACKUP_CODE_KIND);
      const retry = result.reason === 'locked' || !kinds.includes(shown) ? undefined : await factorStrategy(shown)!.challenge(factors, step.user, { userVerification: needsUserVerification(services.acr, progress) });
      const error =
        result.reason === 'locked'
          ? lockedMessage(result.lockedUntil)
          : result.reason === 'cloned'
            ? 'This security key or passkey looks cloned and has been blocked. Sign in another way, or contact your administrator.'
            : result.reason === 'replay'
              ? 'That code has already been used. Wait for the next code and try again.'
              : `That code is not correct. ${result.attemptsLeft} attempt${result.attemptsLeft === 1 ? '' : 's'} left.`;
      return html(
        ctx,
        challengePage({
          uid: details.uid,
          csrfToken: csrfToken(ctx),
          kind: shown,
          others: otherFactors(kinds, shown),
          backupCodesAvailable: kinds.includes(BACKUP_CODE_KIND),
          rememberDays: step.org.rememberDeviceDays,
          webauthnOptions: retry?.type === 'webauthn' ? retry.optionsJSON : undefined,
          error,
        }),
        result.reason === 'locked' ? 429 : 401,
      );
    }
    const next = withProvenFactor(progress, kind, result.proof);
    if (formField(ctx, 'trust_device', { max: 8, optional: true }) === 'on') {
      const device = await trustDevice(factors.store, step.user, step.org, requestFacts(ctx, String(details.params.client_id)), factors.now());
      if (device) rememberTrustedDevice(ctx, device.id, step.org.rememberDeviceDays);
    }
    if (result.remainingBackupCodes !== undefined) {
      await saveProgress(ctx, services, next);
      return html(ctx, backupCodeUsedPage({ uid: details.uid, csrfToken: csrfToken(ctx), remaining: result.remainingBackupCodes }));
    }
    if (await shouldOfferPasskey(factors, step, next)) {
      await factors.store.users.recordPasskeyOffer(step.user.id, factors.now());
      await saveProgress(ctx, services, next);
      return html(ctx, passkeyOfferPage({ uid: details.uid, csrfToken: csrfToken(ctx) }));
    }
    return finishLogin(ctx, services, next);
  });

  router.get('/interaction/:uid/mfa/enrol', async (ctx) => {
    const { details, progress } = await loginInProgress(ctx, services);
    const step = await stepOf(services, progress);
    const { decision } = step;
    if (decision.type !== 'offer' && decision.type !== 'enrol') throw new BadRequest('There is nothing to set up in this sign-in.');
    const requested = String(ctx.query.kind ?? '');
    const kind = ENROLLABLE_KINDS.find((k) => decision.kinds.includes(k) && (!requested || k === requested));
    if (!kind) throw new BadRequest('Your organisation allows no method that can be set up here.');
    const resume = progress.pendingFactorKind === kind ? progress.pendingFactorId : undefined;
    const start = await startEnrolment(factors, step.user, kind, { resumeFactorId: resume });
    if (start.type === 'codes') throw new BadRequest('This method cannot be set up here.');
    await saveProgress(ctx, services, { ...progress, pendingFactorId: start.factorId, pendingFactorKind: kind });
    const skippableUntil = decision.type === 'enrol' ? decision.skippableUntil : undefined;
    if (start.type === 'webauthn') return html(ctx, webauthnEnrolPage({ uid: details.uid, csrfToken: csrfToken(ctx), factorId: start.factorId, optionsJSON: start.optionsJSON, skippableUntil }));
    return html(ctx, totpEnrolPage({ uid: details.uid, csrfToken: csrfToken(ctx), ...start, skippableUntil }));
  });

  router.post('/interaction/:uid/mfa/enrol', async (ctx) => {
    checkedForm(ctx);
    const { details, progress } = await loginInProgress(ctx, services);
    const factorId = formField(ctx, 'factor_id', { max: 64 });
    const code = formField(ctx, 'code', { max: 16_000 }).trim();
    const name = formField(ctx, 'name', { max: 64, optional: true });
    const kind = progress.pendingFactorKind;
    if (!kind || factorId !== progress.pendingFactorId) throw new BadRequest('This set-up has expired. Start it again.');
    const step = await stepOf(services, progress);
    const facts = requestFacts(ctx, String(details.params.client_id));
    const outcome = await confirmEnrolment(factors, step.user, kind, { factorId, response: code, name }, facts);
    if (!outcome.ok) {
      if (outcome.reason === 'not_found') throw new BadRequest('This set-up has expired. Start it again.');
      // TOTP: the same secret again, the user retries with the next code; WebAuthn: a new ceremony.
      const again = await startEnrolment(factors, step.user, kind, { resumeFactorId: factorId });
      const skippableUntil = step.decision.type === 'enrol' ? step.decision.skippableUntil : undefined;
      if (again.type === 'webauthn') {
        await saveProgress(ctx, services, { ...progress, pendingFactorId: again.factorId, pendingFactorKind: kind });
        const optional = hasSecondFactor(progress);
        return html(ctx, webauthnEnrolPage({ uid: details.uid, csrfToken: csrfToken(ctx), factorId: again.factorId, optionsJSON: again.optionsJSON, skippableUntil, optional, error: 'The security key or passkey could not be registered. Try again.' }), 401);
      }
      if (again.type !== 'shared-secret') throw new BadRequest('This method cannot be set up here.');
      return html(
        ctx,
        totpEnrolPage({ uid: details.uid, csrfToken: csrfToken(ctx), ...again, error: 'That code did not match. Check the time on your device and enter the current code.', skippableUntil }),
        401,
      );
    }
    const next = withProvenFactor(progress, kind, outcome.proof);
    await saveProgress(ctx, services, next);
    if (outcome.backupCodes) return html(ctx, backupCodesPage({ uid: details.uid, csrfToken: csrfToken(ctx), codes: outcome.backupCodes }));
    return finishLogin(ctx, services, next);
  });

  // The passkey offered after a password + code sign-in (optional: "Not now" finishes).
  router.get('/interaction/:uid/mfa/passkey', async (ctx) => {
    const { details, progress } = await loginInProgress(ctx, services);
    if (!hasSecondFactor(progress)) throw new BadRequest('Verify your second step before adding a passkey.');
    const step = await stepOf(services, progress);
    const start = await startEnrolment(factors, step.user, WEBAUTHN_KIND);
    if (start.type !== 'webauthn') throw new BadRequest('Passkeys cannot be added here.');
    await saveProgress(ctx, services, { ...progress, pendingFactorId: start.factorId, pendingFactorKind: WEBAUTHN_KIND });
    return html(ctx, webauthnEnrolPage({ uid: details.uid, csrfToken: csrfToken(ctx), factorId: start.factorId, optionsJSON: start.optionsJSON, optional: true }));
  });

  router.post('/interaction/:uid/mfa/backup-codes', async (ctx) => {
    checkedForm(ctx);
    const { details, progress } = await loginInProgress(ctx, services);
    if (!hasSecondFactor(progress)) throw new BadRequest('Verify your second step before generating new backup codes.');
    const step = await stepOf(services, progress);
    const codes = await regenerateBackupCodes(factors, step.user, requestFacts(ctx, String(details.params.client_id)));
    return html(ctx, backupCodesPage({ uid: details.uid, csrfToken: csrfToken(ctx), codes, regenerated: true }));
  });

  router.post('/interaction/:uid/mfa/skip', async (ctx) => {
    checkedForm(ctx);
    const { details, progress } = await loginInProgress(ctx, services);
    const step = await stepOf(services, { ...progress, skippedEnrolment: true });
    if (!step.complete) throw new BadRequest('Two-step verification is required by your organisation and cannot be skipped.');
    await factors.store.audit.record({
      event: AuditEvents.mfaSkipped,
      orgId: step.org.id,
      userId: step.user.id,
      ...requestFacts(ctx, String(details.params.client_id)),
      details: { mode: step.org.mfaMode },
    });
    return finishLogin(ctx, services, { ...progress, skippedEnrolment: true });
  });

  router.post('/interaction/:uid/mfa/continue', async (ctx) => {
    checkedForm(ctx);
    const { details, progress } = await loginInProgress(ctx, services);
    const step = await stepOf(services, progress);
    if (!step.complete) return showNextStep(ctx, details.uid);
    return finishLogin(ctx, services, progress);
  });
}
