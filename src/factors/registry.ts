// The factors Keystep offers. A new factor is a new strategy module listed here.
import type { FactorStrategy } from './strategy.js';
import { totpStrategy } from './totp/totp-strategy.js';
import { backupCodesStrategy } from './backup-codes/backup-codes-strategy.js';
import { webauthnStrategy } from './webauthn/webauthn-strategy.js';

// Order = the default order on the challenge page (phishing-resistant first).
export const FACTOR_STRATEGIES: readonly FactorStrategy[] = [webauthnStrategy, totpStrategy, backupCodesStrategy];

export const BACKUP_CODE_KIND = backupCodesStrategy.kind;

export function factorStrategy(kind: string): FactorStrategy | undefined {
  return FACTOR_STRATEGIES.find((s) => s.kind === kind);
}

/** Factors a user can enrol from the enrolment page (backup codes come with the first one). */
export const ENROLLABLE_KINDS: readonly string[] = [totpStrategy.kind, webauthnStrategy.kind];
