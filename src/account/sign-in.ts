// A sign-in in progress: which factors the user has proven so far, what the MFA policy asks of
// them next, and what the finished login says (accountId, acr, amr).
import type { Organisation, User } from '../store/port.js';
import type { FactorContext } from '../factors/strategy.js';
import type { AcrLevels } from '../policy/acr-levels.js';
import { decideMfa, type MfaDecision } from '../policy/mfa-decision.js';
import { authenticationResult, PASSWORD_FACTOR, type ProvenFactor } from '../policy/authentication-result.js';
import { BACKUP_CODE_KIND, factorStrategy } from '../factors/registry.js';
import { enrolledKinds } from '../factors/enrolment.js';

/** Kept on the oidc-provider interaction between steps (JSON). */
export interface SignInProgress {
  userId: string;
  proven: ProvenFactor[];
  /** Seconds since the epoch when the first factor was proven (becomes auth_time). */
  startedAt: number;
  /** The user chose to skip an optional (or still-in-grace) enrolment. */
  skippedEnrolment?: boolean;
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

export function passwordProven(userId: string, now: Date): SignInProgress {
  return { userId, proven: [PASSWORD_FACTOR], startedAt: Math.floor(now.getTime() / 1000) };
}

export function withProvenFactor(progress: SignInProgress, kind: string): SignInProgress {
  const strategy = factorStrategy(kind);
  if (!strategy) throw new Error(`unknown factor ${kind}`);
  return { ...progress, proven: [...progress.proven, { kind, amr: [...strategy.amr] }], pendingFactorId: undefined, pendingFactorKind: undefined };
}

export const hasSecondFactor = (progress: SignInProgress) => progress.proven.some((f) => f.kind !== PASSWORD_FACTOR.kind);

export async function evaluateSignIn(ctx: FactorContext, progress: SignInProgress): Promise<SignInStep | undefined> {
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
  });
  const complete =
    decision.type === 'done' ||
    hasSecondFactor(progress) ||
    (progress.skippedEnrolment === true && (decision.type === 'offer' || (decision.type === 'enrol' && decision.skippableUntil !== undefined)));
  return { user, org, decision, complete };
}

/** The oidc-provider login result of a completed sign-in. */
export function loginResult(levels: AcrLevels, progress: SignInProgress) {
  const { acr, amr } = authenticationResult(levels, progress.proven);
  return { accountId: progress.userId, acr, amr, remember: true };
}
