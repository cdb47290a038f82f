// Enrolling, listing and removing factors, and backup-code (re)generation, with audit events.
import type { User } from '../store/port.js';
import type { FactorContext, EnrolmentStart, FactorProof } from './strategy.js';
import { proofFromMetadata } from './verification.js';
import { factorStrategy, BACKUP_CODE_KIND, FACTOR_STRATEGIES } from './registry.js';
import { AuditEvents, type RequestFacts } from '../audit/events.js';

export type EnrolmentConfirmation =
  | { ok: true; factorId: string; proof: FactorProof; backupCodes?: string[] }
  | { ok: false; reason: 'invalid' | 'not_found' };

function strategyOrThrow(kind: string) {
  const s = factorStrategy(kind);
  if (!s) throw new Error(`unknown factor kind ${kind}`);
  return s;
}

export function startEnrolment(ctx: FactorContext, user: User, kind: string, options: { name?: string; resumeFactorId?: string } = {}): Promise<EnrolmentStart> {
  return strategyOrThrow(kind).enroll.start(ctx, user, options);
}

/** Confirms a pending factor; the first factor a user enrols also brings their backup codes. */
export async function confirmEnrolment(
  ctx: FactorContext,
  user: User,
  kind: string,
  input: { factorId: string; response: string; name?: string },
  facts: RequestFacts,
): Promise<EnrolmentConfirmation> {
  const strategy = strategyOrThrow(kind);
  const outcome = await strategy.enroll.confirm(ctx, user, input);
  if (!outcome.ok) return outcome;
  await ctx.store.users.recordMfa(user.id);
  await ctx.store.audit.record({ event: AuditEvents.factorEnrolled, orgId: user.orgId, userId: user.id, factor: kind, ...facts, details: { factor_id: outcome.factorId } });
  const hasCodes = await factorStrategy(BACKUP_CODE_KIND)!.isEnrolled(ctx, user);
  const backupCodes = hasCodes ? undefined : await regenerateBackupCodes(ctx, user, facts);
  return { ok: true, factorId: outcome.factorId, proof: outcome.proof ?? proofFromMetadata(strategy), backupCodes };
}

/** New backup codes; every earlier code stops working. Returns the codes (shown once). */
export async function regenerateBackupCodes(ctx: FactorContext, user: User, facts: RequestFacts): Promise<string[]> {
  const start = await factorStrategy(BACKUP_CODE_KIND)!.enroll.start(ctx, user, {});
  if (start.type !== 'codes') throw new Error('backup codes strategy must return codes');
  await ctx.store.audit.record({ event: AuditEvents.backupCodesRegenerated, orgId: user.orgId, userId: user.id, factor: BACKUP_CODE_KIND, ...facts });
  return start.codes;
}

export async function removeFactor(ctx: FactorContext, user: User, kind: string, factorId: string, facts: RequestFacts): Promise<boolean> {
  const removed = await strategyOrThrow(kind).remove(ctx, user, factorId);
  if (removed) {
    await ctx.store.audit.record({ event: AuditEvents.factorRemoved, orgId: user.orgId, userId: user.id, factor: kind, ...facts, details: { factor_id: factorId } });
  }
  return removed;
}

/** Admin reset: every factor, backup code and lock of the user goes. */
export async function resetMfa(ctx: FactorContext, user: User, facts: RequestFacts): Promise<{ removedFactors: number }> {
  const removedFactors = await ctx.store.transaction(async (tx) => {
    const n = await tx.mfaFactors.removeAllForUser(user.id);
    await tx.backupCodes.removeAllForUser(user.id);
    await tx.factorLockouts.resetAllForUser(user.id);
    await tx.audit.record({ event: AuditEvents.mfaReset, orgId: user.orgId, userId: user.id, ...facts, details: { removed_factors: n } });
    return n;
  });
  return { removedFactors };
}

/** The kinds of second factor the user can be challenged with, in the order to offer them. */
export async function enrolledKinds(ctx: FactorContext, user: User): Promise<string[]> {
  const kinds: string[] = [];
  for (const s of FACTOR_STRATEGIES) if (await s.isEnrolled(ctx, user)) kinds.push(s.kind);
  return kinds;
}
