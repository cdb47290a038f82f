// decideMfa (src/policy/mfa-decision.ts): the exhaustive table mode × enrolled factors × grace.
//   off                                  → done (mfa_off)
//   a primary factor enrolled            → challenge: primary kinds first, then fallbacks
//   backup codes alone                   → treated as not enrolled
//   optional, nothing primary            → offer the allowed non-fallback kinds
//   required, nothing primary            → enrol; skippableUntil = createdAt + graceDays while that is after now
import { decideMfa, type MfaDecision, type MfaDecisionInput } from '../../src/policy/mfa-decision.js';
import { MFA_MODES, type MfaMode } from '../../src/store/port.js';

const DAY = 86_400_000;
const NOW = new Date('2025-06-15T12:00:00.000Z');
const ALLOWED = ['totp', 'backup_code'] as const;
const FALLBACK = ['backup_code'] as const;

const ENROLLED = {
  none: [],
  'totp only': ['totp'],
  'backup codes only': ['backup_code'],
  'totp+backup': ['totp', 'backup_code'],
} as const satisfies Record<string, readonly string[]>;
type Enrolled = keyof typeof ENROLLED;

interface Grace {
  graceDays: number;
  createdAt: Date;
}
const GRACE = {
  'no grace (0 days)': { graceDays: 0, createdAt: new Date(NOW.getTime() - 1 * DAY) },
  '7 days, created 1 day ago': { graceDays: 7, createdAt: new Date(NOW.getTime() - 1 * DAY) },
  '7 days, created 10 days ago': { graceDays: 7, createdAt: new Date(NOW.getTime() - 10 * DAY) },
} as const satisfies Record<string, Grace>;
type GraceCase = keyof typeof GRACE;

function input(mode: MfaMode, enrolled: Enrolled, grace: GraceCase): MfaDecisionInput {
  return {
    mode,
    allowedKinds: ALLOWED,
    graceDays: GRACE[grace].graceDays,
    userCreatedAt: GRACE[grace].createdAt,
    enrolledKinds: ENROLLED[enrolled],
    fallbackKinds: FALLBACK,
    now: NOW,
  };
}

const challenge: MfaDecision = { type: 'challenge', kinds: ['totp', 'backup_code'], reason: 'enrolled' };
const challengeTotpOnly: MfaDecision = { type: 'challenge', kinds: ['totp'], reason: 'enrolled' };
const offer: MfaDecision = { type: 'offer', kinds: ['totp'], reason: 'optional' };
const enrolNow: MfaDecision = { type: 'enrol', kinds: ['totp'], reason: 'required' };
const enrolUntil = (createdAt: Date, days: number): MfaDecision => ({
  type: 'enrol',
  kinds: ['totp'],
  reason: 'required',
  skippableUntil: new Date(createdAt.getTime() + days * DAY),
});
const done: MfaDecision = { type: 'done', reason: 'mfa_off' };

// Every combination, written out (3 × 4 × 3 = 36 rows).
const TABLE: [MfaMode, Enrolled, GraceCase, MfaDecision][] = [
  ['off', 'none', 'no grace (0 days)', done],
  ['off', 'none', '7 days, created 1 day ago', done],
  ['off', 'none', '7 days, created 10 days ago', done],
  ['off', 'totp only', 'no grace (0 days)', done],
  ['off', 'totp only', '7 days, created 1 day ago', done],
  ['off', 'totp only', '7 days, created 10 days ago', done],
  ['off', 'backup codes only', 'no grace (0 days)', done],
  ['off', 'backup codes only', '7 days, created 1 day ago', done],
  ['off', 'backup codes only', '7 days, created 10 days ago', done],
  ['off', 'totp+backup', 'no grace (0 days)', done],
  ['off', 'totp+backup', '7 days, created 1 day ago', done],
  ['off', 'totp+backup', '7 days, created 10 days ago', done],

  ['optional', 'none', 'no grace (0 days)', offer],
  ['optional', 'none', '7 days, created 1 day ago', offer],
  ['optional', 'none', '7 days, created 10 days ago', offer],
  ['optional', 'totp only', 'no grace (0 days)', challengeTotpOnly],
  ['optional', 'totp only', '7 days, created 1 day ago', challengeTotpOnly],
  ['optional', 'totp only', '7 days, created 10 days ago', challengeTotpOnly],
  ['optional', 'backup codes only', 'no grace (0 days)', offer],
  ['optional', 'backup codes only', '7 days, created 1 day ago', offer],
  ['optional', 'backup codes only', '7 days, created 10 days ago', offer],
  ['optional', 'totp+backup', 'no grace (0 days)', challenge],
  ['optional', 'totp+backup', '7 days, created 1 day ago', challenge],
  ['optional', 'totp+backup', '7 days, created 10 days ago', challenge],

  ['required', 'none', 'no grace (0 days)', enrolNow],
  ['required', 'none', '7 days, created 1 day ago', enrolUntil(GRACE['7 days, created 1 day ago'].createdAt, 7)],
  ['required', 'none', '7 days, created 10 days ago', enrolNow],
  ['required', 'totp only', 'no grace (0 days)', challengeTotpOnly],
  ['required', 'totp only', '7 days, created 1 day ago', challengeTotpOnly],
  ['required', 'totp only', '7 days, created 10 days ago', challengeTotpOnly],
  ['required', 'backup codes only', 'no grace (0 days)', enrolNow],
  ['required', 'backup codes only', '7 days, created 1 day ago', enrolUntil(GRACE['7 days, created 1 day ago'].createdAt, 7)],
  ['required', 'backup codes only', '7 days, created 10 days ago', enrolNow],
  ['required', 'totp+backup', 'no grace (0 days)', challenge],
  ['required', 'totp+backup', '7 days, created 1 day ago', challenge],
  ['required', 'totp+backup', '7 days, created 10 days ago', challenge],
];

describe('decideMfa: mode × enrolled × grace', () => {
  test('the table covers every combination exactly once', () => {
    const keys = TABLE.map(([m, e, g]) => `${m}|${e}|${g}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(MFA_MODES.length * Object.keys(ENROLLED).length * Object.keys(GRACE).length);
  });

  test.each(TABLE)('%s, enrolled: %s, grace: %s', (mode, enrolled, grace, expected) => {
    expect(decideMfa(input(mode, enrolled, grace))).toEqual(expected);
  });

  test('inside the grace period skippableUntil is exactly createdAt + 7 days (6 days from now)', () => {
    const d = decideMfa(input('required', 'none', '7 days, created 1 day ago'));
    expect(d.type === 'enrol' && d.skippableUntil?.toISOString()).toBe('2025-06-21T12:00:00.000Z');
  });

  test('outside the grace period the key is absent, not undefined-valued', () => {
    const d = decideMfa(input('required', 'none', '7 days, created 10 days ago'));
    expect(Object.keys(d)).not.toContain('skippableUntil');
  });
});

describe('decideMfa: ordering and boundaries', () => {
  const base = (over: Partial<MfaDecisionInput>): MfaDecisionInput => ({
    mode: 'required',
    allowedKinds: ALLOWED,
    graceDays: 7,
    userCreatedAt: new Date(NOW.getTime() - DAY),
    enrolledKinds: [],
    fallbackKinds: FALLBACK,
    now: NOW,
    ...over,
  });

  test('fallbacks come after primary kinds even when the fallback was used most recently', () => {
    expect(decideMfa(base({ enrolledKinds: ['backup_code', 'totp'] }))).toEqual(challenge);
  });

  test('primary kinds keep their given (most recently used first) order', () => {
    expect(decideMfa(base({ enrolledKinds: ['backup_code', 'webauthn', 'totp'] }))).toEqual({
      type: 'challenge',
      kinds: ['webauthn', 'totp', 'backup_code'],
      reason: 'enrolled',
    });
  });

  test('offered / enrolment kinds follow allowedKinds minus fallbacks, in order', () => {
    const allowedKinds = ['webauthn', 'backup_code', 'totp'];
    expect(decideMfa(base({ mode: 'optional', allowedKinds }))).toEqual({ type: 'offer', kinds: ['webauthn', 'totp'], reason: 'optional' });
    expect(decideMfa(base({ allowedKinds, graceDays: 0 }))).toEqual({ type: 'enrol', kinds: ['webauthn', 'totp'], reason: 'required' });
  });

  test.each([
    ['1 ms before the grace ends', -1, true],
    ['exactly when the grace ends', 0, false],
    ['1 ms after the grace ends', 1, false],
  ])('required, grace 7 days, %s → skippable: %s', (_label, offsetMs, skippable) => {
    const createdAt = new Date(NOW.getTime() - 7 * DAY - offsetMs);
    const d = decideMfa(base({ userCreatedAt: createdAt }));
    expect(d.type).toBe('enrol');
    expect(d.type === 'enrol' && d.skippableUntil !== undefined).toBe(skippable);
  });

  test('a user created just now with 0 grace days cannot skip', () => {
    expect(decideMfa(base({ graceDays: 0, userCreatedAt: NOW }))).toEqual(enrolNow);
  });

  test('the injected clock is used, not the real one', () => {
    const createdAt = new Date('2000-01-01T00:00:00Z');
    const d = decideMfa(base({ userCreatedAt: createdAt, now: new Date('2000-01-03T00:00:00Z') }));
    expect(d).toEqual(enrolUntil(createdAt, 7));
  });

  test('the input arrays are not mutated', () => {
    const enrolledKinds = ['backup_code', 'totp'];
    const allowedKinds = ['totp', 'backup_code'];
    decideMfa(base({ enrolledKinds, allowedKinds }));
    decideMfa(base({ enrolledKinds: [], allowedKinds }));
    expect(enrolledKinds).toEqual(['backup_code', 'totp']);
    expect(allowedKinds).toEqual(['totp', 'backup_code']);
  });
});
