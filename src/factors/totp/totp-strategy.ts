// TOTP (RFC 6238): any authenticator app. Secrets sealed at rest; each time step accepted once.
import { generateURI } from 'otplib';
import QRCode from 'qrcode';
import type { FactorStrategy, FactorContext } from '../strategy.js';
import type { MfaFactor, User } from '../../store/port.js';
import { groupSecret, matchTotp, newTotpSecret, TOTP_DIGITS, TOTP_PERIOD } from './totp-codes.js';

const KIND = 'totp';
const secretContext = (userId: string) => `totp-secret:${userId}`;
const epochSeconds = (ctx: FactorContext) => Math.floor(ctx.now().getTime() / 1000);

function openSecret(ctx: FactorContext, factor: MfaFactor): string {
  return ctx.sealer.open(factor.secretEncrypted!, secretContext(factor.userId));
}

export const totpStrategy: FactorStrategy = {
  kind: KIND,
  label: 'Authenticator app',
  amr: ['otp'],
  maxAal: 2,
  phishingResistant: false,
  showInPicker: true,

  async isEnrolled(ctx, user) {
    return (await ctx.store.mfaFactors.listForUser(user.id)).some((f) => f.kind === KIND);
  },

  enroll: {
    async start(ctx, user: User, input) {
      const pending = input.resumeFactorId ? await ctx.store.mfaFactors.find(input.resumeFactorId) : undefined;
      const resumable = pending && pending.userId === user.id && pending.kind === KIND && !pending.confirmedAt;
      const secret = resumable ? openSecret(ctx, pending) : newTotpSecret();
      const factor = resumable
        ? pending
        : await ctx.store.mfaFactors.createPending({
            userId: user.id,
            kind: KIND,
            name: input.name?.trim() || 'Authenticator app',
            secretEncrypted: ctx.sealer.seal(secret, secretContext(user.id)),
            data: { digits: TOTP_DIGITS, period: TOTP_PERIOD, algorithm: 'SHA1' },
          });
      const otpauthUri = generateURI({ issuer: ctx.totpIssuer, label: user.email, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD });
      const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { type: 'shared-secret', factorId: factor.id, otpauthUri, qrSvg, secretGroups: groupSecret(secret) };
    },

    async confirm(ctx, user, input) {
      const factor = await ctx.store.mfaFactors.find(input.factorId);
      if (!factor || factor.userId !== user.id || factor.kind !== KIND || factor.confirmedAt) return { ok: false, reason: 'not_found' };
      const step = await matchTotp(openSecret(ctx, factor), input.response.replace(/\s+/g, ''), epochSeconds(ctx));
      if (step === undefined) return { ok: false, reason: 'invalid' };
      // The confirming code is spent: it cannot be replayed at the next sign-in.
      if (!(await ctx.store.mfaFactors.advanceTimeStep(factor.id, step))) return { ok: false, reason: 'invalid' };
      await ctx.store.mfaFactors.confirm(factor.id, user.id, input.name?.trim() || undefined);
      return { ok: true, factorId: factor.id };
    },
  },

  async challenge() {
    // The user's app shows the code: nothing to send.
  },

  async verify(ctx, user, response) {
    const code = response.replace(/\s+/g, '');
    const factors = (await ctx.store.mfaFactors.listForUser(user.id)).filter((f) => f.kind === KIND);
    if (!factors.length) return { ok: false, reason: 'not_enrolled' };
    for (const factor of factors) {
      const step = await matchTotp(openSecret(ctx, factor), code, epochSeconds(ctx));
      if (step === undefined) continue;
      if ((factor.lastUsedStep !== null && step <= factor.lastUsedStep) || !(await ctx.store.mfaFactors.advanceTimeStep(factor.id, step))) {
        return { ok: false, reason: 'replay' };
      }
      return { ok: true, factorId: factor.id };
    }
    return { ok: false, reason: 'invalid' };
  },

  async remove(ctx, user, factorId) {
    const factor = await ctx.store.mfaFactors.find(factorId);
    if (!factor || factor.kind !== KIND) return false;
    return ctx.store.mfaFactors.remove(factorId, user.id);
  },
};
