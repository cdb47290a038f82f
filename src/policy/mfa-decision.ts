// After the first factor: does this sign-in need a second factor, and which? Pure: organisation
// policy + the level the request needs + the user's enrolled factors + the clock in, a decision
// out. Exhaustive table tests in test/unit/mfa-decision.test.ts.
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
  /** NIST AAL the authorization request needs (1 when it asks for nothing more). Default 1. */
  requiredAal?: number;
  /** The highest AAL each kind can reach. Kinds not listed reach AAL2. */
  factorAal?: Readonly<Record<string, number>>;
  /** The organisation's policy asks for MFA on this sign-in (adaptive mode above the threshold). */
  riskRequiresMfa?: boolean;
  /** The org-policy challenge may be skipped on this remembered device (explicit requests still step up). */
  trustedDevice?: boolean;
  /** The requested level needs a phishing-resistant factor (phr, phrh, aal3). */
  requiredPhishingResistant?: boolean;
  /** Kinds that are phishing-resistant (WebAuthn). */
  phishingResistantKinds?: readonly string[];
}

export type MfaDecision =
  | { type: 'done'; reason: 'mfa_off' | 'trusted_device' | 'low_risk' }
  | { type: 'challenge'; kinds: string[]; reason: 'enrolled' | 'level_requested' }
  | { type: 'enrol'; kinds: string[]; reason: 'required' | 'level_requested' | 'risk'; skippableUntil?: Date }
  | { type: 'offer'; kinds: string[]; reason: 'optional' }
  | { type: 'unmet'; reason: 'no_factor_for_level' | 'enrolment_not_allowed' };

const DAY_MS = 86_400_000;

export function decideMfa(input: MfaDecisionInput): MfaDecision {
  const requiredAal = Math.max(input.requiredAal ?? 1, input.requiredPhishingResistant ? 2 : 1);
  // A kind can serve the requested level: high enough AAL, and phishing-resistant when asked.
  const aalOf = (k: string) => (input.requiredPhishingResistant && !input.phishingResistantKinds?.includes(k) ? 0 : (input.factorAal?.[k] ?? 2));
  const fallbacks = input.enrolledKinds.filter((k) => input.fallbackKinds.includes(k));
  const primary = input.enrolledKinds.filter((k) => !input.fallbackKinds.includes(k));
  const enrollable = input.allowedKinds.filter((k) => !input.fallbackKinds.includes(k));

  // The request itself demands a level: the organisation's mode only decides whether enrolment may happen here.
  if (requiredAal >= 2) {
    const able = primary.filter((k) => aalOf(k) >= requiredAal);
    if (able.length) return { type: 'challenge', kinds: [...able, ...fallbacks.filter((k) => aalOf(k) >= requiredAal)], reason: 'level_requested' };
    const canEnrol = enrollable.filter((k) => aalOf(k) >= requiredAal);
    if (input.mode === 'off') return { type: 'unmet', reason: 'enrolment_not_allowed' };
    if (!canEnrol.length) return { type: 'unmet', reason: 'no_factor_for_level' };
    return { type: 'enrol', kinds: canEnrol, reason: 'level_requested' };
  }

  if (input.mode === 'off') return { type: 'done', reason: 'mfa_off' };
  if (input.mode === 'adaptive' && !input.riskRequiresMfa) return { type: 'done', reason: 'low_risk' };
  // A remembered device skips the challenge, never a required enrolment.
  if (input.trustedDevice && primary.length > 0) return { type: 'done', reason: 'trusted_device' };
  if (primary.length > 0) {
    // Primary factors first (default = most recently used), then fallbacks such as backup codes.
    return { type: 'challenge', kinds: [...primary, ...fallbacks], reason: 'enrolled' };
  }
  if (input.mode === 'optional') return { type: 'offer', kinds: enrollable, reason: 'optional' };
  if (input.mode === 'adaptive') return { type: 'enrol', kinds: enrollable, reason: 'risk' };
  const graceEnds = new Date(input.userCreatedAt.getTime() + input.graceDays * DAY_MS);
  return { type: 'enrol', kinds: enrollable, reason: 'required', ...(graceEnds > input.now ? { skippableUntil: graceEnds } : {}) };
}
