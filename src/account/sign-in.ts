// A sign-in in progress: which factors the user has proven so far, what the MFA policy asks of
// them next, and what the finished login says (accountId, acr, amr).
import type { Organisation, User } from '../store/port.js';
import type { FactorContext } from '../factors/strategy.js';
import type { AcrLevels } from '../policy/acr-levels.js';
import { decideMfa, type MfaDecision } from '../policy/mfa-decision.js';
import { authenticationResult, isMultiFactor, PASSWORD_FACTOR, type ProvenFactor } from '../policy/authentication-result.js';
import type { FactorProof } from '../factors/strategy.js';
import { AMR } from '../policy/acr-levels.js';
import { WEBAUTHN_KIND } from '../factors/webauthn/webauthn-strategy.js';
import { attestationPolicyOf } from '../factors/webauthn/attestation-policy.js';
import { BACKUP_CODE_KIND, FACTOR_STRATEGIES, factorStrategy } from '../factors/registry.js';
import { enrolledKinds } from '../factors/enrolment.js';
import type { AuthenticationDecision } from '../policy/step-up.js';
import { assessAndRecordSignIn, type AttemptContext } from './sign-in-risk.js';
import { recognisedDevice } from './trusted-devices.js';

/** Kept on the oidc-provider interaction between steps (JSON). */
export interface SignInProgress {
  userId: string;
  proven: ProvenFactor[];
  /** The user chose to skip an optional (or still-in-grace) enrolment. */
  skippedEnrolment?: boolean;
  /** The level this authorization needs (from src/policy/step-up.ts); baseline when absent. */
  requiredAcr?: string;
  /** The level an existing session held before this sign-in (a step-up raises it). */
  previousAcr?: string;
  /** Adaptive mode: the risk of this sign-in calls for a second factor. */
  riskRequiresMfa?: boolean;
  /** A trusted device this browser presented for this user. */
  trustedDeviceId?: string;
  /** An enrolment started in this sign-in (its factor id and kind), reused when the page reloads. */
  pendingFactorId?: string;
  pendingFactorKind?: string;
}

export interface SignInStep {
  user: User;
  org: Organisation;
  decision: MfaDecision;
  /** True when the login may be completed now. */
  complete: boolean;
}

export function firstFactorProven(
  userId: string,
  target: Pick<SignInProgress, 'requiredAcr' | 'previousAcr' | 'riskRequiresMfa' | 'trustedDeviceId'> = {},
  first: ProvenFactor = PASSWORD_FACTOR,
): SignInProgress {
  return { userId, proven: [first], ...target };
}

export function withProvenFactor(progress: SignInProgress, kind: string, proof: FactorProof): SignInProgress {
  if (!factorStrategy(kind)) throw new Error(`unknown factor ${kind}`);
  return { ...progress, proven: [...progress.proven, { kind, ...proof }], pendingFactorId: undefined, pendingFactorKind: undefined };
}

/** The sign-in already has factors of two kinds (or a user-verifying passkey). */
export const hasSecondFactor = (progress: SignInProgress) => isMultiFactor(progress.proven);

const PHISHING_RESISTANT_KINDS = FACTOR_STRATEGIES.filter((s) => s.phishingResistant).map((s) => s.kind);

export async function evaluateSignIn(ctx: FactorContext, levels: AcrLevels, progress: SignInProgress): Promise<SignInStep | undefined> {
  const user = await ctx.store.users.findById(progress.userId);
  const org = user && (await ctx.store.organisations.findById(user.orgId));
  if (!user || !org || user.disabled) return undefined;
  const decision = decideMfa({
    mode: org.mfaMode,
    allowedKinds: org.mfaMethods,
    graceDays: org.mfaGraceDays,
    userCreatedAt: user.createdAt,
    enrolledKinds: await enrolledKinds(ctx, user),
    fallbackKinds: [BACKUP_CODE_KIND],
    now: ctx.now(),
    requiredAal: progress.requiredAcr ? (levels.get(progress.requiredAcr)?.aal ?? 1) : 1,
    factorAal: Object.fromEntries(FACTOR_STRATEGIES.map((s) => [s.kind, s.maxAalFor?.(org) ?? s.maxAal])),
    requiredPhishingResistant: progress.requiredAcr ? Boolean(levels.get(progress.requiredAcr)?.phishingResistant) : false,
    phishingResistantKinds: PHISHING_RESISTANT_KINDS,
    riskRequiresMfa: progress.riskRequiresMfa ?? false,
    trustedDevice: progress.trustedDeviceId !== undefined,
  });
  const complete =
    decision.type === 'done' ||
    (hasSecondFactor(progress) && decision.type !== 'unmet') ||
    (progress.skippedEnrolment === true && (decision.type === 'offer' || (decision.type === 'enrol' && decision.skippableUntil !== undefined)));
  return { user, org, decision, complete };
}

/**
 * After a correct password: scores the sign-in's risk (adaptive organisations), recognises a
 * trusted device, and sets the level this authorization needs (from the login prompt's
 * decision). A full re-authentication of the session's own account that ends higher than the
 * session held is a step-up.
 */
export async function beginSignIn(
  ctx: FactorContext,
  input: {
    user: User;
    decision: AuthenticationDecision | undefined;
    sessionAccountId: string | undefined;
    attempt: AttemptContext;
    trustedDeviceIds: string[];
    /** The first factor: the password unless a passkey signed the user in. */
    first?: ProvenFactor;
  },
): Promise<SignInProgress> {
  const { user, decision } = input;
  const now = ctx.now();
  const org = await ctx.store.organisations.findById(user.orgId);
  const risk = org && (await assessAndRecordSignIn(ctx.store, org, user, input.attempt, now));
  const trusted = await recognisedDevice(ctx.store, user.id, input.trustedDeviceIds, now);
  return firstFactorProven(user.id, {
    requiredAcr: decision && decision.type !== 'refuse' ? decision.required : undefined,
    previousAcr: input.sessionAccountId === user.id && decision?.type === 'full' ? decision.held : undefined,
    riskRequiresMfa: risk?.requiresMfa,
    trustedDeviceId: trusted?.id,
  }, input.first);
}

/** The level asked for needs the authenticator to verify the user (NIST AAL3). */
export function needsUserVerification(levels: AcrLevels, progress: SignInProgress): boolean {
  return progress.requiredAcr !== undefined && (levels.get(progress.requiredAcr)?.aal ?? 1) >= 3;
}

/** Whether the factors proven reach the level the authorization asked for. */
export function meetsRequiredLevel(levels: AcrLevels, progress: SignInProgress): boolean {
  if (!progress.requiredAcr) return true;
  return levels.rank(authenticationResult(levels, progress.proven).acr) >= levels.rank(progress.requiredAcr);
}

const PASSKEY_OFFER_INTERVAL_MS = 30 * 86_400_000;

/**
 * After a password and a code: offer to add a passkey (at most every 30 days), when the
 * organisation turned the offer on and allows WebAuthn, and the user has none.
 */
export async function shouldOfferPasskey(ctx: FactorContext, step: SignInStep, progress: SignInProgress): Promise<boolean> {
  if (!step.org.mfaMethods.includes(WEBAUTHN_KIND) || !attestationPolicyOf(step.org.webauthnPolicy).offerPasskeys) return false;
  if (!progress.proven.some((f) => f.kind === PASSWORD_FACTOR.kind) || progress.proven.some((f) => f.kind === WEBAUTHN_KIND)) return false;
  const offered = step.user.passkeyOfferedAt;
  if (offered && ctx.now().getTime() - offered.getTime() < PASSKEY_OFFER_INTERVAL_MS) return false;
  return !(await factorStrategy(WEBAUTHN_KIND)!.isEnrolled(ctx, step.user));
}

/** What the session's login proved first, from its amr: the password, or a passkey. */
export function firstFactorOfSession(amr: readonly string[]): ProvenFactor {
  if (amr.includes(AMR.password) || !(amr.includes(AMR.hardwareKey) || amr.includes(AMR.softwareKey))) return PASSWORD_FACTOR;
  const hardware = amr.includes(AMR.hardwareKey);
  return {
    kind: 'webauthn',
    amr: [hardware ? AMR.hardwareKey : AMR.softwareKey, ...(amr.includes(AMR.userPresenceVerified) ? [AMR.userPresenceVerified] : [])],
    phishingResistant: true,
    hardware,
  };
}

/** A step-up keeps the session's first factor and asks only for what is missing. */
export function stepUpFromSession(accountId: string, sessionAmr: readonly string[], requiredAcr: string, heldAcr: string): SignInProgress {
  return firstFactorProven(accountId, { requiredAcr, previousAcr: heldAcr }, firstFactorOfSession(sessionAmr));
}

/**
 * Completes a sign-in: records what it achieved (for later step-up decisions) and returns the
 * oidc-provider login result. auth_time is now: the moment the last factor was proven.
 */
export async function completeSignIn(ctx: FactorContext, levels: AcrLevels, progress: SignInProgress) {
  const { acr, amr } = authenticationResult(levels, progress.proven);
  const ts = Math.floor(ctx.now().getTime() / 1000);
  const stepUp = progress.previousAcr !== undefined && levels.rank(acr) > levels.rank(progress.previousAcr);
  await ctx.store.sessionAssurance.record({
    accountId: progress.userId,
    loginTs: ts,
    acr,
    amr,
    achievedAt: ts,
    lastActiveAt: ts,
    stepUp,
    trustedDeviceId: progress.trustedDeviceId ?? null,
  });
  return { accountId: progress.userId, acr, amr, ts, remember: true };
}
