// Second-factor lockout: after maxFailures consecutive wrong codes for a factor the user is
// locked out of it, for lockoutSeconds doubled at every further lock (capped at a day); at the
// NIST SP 800-63B ceiling of 100 consecutive failures the lock holds until an administrator
// resets the user's MFA. Counters live in the store, so locks survive restarts and hold across
// parallel requests and processes.
import type { Store } from '../store/port.js';

export const NIST_FAILURE_CEILING = 100;
const MAX_LOCK_SECONDS = 86_400;

export interface LockoutRules {
  maxFailures: number;
  lockoutSeconds: number;
}

export type AttemptPermit = { allowed: true } | { allowed: false; lockedUntil: Date };

function lockSeconds(rules: LockoutRules, lockCount: number): number {
  return Math.min(MAX_LOCK_SECONDS, rules.lockoutSeconds * 2 ** Math.min(lockCount, 20));
}

/** Takes an attempt slot before the code is checked; refuses when locked or over the limit. */
export async function beginFactorAttempt(store: Store, rules: LockoutRules, userId: string, factor: string): Promise<AttemptPermit> {
  const state = await store.factorLockouts.beginAttempt(userId, factor);
  if (!state.counted && state.lockedUntil) return { allowed: false, lockedUntil: state.lockedUntil };
  if (state.consecutiveFailures > NIST_FAILURE_CEILING) {
    return { allowed: false, lockedUntil: (await store.factorLockouts.lock(userId, factor, 'forever')).lockedUntil! };
  }
  if (state.windowFailures > rules.maxFailures) {
    const locked = await store.factorLockouts.lock(userId, factor, lockSeconds(rules, state.lockCount));
    return { allowed: false, lockedUntil: locked.lockedUntil! };
  }
  return { allowed: true };
}

/** After a wrong code: lock now if this was the last allowed failure. Returns the lock, if any. */
export async function recordFactorFailure(store: Store, rules: LockoutRules, userId: string, factor: string): Promise<Date | undefined> {
  const state = await store.factorLockouts.get(userId, factor);
  if (!state) return undefined;
  if (state.consecutiveFailures >= NIST_FAILURE_CEILING) return (await store.factorLockouts.lock(userId, factor, 'forever')).lockedUntil!;
  if (state.windowFailures >= rules.maxFailures) {
    return (await store.factorLockouts.lock(userId, factor, lockSeconds(rules, state.lockCount))).lockedUntil!;
  }
  return undefined;
}

export async function remainingAttempts(store: Store, rules: LockoutRules, userId: string, factor: string): Promise<number> {
  const state = await store.factorLockouts.get(userId, factor);
  return Math.max(0, rules.maxFailures - (state?.windowFailures ?? 0));
}
