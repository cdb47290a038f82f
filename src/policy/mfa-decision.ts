// After the password: does this sign-in need a second factor, and which? Pure: organisation
// policy + the user's enrolled factors + the clock in, a decision out. Exhaustive table tests in
// test/unit/mfa-decision.test.ts.
import type { MfaMode } from '../store/port.js';

export interface MfaDecisionInput {
  mode: MfaMode;
  /** Factor kinds the organisation lets users enrol. */
  allowedKinds: readonly string[];
  /** Days a new user may skip required enrolment. */
  graceDays: number;
  userCreatedAt: Date;
  /** Kinds the user holds, most recently used first (backup codes included when some remain). */
  enrolledKinds: readonly string[];
  /** Kinds that count only as a fallback, never alone as "enrolled" (backup codes). */
  fallbackKinds: readonly string[];
  now: Date;
}

export type MfaDecision =
  | { type: 'done'; reason: 'mfa_off' | 'not_enrolled_optional_declined' }
  | { type: 'challenge'; kinds: string[]; reason: 'enrolled' }
  | { type: 'enrol'; kinds: string[]; reason: 'required'; skippableUntil?: Date }
  | { type: 'offer'; kinds: string[]; reason: 'optional' };

const DAY_MS = 86_400_000;

export function decideMfa(input: MfaDecisionInput): MfaDecision {
  if (input.mode === 'off') return { type: 'done', reason: 'mfa_off' };
  const primary = input.enrolledKinds.filter((k) => !input.fallbackKinds.includes(k));
  if (primary.length > 0) {
    // Primary factors first (default = most recently used), then fallbacks such as backup codes.
    return { type: 'challenge', kinds: [...primary, ...input.enrolledKinds.filter((k) => input.fallbackKinds.includes(k))], reason: 'enrolled' };
  }
  const kinds = input.allowedKinds.filter((k) => !input.fallbackKinds.includes(k));
  if (input.mode === 'optional') return { type: 'offer', kinds, reason: 'optional' };
  const graceEnds = new Date(input.userCreatedAt.getTime() + input.graceDays * DAY_MS);
  return { type: 'enrol', kinds, reason: 'required', ...(graceEnds > input.now ? { skippableUntil: graceEnds } : {}) };
}
