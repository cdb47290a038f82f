// Verifying a second factor at sign-in: lockout first, then the strategy, then the audit trail.
import type { User } from '../store/port.js';
import type { FactorContext, FactorProof, FactorStrategy } from './strategy.js';
import { factorStrategy } from './registry.js';
import { beginFactorAttempt, recordFactorFailure, remainingAttempts, type LockoutRules } from './lockout.js';
import { AuditEvents, type RequestFacts } from '../audit/events.js';

export type SecondFactorResult =
  | { ok: true; kind: string; proof: FactorProof; remainingBackupCodes?: number }
  | { ok: false; reason: 'invalid' | 'replay' | 'not_enrolled' | 'cloned'; attemptsLeft: number }
  | { ok: false; reason: 'locked'; lockedUntil: Date };

/** What a factor proves when its verification does not say more. */
export const proofFromMetadata = (s: FactorStrategy): FactorProof => ({ amr: [...s.amr], phishingResistant: s.phishingResistant });

export async function verifySecondFactor(
  ctx: FactorContext,
  rules: LockoutRules,
  user: User,
  kind: string,
  response: string,
  facts: RequestFacts,
): Promise<SecondFactorResult> {
  const strategy = factorStrategy(kind);
  const audit = (event: string, details: Record<string, unknown> = {}) =>
    ctx.store.audit.record({ event, orgId: user.orgId, userId: user.id, factor: kind, ...facts, details });
  if (!strategy) return { ok: false, reason: 'not_enrolled', attemptsLeft: 0 };

  const permit = await beginFactorAttempt(ctx.store, rules, user.id, kind);
  if (!permit.allowed) {
    await audit(AuditEvents.mfaFailed, { reason: 'locked', locked_until: permit.lockedUntil.toISOString() });
    return { ok: false, reason: 'locked', lockedUntil: permit.lockedUntil };
  }
  const outcome = await strategy.verify(ctx, user, response);
  if (outcome.ok) {
    await ctx.store.factorLockouts.recordSuccess(user.id, kind);
    await ctx.store.users.recordMfa(user.id);
    await audit(AuditEvents.mfaSucceeded, outcome.remaining === undefined ? {} : { remaining_backup_codes: outcome.remaining });
    return { ok: true, kind, proof: outcome.proof ?? proofFromMetadata(strategy), remainingBackupCodes: outcome.remaining };
  }
  const lockedUntil = await recordFactorFailure(ctx.store, rules, user.id, kind);
  await audit(AuditEvents.mfaFailed, { reason: outcome.reason, ...(lockedUntil ? { locked_until: lockedUntil.toISOString() } : {}) });
  if (lockedUntil) {
    await audit(AuditEvents.mfaLocked, { locked_until: lockedUntil.toISOString() });
    return { ok: false, reason: 'locked', lockedUntil };
  }
  return { ok: false, reason: outcome.reason, attemptsLeft: await remainingAttempts(ctx.store, rules, user.id, kind) };
}
