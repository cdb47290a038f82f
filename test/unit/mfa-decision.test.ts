// decideMfa (src/policy/mfa-decision.ts): the exhaustive table mode × enrolled factors × grace,
// then the step-up inputs (requiredAal, factorAal), adaptive risk and trusted devices.
// requiredAal 1 (the default), by organisation mode:
//   off                                  → done (mfa_off)
//   adaptive, risk does not require MFA  → done (low_risk)
//   trusted device                       → done (trusted_device)
//   a primary factor enrolled            → challenge: primary kinds first, then fallbacks
//   backup codes alone                   → treated as not enrolled
//   optional, nothing primary            → offer the allowed non-fallback kinds
//   adaptive (risky), nothing primary    → enrol (risk), never skippable
//   required, nothing primary            → enrol; skippableUntil = createdAt + graceDays while that is after now
// requiredAal ≥ 2 (the request asks for a level; mode, risk, trusted device and grace do not lower it):
//   a primary factor reaching the level  → challenge (level_requested): those kinds, then fallbacks reaching it
//   else mode off                        → unmet (enrolment_not_allowed)
//   else no allowed kind reaches it      → unmet (no_factor_for_level)
//   else                                 → enrol (level_requested) the allowed kinds reaching it, never skippable
import { decideMfa, type MfaDecision, type MfaDecisionInput } from '../../src/policy/mfa-decision.js';
import { MFA_MODES, type MfaMode } from '../../src/store/port.js';
import { totpStrategy } from '../../src/factors/totp/totp-strategy.js';
import { backupCodesStrategy } from '../../src/factors/backup-codes/backup-codes-strategy.js';

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
const lowRisk: MfaDecision = { type: 'done', reason: 'low_risk' };

// Every combination, written out (4 × 4 × 3 = 48 rows). No riskRequiresMfa: adaptive is low risk.
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

  ['adaptive', 'none', 'no grace (0 days)', lowRisk],
  ['adaptive', 'none', '7 days, created 1 day ago', lowRisk],
  ['adaptive', 'none', '7 days, created 10 days ago', lowRisk],
  ['adaptive', 'totp only', 'no grace (0 days)', lowRisk],
  ['adaptive', 'totp only', '7 days, created 1 day ago', lowRisk],
  ['adaptive', 'totp only', '7 days, created 10 days ago', lowRisk],
  ['adaptive', 'backup codes only', 'no grace (0 days)', lowRisk],
  ['adaptive', 'backup codes only', '7 days, created 1 day ago', lowRisk],
  ['adaptive', 'backup codes only', '7 days, created 10 days ago', lowRisk],
  ['adaptive', 'totp+backup', 'no grace (0 days)', lowRisk],
  ['adaptive', 'totp+backup', '7 days, created 1 day ago', lowRisk],
  ['adaptive', 'totp+backup', '7 days, created 10 days ago', lowRisk],
];

describe('decideMfa: mode × enrolled × grace', () => {
  test('the table covers every combination exactly once', () => {
    const keys = TABLE.map(([m, e, g]) => `${m}|${e}|${g}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(MFA_MODES.length * Object.keys(ENROLLED).length * Object.keys(GRACE).length);
  });

  test('the modes the table knows are exactly MFA_MODES', () => {
    expect([...new Set(TABLE.map(([m]) => m))].sort()).toEqual([...MFA_MODES].sort());
  });

  test.each(TABLE)('%s, enrolled: %s, grace: %s', (mode, enrolled, grace, expected) => {
    expect(decideMfa(input(mode, enrolled, grace))).toEqual(expected);
  });

  test.each(TABLE)('%s, enrolled: %s, grace: %s — an explicit requiredAal 1 decides the same as none', (mode, enrolled, grace, expected) => {
    expect(decideMfa({ ...input(mode, enrolled, grace), requiredAal: 1 })).toEqual(expected);
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

// ---------------------------------------------------------------------------------------------
// Adaptive mode and riskRequiresMfa (requiredAal 1).

const enrolRisk: MfaDecision = { type: 'enrol', kinds: ['totp'], reason: 'risk' };

describe('decideMfa: adaptive × riskRequiresMfa × enrolled × grace', () => {
  const ADAPTIVE: [boolean, Enrolled, GraceCase, MfaDecision][] = [
    [false, 'none', 'no grace (0 days)', lowRisk],
    [false, 'none', '7 days, created 1 day ago', lowRisk],
    [false, 'none', '7 days, created 10 days ago', lowRisk],
    [false, 'totp only', 'no grace (0 days)', lowRisk],
    [false, 'totp only', '7 days, created 1 day ago', lowRisk],
    [false, 'totp only', '7 days, created 10 days ago', lowRisk],
    [false, 'backup codes only', 'no grace (0 days)', lowRisk],
    [false, 'backup codes only', '7 days, created 1 day ago', lowRisk],
    [false, 'backup codes only', '7 days, created 10 days ago', lowRisk],
    [false, 'totp+backup', 'no grace (0 days)', lowRisk],
    [false, 'totp+backup', '7 days, created 1 day ago', lowRisk],
    [false, 'totp+backup', '7 days, created 10 days ago', lowRisk],

    // Risky: like 'required', but enrolment can never be postponed, not even inside the grace period.
    [true, 'none', 'no grace (0 days)', enrolRisk],
    [true, 'none', '7 days, created 1 day ago', enrolRisk],
    [true, 'none', '7 days, created 10 days ago', enrolRisk],
    [true, 'totp only', 'no grace (0 days)', challengeTotpOnly],
    [true, 'totp only', '7 days, created 1 day ago', challengeTotpOnly],
    [true, 'totp only', '7 days, created 10 days ago', challengeTotpOnly],
    [true, 'backup codes only', 'no grace (0 days)', enrolRisk],
    [true, 'backup codes only', '7 days, created 1 day ago', enrolRisk],
    [true, 'backup codes only', '7 days, created 10 days ago', enrolRisk],
    [true, 'totp+backup', 'no grace (0 days)', challenge],
    [true, 'totp+backup', '7 days, created 1 day ago', challenge],
    [true, 'totp+backup', '7 days, created 10 days ago', challenge],
  ];

  test('the table covers every combination exactly once', () => {
    const keys = ADAPTIVE.map(([r, e, g]) => `${r}|${e}|${g}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(2 * Object.keys(ENROLLED).length * Object.keys(GRACE).length);
  });

  test.each(ADAPTIVE)('adaptive, riskRequiresMfa: %s, enrolled: %s, grace: %s', (riskRequiresMfa, enrolled, grace, expected) => {
    expect(decideMfa({ ...input('adaptive', enrolled, grace), riskRequiresMfa })).toEqual(expected);
  });

  test('risky enrolment inside the grace period has no skippableUntil key at all', () => {
    const d = decideMfa({ ...input('adaptive', 'none', '7 days, created 1 day ago'), riskRequiresMfa: true });
    expect(d.type).toBe('enrol');
    expect(Object.keys(d)).not.toContain('skippableUntil');
  });

  test('risky enrolment kinds follow allowedKinds minus fallbacks, in order', () => {
    const d = decideMfa({ ...input('adaptive', 'none', 'no grace (0 days)'), riskRequiresMfa: true, allowedKinds: ['webauthn', 'backup_code', 'totp'] });
    expect(d).toEqual({ type: 'enrol', kinds: ['webauthn', 'totp'], reason: 'risk' });
  });

  // riskRequiresMfa is an adaptive-mode input only: the other modes decide exactly as without it.
  const NOT_ADAPTIVE = TABLE.filter(([m]) => m !== 'adaptive');
  test('every non-adaptive mode is in the rows below', () => {
    expect(new Set(NOT_ADAPTIVE.map(([m]) => m))).toEqual(new Set(MFA_MODES.filter((m) => m !== 'adaptive')));
  });
  test.each(NOT_ADAPTIVE.flatMap(([m, e, g, d]) => [true, false].map((r) => [m, e, g, r, d] as const)))(
    '%s, enrolled: %s, grace: %s, riskRequiresMfa: %s → as without it',
    (mode, enrolled, grace, riskRequiresMfa, expected) => {
      expect(decideMfa({ ...input(mode, enrolled, grace), riskRequiresMfa })).toEqual(expected);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Trusted devices (requiredAal 1): the organisation's challenge is skipped; 'off' and a low-risk
// adaptive sign-in keep their own reasons because they are decided first.

const trusted: MfaDecision = { type: 'done', reason: 'trusted_device' };

describe('decideMfa: trustedDevice', () => {
  type Policy = 'off' | 'optional' | 'required' | 'adaptive, low risk' | 'adaptive, risky';
  const POLICY: Record<Policy, { mode: MfaMode; riskRequiresMfa?: boolean }> = {
    off: { mode: 'off' },
    optional: { mode: 'optional' },
    required: { mode: 'required' },
    'adaptive, low risk': { mode: 'adaptive', riskRequiresMfa: false },
    'adaptive, risky': { mode: 'adaptive', riskRequiresMfa: true },
  };
  // A remembered device skips a challenge, never a required enrolment or offer: as if untrusted.
  const UNTRUSTED = 'as if untrusted' as const;
  const TRUSTED: [Policy, Enrolled, MfaDecision | typeof UNTRUSTED][] = [
    ['off', 'none', done],
    ['off', 'totp only', done],
    ['off', 'backup codes only', done],
    ['off', 'totp+backup', done],
    ['optional', 'none', UNTRUSTED],
    ['optional', 'totp only', trusted],
    ['optional', 'backup codes only', UNTRUSTED],
    ['optional', 'totp+backup', trusted],
    ['required', 'none', UNTRUSTED],
    ['required', 'totp only', trusted],
    ['required', 'backup codes only', UNTRUSTED],
    ['required', 'totp+backup', trusted],
    ['adaptive, low risk', 'none', lowRisk],
    ['adaptive, low risk', 'totp only', lowRisk],
    ['adaptive, low risk', 'backup codes only', lowRisk],
    ['adaptive, low risk', 'totp+backup', lowRisk],
    ['adaptive, risky', 'none', UNTRUSTED],
    ['adaptive, risky', 'totp only', trusted],
    ['adaptive, risky', 'backup codes only', UNTRUSTED],
    ['adaptive, risky', 'totp+backup', trusted],
  ];

  test('the table covers every policy × enrolled exactly once, and every mode', () => {
    const keys = TRUSTED.map(([p, e]) => `${p}|${e}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(Object.keys(POLICY).length * Object.keys(ENROLLED).length);
    expect(new Set(Object.values(POLICY).map((p) => p.mode))).toEqual(new Set(MFA_MODES));
  });

  const GRACES = Object.keys(GRACE) as GraceCase[];
  test.each(TRUSTED.flatMap(([p, e, d]) => GRACES.map((g) => [p, e, g, d] as const)))(
    'trusted device, %s, enrolled: %s, grace: %s',
    (policy, enrolled, grace, expected) => {
      const decision = decideMfa({ ...input(POLICY[policy].mode, enrolled, grace), ...POLICY[policy], trustedDevice: true });
      if (expected === UNTRUSTED) {
        expect(decision.type).not.toBe('done');
        expect(decision).toEqual(decideMfa({ ...input(POLICY[policy].mode, enrolled, grace), ...POLICY[policy], trustedDevice: false }));
      } else {
        expect(decision).toEqual(expected);
      }
    },
  );

  test.each(TABLE)('%s, enrolled: %s, grace: %s, trustedDevice false → as without it', (mode, enrolled, grace, expected) => {
    expect(decideMfa({ ...input(mode, enrolled, grace), trustedDevice: false })).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// requiredAal 2: the request asks for two factors. Mode only decides whether enrolment may happen;
// grace, risk and a trusted device change nothing.

const NIST_FACTOR_AAL = { totp: 2, backup_code: 2 } as const;

/** Every variation that must not change a requiredAal ≥ 2 decision. */
const VARIATIONS = (Object.keys(GRACE) as GraceCase[]).flatMap((grace) =>
  [undefined, false, true].flatMap((trustedDevice) => [undefined, false, true].map((riskRequiresMfa) => ({ grace, trustedDevice, riskRequiresMfa }))),
);

function levelInput(mode: MfaMode, enrolled: Enrolled, v: (typeof VARIATIONS)[number], requiredAal: number, factorAal?: Record<string, number>): MfaDecisionInput {
  return {
    ...input(mode, enrolled, v.grace),
    requiredAal,
    ...(factorAal ? { factorAal } : {}),
    ...(v.trustedDevice === undefined ? {} : { trustedDevice: v.trustedDevice }),
    ...(v.riskRequiresMfa === undefined ? {} : { riskRequiresMfa: v.riskRequiresMfa }),
  };
}

const unmetNotAllowed: MfaDecision = { type: 'unmet', reason: 'enrolment_not_allowed' };
const unmetNoFactor: MfaDecision = { type: 'unmet', reason: 'no_factor_for_level' };
const levelChallengeTotp: MfaDecision = { type: 'challenge', kinds: ['totp'], reason: 'level_requested' };
const levelChallengeBoth: MfaDecision = { type: 'challenge', kinds: ['totp', 'backup_code'], reason: 'level_requested' };
const levelEnrolTotp: MfaDecision = { type: 'enrol', kinds: ['totp'], reason: 'level_requested' };

describe('decideMfa: requiredAal 2 × mode × enrolled (× grace × trustedDevice × riskRequiresMfa)', () => {
  const AAL2: [MfaMode, Enrolled, MfaDecision][] = [
    ['off', 'none', unmetNotAllowed],
    ['off', 'totp only', levelChallengeTotp],
    ['off', 'backup codes only', unmetNotAllowed],
    ['off', 'totp+backup', levelChallengeBoth],
    ['optional', 'none', levelEnrolTotp],
    ['optional', 'totp only', levelChallengeTotp],
    ['optional', 'backup codes only', levelEnrolTotp],
    ['optional', 'totp+backup', levelChallengeBoth],
    ['required', 'none', levelEnrolTotp],
    ['required', 'totp only', levelChallengeTotp],
    ['required', 'backup codes only', levelEnrolTotp],
    ['required', 'totp+backup', levelChallengeBoth],
    ['adaptive', 'none', levelEnrolTotp],
    ['adaptive', 'totp only', levelChallengeTotp],
    ['adaptive', 'backup codes only', levelEnrolTotp],
    ['adaptive', 'totp+backup', levelChallengeBoth],
  ];

  test('the table covers every mode × enrolled exactly once; 27 variations each', () => {
    const keys = AAL2.map(([m, e]) => `${m}|${e}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(MFA_MODES.length * Object.keys(ENROLLED).length);
    expect(VARIATIONS).toHaveLength(27);
  });

  test.each(AAL2)('requiredAal 2, %s, enrolled: %s (factorAal omitted: every kind reaches AAL2)', (mode, enrolled, expected) => {
    for (const v of VARIATIONS) {
      expect([v, decideMfa(levelInput(mode, enrolled, v, 2))]).toEqual([v, expected]);
    }
  });

  test.each(AAL2)('requiredAal 2, %s, enrolled: %s (factorAal totp 2, backup_code 2)', (mode, enrolled, expected) => {
    for (const v of VARIATIONS) {
      expect([v, decideMfa(levelInput(mode, enrolled, v, 2, NIST_FACTOR_AAL))]).toEqual([v, expected]);
    }
  });

  test.each(MFA_MODES.filter((m) => m !== 'off'))('%s, nothing enrolled, inside the grace period: enrolment is not skippable (no key)', (mode) => {
    const d = decideMfa({ ...input(mode, 'none', '7 days, created 1 day ago'), requiredAal: 2 });
    expect(d).toEqual(levelEnrolTotp);
    expect(Object.keys(d)).not.toContain('skippableUntil');
  });

  test('the factor strategies declare the AAL the table assumes', () => {
    expect(totpStrategy.kind).toBe('totp');
    expect(totpStrategy.maxAal).toBe(NIST_FACTOR_AAL.totp);
    expect(backupCodesStrategy.kind).toBe('backup_code');
    expect(backupCodesStrategy.maxAal).toBe(NIST_FACTOR_AAL.backup_code);
  });
});

// ---------------------------------------------------------------------------------------------
// requiredAal 3: neither TOTP nor backup codes reach it. With mode 'off' the enrolment check comes
// first, so 'off' answers enrolment_not_allowed whatever is enrolled; the other modes answer
// no_factor_for_level.

describe('decideMfa: requiredAal 3 with factorAal { totp: 2, backup_code: 2 }', () => {
  const AAL3: [MfaMode, Enrolled, MfaDecision][] = [
    ['off', 'none', unmetNotAllowed],
    ['off', 'totp only', unmetNotAllowed],
    ['off', 'backup codes only', unmetNotAllowed],
    ['off', 'totp+backup', unmetNotAllowed],
    ['optional', 'none', unmetNoFactor],
    ['optional', 'totp only', unmetNoFactor],
    ['optional', 'backup codes only', unmetNoFactor],
    ['optional', 'totp+backup', unmetNoFactor],
    ['required', 'none', unmetNoFactor],
    ['required', 'totp only', unmetNoFactor],
    ['required', 'backup codes only', unmetNoFactor],
    ['required', 'totp+backup', unmetNoFactor],
    ['adaptive', 'none', unmetNoFactor],
    ['adaptive', 'totp only', unmetNoFactor],
    ['adaptive', 'backup codes only', unmetNoFactor],
    ['adaptive', 'totp+backup', unmetNoFactor],
  ];

  test('the table covers every mode × enrolled exactly once', () => {
    const keys = AAL3.map(([m, e]) => `${m}|${e}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(MFA_MODES.length * Object.keys(ENROLLED).length);
  });

  test.each(AAL3)('requiredAal 3, %s, enrolled: %s', (mode, enrolled, expected) => {
    for (const v of VARIATIONS) {
      expect([v, decideMfa(levelInput(mode, enrolled, v, 3, NIST_FACTOR_AAL))]).toEqual([v, expected]);
    }
  });

  test.each(MFA_MODES.filter((m) => m !== 'off'))('%s: kinds missing from factorAal reach AAL2 only, so {} is unmet too', (mode) => {
    expect(decideMfa({ ...input(mode, 'totp+backup', 'no grace (0 days)'), requiredAal: 3, factorAal: {} })).toEqual(unmetNoFactor);
    expect(decideMfa({ ...input(mode, 'totp+backup', 'no grace (0 days)'), requiredAal: 3 })).toEqual(unmetNoFactor);
  });
});

describe('decideMfa: a hypothetical AAL3 kind (hwkey)', () => {
  const FACTOR_AAL = { totp: 2, backup_code: 2, hwkey: 3 } as const;
  const ALLOWED_HW = ['totp', 'hwkey', 'backup_code'];
  const HW_ENROLLED = {
    'hwkey only': ['hwkey'],
    'hwkey+backup': ['hwkey', 'backup_code'],
    'backup used last, then hwkey': ['backup_code', 'hwkey'],
    'totp used last, hwkey, backup': ['totp', 'hwkey', 'backup_code'],
  } as const satisfies Record<string, readonly string[]>;
  const hw = (mode: MfaMode, enrolledKinds: readonly string[], requiredAal: number, over: Partial<MfaDecisionInput> = {}): MfaDecisionInput => ({
    ...input(mode, 'none', '7 days, created 1 day ago'),
    allowedKinds: ALLOWED_HW,
    enrolledKinds,
    factorAal: FACTOR_AAL,
    requiredAal,
    ...over,
  });

  const rows = MFA_MODES.flatMap((mode) => (Object.keys(HW_ENROLLED) as (keyof typeof HW_ENROLLED)[]).map((e) => [mode, e] as const));
  test.each(rows)('requiredAal 3, %s, enrolled: %s → challenge hwkey only (AAL2 kinds, backup codes included, left out)', (mode, enrolled) => {
    for (const v of VARIATIONS) {
      const over = { trustedDevice: v.trustedDevice ?? false, riskRequiresMfa: v.riskRequiresMfa ?? false, userCreatedAt: GRACE[v.grace].createdAt, graceDays: GRACE[v.grace].graceDays };
      expect([v, decideMfa(hw(mode, HW_ENROLLED[enrolled], 3, over))]).toEqual([v, { type: 'challenge', kinds: ['hwkey'], reason: 'level_requested' }]);
    }
  });

  test.each([
    ['off', unmetNotAllowed],
    ['optional', { type: 'enrol', kinds: ['hwkey'], reason: 'level_requested' }],
    ['required', { type: 'enrol', kinds: ['hwkey'], reason: 'level_requested' }],
    ['adaptive', { type: 'enrol', kinds: ['hwkey'], reason: 'level_requested' }],
  ] as [MfaMode, MfaDecision][])('requiredAal 3, %s, only AAL2 kinds enrolled, hwkey allowed → %j', (mode, expected) => {
    for (const enrolled of [[], ['totp'], ['backup_code'], ['totp', 'backup_code']]) {
      expect([enrolled, decideMfa(hw(mode, enrolled, 3))]).toEqual([enrolled, expected]);
    }
  });

  test.each(MFA_MODES.filter((m) => m !== 'off'))('requiredAal 3, %s, totp enrolled, hwkey not allowed → no_factor_for_level', (mode) => {
    expect(decideMfa(hw(mode, ['totp', 'backup_code'], 3, { allowedKinds: ['totp', 'backup_code'] }))).toEqual(unmetNoFactor);
  });

  test('requiredAal 2: every kind reaching AAL2 is challenged, primary kinds in the given order, then fallbacks', () => {
    expect(decideMfa(hw('required', ['backup_code', 'totp', 'hwkey'], 2))).toEqual({ type: 'challenge', kinds: ['totp', 'hwkey', 'backup_code'], reason: 'level_requested' });
  });

  test('requiredAal 2, nothing enrolled: every allowed non-fallback kind reaching AAL2 is offered for enrolment, in allowedKinds order', () => {
    expect(decideMfa(hw('required', [], 2, { allowedKinds: ['hwkey', 'backup_code', 'totp'] }))).toEqual({ type: 'enrol', kinds: ['hwkey', 'totp'], reason: 'level_requested' });
  });

  test('a fallback kind that reaches the level is listed after the primary kinds', () => {
    expect(decideMfa(hw('required', ['backup_code', 'hwkey'], 3, { factorAal: { ...FACTOR_AAL, backup_code: 3 } }))).toEqual({
      type: 'challenge',
      kinds: ['hwkey', 'backup_code'],
      reason: 'level_requested',
    });
  });

  test('a fallback kind that reaches the level still does not count alone', () => {
    expect(decideMfa(hw('required', ['backup_code'], 3, { factorAal: { ...FACTOR_AAL, backup_code: 3 } }))).toEqual({ type: 'enrol', kinds: ['hwkey'], reason: 'level_requested' });
  });
});

describe('decideMfa: requiredAal boundaries', () => {
  test('a kind declared below the level is not challenged, and not offered for enrolment', () => {
    const i = { ...input('required', 'totp+backup', 'no grace (0 days)'), requiredAal: 2, factorAal: { totp: 1 } };
    expect(decideMfa(i)).toEqual(unmetNoFactor);
    expect(decideMfa({ ...i, mode: 'off' })).toEqual(unmetNotAllowed);
  });

  test('an enrolled kind no longer in allowedKinds is still challenged when it reaches the level', () => {
    expect(decideMfa({ ...input('required', 'totp+backup', 'no grace (0 days)'), requiredAal: 2, allowedKinds: [] })).toEqual(levelChallengeBoth);
  });

  test('nothing allowed and nothing enrolled: no_factor_for_level (enrolment_not_allowed when off)', () => {
    expect(decideMfa({ ...input('required', 'none', 'no grace (0 days)'), requiredAal: 2, allowedKinds: [] })).toEqual(unmetNoFactor);
    expect(decideMfa({ ...input('off', 'none', 'no grace (0 days)'), requiredAal: 2, allowedKinds: [] })).toEqual(unmetNotAllowed);
  });

  test('the input arrays and factorAal are not mutated on the requiredAal path', () => {
    const enrolledKinds = ['backup_code', 'hwkey', 'totp'];
    const allowedKinds = ['totp', 'backup_code', 'hwkey'];
    const factorAal = { totp: 2, hwkey: 3 };
    decideMfa({ ...input('required', 'none', 'no grace (0 days)'), enrolledKinds, allowedKinds, factorAal, requiredAal: 3 });
    decideMfa({ ...input('required', 'none', 'no grace (0 days)'), enrolledKinds: [], allowedKinds, factorAal, requiredAal: 3 });
    expect(enrolledKinds).toEqual(['backup_code', 'hwkey', 'totp']);
    expect(allowedKinds).toEqual(['totp', 'backup_code', 'hwkey']);
    expect(factorAal).toEqual({ totp: 2, hwkey: 3 });
  });
});
